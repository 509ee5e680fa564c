/**
 * 快手小店 商家后台 (s.kwaixiaodian.com): 售后 list and details /zone/refund/detail?…
 * Built on Ant Design (`ant-`) with hashed CSS modules (`label__BFlU4` / `content__Rf0s7` pairs),
 * so labels and class-name parts only.
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels 凭证 / 买家凭证 / 举证 / 补充凭证 / 图片 before the image block.
 * - Not evidence: avatars (/uhead/), merchant product pictures (/ufile/adsocial/), front-end assets
 *   (/kos/nlav…/, /udata/pkg/), links to item pages.
 * - Image CDN: *.yximgs.com, *.kwaicdn.com, *.kwimgs.com, *.ecukwai.com.
 * - Full size: processing query (`x-oss-process`, `imageMogr2/…`, `imageView2/…`) and, on unsigned
 *   URLs, the resize parameters w/h/width/height/q/quality/format are dropped; `x.jpg.webp` → `x.jpg`.
 * - Ticket: labels 订单编号, 售后单号, 买家昵称/用户昵称, 申请时间, 下单时间 (+08:00).
 */
import { TICKET_AREA, defineAdapter, dropParams, dropProcessingQuery, isSigned, rewriteOn, stripConvertedExt } from './common';

export const KUAISHOU_HOST = /(?:^|\.)(?:yximgs\.com|kwaicdn\.com|kwimgs\.com|ecukwai\.com)$/i;

export function kuaishouFullSize(url: string): string {
  return rewriteOn(url, KUAISHOU_HOST, (u) => {
    if (isSigned(u)) return;
    dropProcessingQuery(u);
    dropParams(u, /^(?:w|h|width|height|q|quality|format|resize)$/i);
    u.pathname = stripConvertedExt(u.pathname);
  });
}

export const kuaishou = defineAdapter({
  id: 'kuaishou',
  name: '快手小店',
  matches: ['https://s.kwaixiaodian.com/*'],
  imageHosts: ['https://*.yximgs.com/*', 'https://*.kwaicdn.com/*', 'https://*.kwimgs.com/*', 'https://*.ecukwai.com/*'],
  fullSize: kuaishouFullSize,
  headings: /补充凭证|协商凭证|问题图片/,
  excludeSrc: /\/uhead\/|\/ufile\/adsocial\/|\/kos\/nlav\d*\/|\/udata\/pkg\//i,
  productLink: /itemId=|\/item\/|merchant\/shop\/detail/i,
  ticketArea: TICKET_AREA,
  dates: { tz: '+08:00' },
  labels: { refundId: '售后编号|退款单号', buyer: '买家昵称|买家ID|用户昵称|用户ID' },
});
