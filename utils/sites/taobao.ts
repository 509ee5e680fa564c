/**
 * 淘宝 / 天猫 seller pages: 千牛 web (myseller.taobao.com/home.htm/… SPA routes such as qn-order,
 * trade-platform/tp/sold and the refund workbench; qn.taobao.com), the refund/dispute pages
 * (refund2.taobao.com/dispute/detail.htm?disputeId=…, refund2.tmall.com) and order details
 * (trade.taobao.com / trade.tmall.com).
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: short labels before the image block containing 凭证 / 举证 / 买家上传 / 图片凭证 /
 *   退款凭证 (shared EVIDENCE_HEADINGS), class parts evidence/proof/voucher/pingzheng; the merchant's
 *   own uploads are under labels with 商家/卖家 (rejected). Fallback: refund/dispute container.
 * - Not evidence: item pictures on /bao/uploaded/ (宝贝主图), UI assets on /tps/ and /tfs/ and
 *   imgextra files named …-tps-W-H.png, g.alicdn.com / at.alicdn.com static files, wwc.alicdn.com
 *   avatars; anything inside a link to item.taobao.com / detail.tmall.com.
 * - Image CDN: *.alicdn.com (img, gw, …) and legacy *.taobaocdn.com.
 * - Full size: alicdn appends processing suffixes after the original extension:
 *   `x.jpg_80x80.jpg`, `x.jpg_180x180xzq90.jpg_.webp`, `x.jpg_q90.jpg`, `x.png_.webp`, `x.jpg_sum.jpg`
 *   → `x.jpg`; `?x-oss-process=…` is dropped.
 * - Ticket: labels 订单编号/订单号, 退款编号, 买家/买家昵称, 申请时间, 成交时间/付款时间/下单时间
 *   (Beijing time, +08:00).
 */
import { TICKET_AREA, defineAdapter, dropProcessingQuery, rewriteOn } from './common';

export const ALICDN_HOST = /(?:^|\.)(?:alicdn\.com|taobaocdn\.com)$/i;

export function alicdnFullSize(url: string): string {
  return rewriteOn(url, ALICDN_HOST, (u) => {
    u.pathname = u.pathname.replace(/^(.*?\.(?:jpe?g|png|gif|webp|bmp|heic|avif))_.*$/i, '$1');
    dropProcessingQuery(u);
  });
}

export const taobao = defineAdapter({
  id: 'taobao',
  name: '淘宝/天猫',
  matches: [
    'https://myseller.taobao.com/*',
    'https://qn.taobao.com/*',
    'https://refund2.taobao.com/*',
    'https://refund2.tmall.com/*',
    'https://trade.taobao.com/*',
    'https://trade.tmall.com/*',
  ],
  imageHosts: ['https://*.alicdn.com/*', 'https://*.taobaocdn.com/*'],
  fullSize: alicdnFullSize,
  headings: /买家举证|补充凭证|问题图片/,
  excludeSrc: /\/\/(?:g|at|wwc)\.alicdn\.com\/|\/bao\/uploaded\/|\/(?:tps|tfs)\/|-tps-\d+-\d+\.|\/avatar\//i,
  productLink: /item\.taobao\.com|detail\.tmall\.(?:com|hk)|\/item\.htm/i,
  ticketArea: TICKET_AREA,
  dates: { tz: '+08:00' },
  labels: { buyer: '买家会员名|买家旺旺名|买家账号名', refundAt: '买家申请时间|申请退款时间', orderedAt: '订单成交时间|拍下时间' },
});
