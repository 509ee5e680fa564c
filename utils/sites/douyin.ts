/**
 * 抖店 (fxg.jinritemai.com) after-sales: 售后工作台 /ffa/maftersale/aftersale/list and details
 * /ffa/maftersale/aftersale/detail-v2|detail-v3?aftersale_id=…, /ffa/morder/aftersale/detail-v2.
 * Built on the `auxo-` component library with hashed CSS modules (`style_item-wrapper__3_upj`:
 * label first child, value last child), so labels and class-name parts only.
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels 凭证 / 买家凭证 / 上传凭证 / 举证 / 补充凭证 before the image block.
 * - Not evidence: merchant product material (/ecom-shop-material/, /temai/ product pictures),
 *   avatars (/aweme-avatar/, tos-cn-avt-…), UI assets (/eden-cn/, /goofy/), links to product pages.
 * - Image CDN: *.ecombdimg.com (p3-aio/p9-aio…), *.byteimg.com, *.douyinpic.com.
 * - Full size: ImageX serves processed copies under `/img/<bucket>/<key>~tplv-…` or `~200x200.jpeg`;
 *   the raw object is `/obj/<bucket>/<key>`. Signed URLs (x-expires/x-signature/lk3s in the query)
 *   are left untouched: the signature covers the template.
 * - Ticket: labels 订单编号, 售后编号/售后单号, 买家昵称/用户昵称, 申请时间, 下单时间 (+08:00).
 */
import { TICKET_AREA, defineAdapter, isSigned, rewriteOn } from './common';

export const DOUYIN_HOST = /(?:^|\.)(?:ecombdimg\.com|byteimg\.com|douyinpic\.com)$/i;

export function douyinFullSize(url: string): string {
  return rewriteOn(url, DOUYIN_HOST, (u) => {
    if (isSigned(u)) return;
    const before = u.pathname;
    u.pathname = u.pathname.replace(/~(?:tplv-[^/]*|\d+x\d+\.\w+|noop\.\w+|resize[^/]*)$/i, '');
    if (u.pathname !== before && /(?:^|\.)ecombdimg\.com$/i.test(u.hostname)) u.pathname = u.pathname.replace(/^\/img\//, '/obj/');
  });
}

export const douyin = defineAdapter({
  id: 'douyin',
  name: '抖店',
  matches: ['https://fxg.jinritemai.com/*'],
  imageHosts: ['https://*.ecombdimg.com/*', 'https://*.byteimg.com/*', 'https://*.douyinpic.com/*'],
  fullSize: douyinFullSize,
  headings: /补充凭证|协商凭证|问题图片/,
  excludeSrc: /\/ecom-shop-material\/|\/obj\/temai\/|\/img\/temai\/|aweme-avatar|tos-cn-avt-|\/avatar\/|\/eden-cn\/|\/goofy\//i,
  productLink: /haohuo\.jinritemai\.com|product_id=|\/product\/detail/i,
  ticketArea: TICKET_AREA,
  dates: { tz: '+08:00' },
  labels: { refundId: '售后单ID|售后ID', buyer: '买家昵称|用户昵称|买家ID' },
});
