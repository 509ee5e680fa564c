/**
 * 拼多多 商家后台 (mms.pinduoduo.com): 售后工作台 /aftersales/aftersale_list, 售后详情
 * /aftersales-ssr/detail?id=…&orderSn=…, 工单 /aftersales/work_order/…. Class names are hashed
 * CSS modules (e.g. `after-sales-table_order_item__3QqLW`, `Beast__1POzs`) and the `mui-` component
 * library, so nothing here depends on a full class name: labels and class-name parts only.
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels 凭证 / 举证 / 买家上传 / 售后凭证 / 问题图片 before the image block.
 * - Not evidence: avatars (avatar*.pddpic.com), the merchant material library (/mms-material-img/),
 *   goods pictures (/goods/images/, /gaudit-image/, /goods_mms/), UI assets (static|funimg|pfile.pddpic.com),
 *   anything inside a link to a goods page (goods_id=).
 * - Image CDN: *.pddpic.com (img.pddpic.com …) and *.yangkeduo.com (t00img, omsproductionimg …).
 * - Full size: processing query `?imageMogr2/thumbnail/100x`, `?imageView2/2/w/300/…` dropped;
 *   converted copies `x.png.a.jpeg`, `x.jpeg.slim.png`, `x.jpg.webp` → `x.png` / `x.jpeg` / `x.jpg`.
 * - Ticket: labels 订单编号 (YYMMDD-15 digits), 售后编号, 买家/用户昵称, 申请时间, 成交时间 (+08:00).
 */
import { TICKET_AREA, defineAdapter, dropProcessingQuery, rewriteOn, stripConvertedExt } from './common';

export const PDD_HOST = /(?:^|\.)(?:pddpic\.com|yangkeduo\.com)$/i;

export function pddFullSize(url: string): string {
  return rewriteOn(url, PDD_HOST, (u) => {
    dropProcessingQuery(u);
    u.pathname = stripConvertedExt(u.pathname);
  });
}

export const pinduoduo = defineAdapter({
  id: 'pinduoduo',
  name: '拼多多',
  matches: ['https://mms.pinduoduo.com/*'],
  imageHosts: ['https://*.pddpic.com/*', 'https://*.yangkeduo.com/*'],
  fullSize: pddFullSize,
  headings: /售后图片|问题图片|补充凭证/,
  excludeSrc: /\/\/avatar[\w-]*\.pddpic\.com\/|\/\/(?:static|funimg|pfile|mms-static)\.pddpic\.com\/|\/mms-material-img\/|\/goods\/images\/|\/gaudit-image\/|\/goods_mms\//i,
  productLink: /goods_id=|goods\.html/i,
  ticketArea: TICKET_AREA + ', [class*="after-sales"], [class*="afterSales"]',
  dates: { tz: '+08:00' },
  labels: { orderedAt: '成交时间|拼单成功时间', refundAt: '申请售后时间' },
});
