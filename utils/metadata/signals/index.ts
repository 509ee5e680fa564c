/** The registry of metadata signal modules, run in this order over one MetaContext. */
import { aigcLabel } from './aigc-label';
import { c2pa } from './c2pa';
import { camera } from './camera';
import { editor } from './editor';
import { generator } from './generator';
import { iptcSourceType } from './iptc-source-type';
import { stripped } from './stripped';
import type { SignalModule } from './util';

export const SIGNAL_MODULES: SignalModule[] = [aigcLabel, c2pa, iptcSourceType, generator, editor, camera, stripped];
export type { SignalModule } from './util';
