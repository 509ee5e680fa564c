/**
 * 京东 seller pages: 商家后台 (shop.jd.com and its sub-hosts such as porder.shop.jd.com for orders and
 * the after-sales 服务单 pages) and 京麦 web (jm.jd.com).
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels 凭证 / 上传凭证 / 图片信息 / 问题描述图片 / 客户上传 / 买家上传 before the image
 *   block (shared headings + JD wording below); merchant replies labelled 商家/卖家 are rejected.
 * - Not evidence: shop decoration (/imgzone/), activity pages (/babel/), static assets
 *   (static|misc|storage.360buyimg.com), anything inside a link to item.jd.com (product thumbnails).
 * - Image CDN: img10…img30.360buyimg.com (*.360buyimg.com).
 * - Full size: size paths `/n1/…`–`/n12/…` → `/n0/…` (largest); `s80x80_` prefixes on a path segment
 *   (`/n1/s450x450_jfs/…`, `/cms/s80x80_jfs/…`) are removed; processing suffixes after the
 *   extension (`.jpg!q70.dpg.webp`, `.jpg!cc_100x100.jpg`, `.jpg.avif`) → `.jpg`.
 * - Ticket: labels 订单号, 服务单号/售后服务单号, 客户账号/客户姓名/用户账号, 申请时间, 下单时间 (+08:00).
 */
import { TICKET_AREA, defineAdapter, rewriteOn } from './common';

export const JD_HOST = /(?:^|\.)360buyimg\.com$/i;

export function jdFullSize(url: string): string {
  return rewriteOn(url, JD_HOST, (u) => {
    let p = u.pathname.replace(/^\/n\d{1,2}\//, '/n0/').replace(/\/s\d+x\d+_(?=[^/]+\/)/g, '/');
    p = p.replace(/(\.(?:jpe?g|png|gif|bmp))[!.][^/]*$/i, '$1').replace(/(\.(?:webp|avif))![^/]*$/i, '$1');
    u.pathname = p;
  });
}

export const jd = defineAdapter({
  id: 'jd',
  name: '京东',
  matches: ['https://shop.jd.com/*', 'https://*.shop.jd.com/*', 'https://jm.jd.com/*'],
  imageHosts: ['https://*.360buyimg.com/*'],
  fullSize: jdFullSize,
  headings: /客户上传|用户上传|图片信息|问题描述图片|上传图片/,
  excludeSrc: /\/\/(?:static|misc|storage)\.360buyimg\.com\/|\/imgzone\/|\/babel\//i,
  productLink: /item\.jd\.(?:com|hk)|item\.m\.jd\.com/i,
  ticketArea: TICKET_AREA + ', [class*="afs"], [class*="Afs"]',
  dates: { tz: '+08:00' },
  labels: { refundId: '售后服务单号|服务单ID|退款申请单号', buyer: '客户账号|客户姓名|用户账号|用户PIN|下单账号|客户PIN', refundAt: '服务单申请时间|提交时间' },
});
