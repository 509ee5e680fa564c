import type { SiteAdapter } from './types';
import { taobao } from './taobao';
import { jd } from './jd';
import { pinduoduo } from './pinduoduo';
import { douyin } from './douyin';
import { kuaishou } from './kuaishou';
import { amazon } from './amazon';
import { shopify } from './shopify';

/** The platform adapters, one file each. Their `matches` never overlap. */
export const PLATFORMS: readonly SiteAdapter[] = [taobao, jd, pinduoduo, douyin, kuaishou, amazon, shopify];
