/**
 * Amazon Seller Central (sellercentral.amazon.com, sellercentral-europe.amazon.com,
 * sellercentral-japan.amazon.com and the per-country sellercentral.amazon.<tld> hosts): Manage Returns
 * (/gp/returns/list/v2, rows `kat-table-row.manage-returns-table-row`), return request details,
 * A-to-z Guarantee claims (/gp/guarantee-claims/…, /a-to-z…) and order details (/orders-v3/order/<id>).
 * Pages use the Katal `kat-` web components.
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels "Images from customer", "Customer images/photos", "Buyer photos",
 *   "Return images", "Attachments", "Evidence" before the image block.
 * - Not evidence: site graphics (/images/G/, /images/S/), product thumbnails inside links to
 *   /dp/ or /gp/product/ (ASIN pages); labels naming "Seller"/"Your" are the merchant's own.
 * - Image CDN: m.media-amazon.com and images-{na,eu,fe}.ssl-images-amazon.com; attachments served
 *   by Seller Central itself (same host as the page).
 * - Full size: `/images/I/<id>.<modifiers>.<ext>` (e.g. `._SL160_.jpg`, `._AC_US40_.jpg`,
 *   `.jpg_BO30,255,255,255_UF900,850_SR1910,1000,0,C_QL100_.jpg`) → `/images/I/<id>.<ext>`.
 * - Ticket: labels Order ID (###-#######-#######), Return request ID / RMA ID / Claim ID,
 *   Buyer name / Customer name, Order date, Return request date / Claim date (shown local time:
 *   no offset added; numeric dates only when unambiguous).
 */
import { TICKET_AREA, defineAdapter, rewriteOn } from './common';

const TLDS = ['com', 'ca', 'com.mx', 'com.br', 'co.uk', 'de', 'fr', 'it', 'es', 'nl', 'se', 'pl', 'com.be', 'com.tr', 'ae', 'sa', 'eg', 'in', 'co.jp', 'com.au', 'sg'];
const SELLER_HOSTS = ['sellercentral.amazon.com', 'sellercentral-europe.amazon.com', 'sellercentral-japan.amazon.com', ...TLDS.filter((t) => t !== 'com').map((t) => `sellercentral.amazon.${t}`)];

export const AMAZON_IMAGE_HOST = /^(?:m\.media-amazon\.com|images-(?:na|eu|fe)\.ssl-images-amazon\.com)$/i;

export function amazonFullSize(url: string): string {
  return rewriteOn(url, AMAZON_IMAGE_HOST, (u) => {
    u.pathname = u.pathname.replace(/^(\/images\/[A-Z]\/[^/.]+)\.[^/]*\.(jpe?g|png|gif|webp)$/i, '$1.$2');
  });
}

export const amazon = defineAdapter({
  id: 'amazon',
  name: 'Amazon Seller Central',
  matches: SELLER_HOSTS.map((h) => `https://${h}/*`),
  imageHosts: ['https://m.media-amazon.com/*', 'https://images-na.ssl-images-amazon.com/*', 'https://images-eu.ssl-images-amazon.com/*', 'https://images-fe.ssl-images-amazon.com/*', ...SELLER_HOSTS.map((h) => `https://${h}/*`)],
  fullSize: amazonFullSize,
  headings: /customer[- ]uploaded|uploaded by (?:the )?(?:customer|buyer)|buyer[- ]provided/i,
  excludeSrc: /\/images\/[GS]\/|\/sash\/|\.svg(?:$|\?)/i,
  productLink: /\/dp\/|\/gp\/product\/|\/product-search\//i,
  ticketArea: TICKET_AREA + ', [class*="claim"], [class*="Claim"], kat-table-row',
  labels: {
    refundId: 'return\\s*(?:merchandise\\s*)?authori[sz]ation(?:\\s*(?:id|number))?|amazon\\s*rma\\s*id|a-to-z\\s*(?:guarantee\\s*)?claim\\s*(?:id|number)?',
    buyer: 'buyer\\s*id',
    refundAt: 'return\\s*request\\s*date|claim\\s*received|date\\s*requested',
  },
});
