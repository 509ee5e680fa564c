/**
 * Shopify admin: admin.shopify.com/store/<shop>/orders/<id> (incl. returns under the order) and
 * /store/<shop>/returns…, and the legacy <shop>.myshopify.com/admin/… URLs. Built with Polaris
 * (`Polaris-Thumbnail` = line-item product pictures, `Polaris-Avatar` = avatars).
 *
 * Relies on (fix here when a page changes):
 * - Evidence photos: labels "Images from customer", "Customer photos", "Return photos",
 *   "Attachments", "Evidence" (return requests, chargeback/dispute evidence, return apps).
 * - Not evidence: Polaris-Thumbnail / Polaris-Avatar containers, admin UI assets (/shopifycloud/,
 *   /s/assets/, .svg), links to /products/ (line items).
 * - Image CDN: cdn.shopify.com.
 * - Full size: query `width`, `height`, `crop`, `format`, `pad_color`, `quality` dropped (`v` kept);
 *   file-name size suffixes `_100x100`, `_100x`, `_x100`, `_small`…`_grande`, `_master`,
 *   `_crop_center`, `@2x`, `.progressive` removed.
 * - Ticket: order name from the page heading (#1001), labels Customer, Order date, Return requested…
 */
import type { TicketInfo } from '../types';
import { TICKET_AREA, defineAdapter, rewriteOn } from './common';
import type { SiteAdapter } from './types';

export const SHOPIFY_HOST = /^cdn\.shopify\.com$/i;

const SIZE_SUFFIX =
  /^(.*?)(?:_(?:pico|icon|thumb|small|compact|medium|large|grande|original|master|\d{2,}x\d*|x\d{2,})(?:_crop_(?:top|center|bottom|left|right))?)?(?:@\d+x)?(?:\.progressive)?(\.(?:jpe?g|png|gif|webp|heic))$/i;

export function shopifyFullSize(url: string): string {
  return rewriteOn(url, SHOPIFY_HOST, (u) => {
    const keep: [string, string][] = [];
    for (const [k, v] of u.searchParams) if (!/^(?:width|height|crop|format|pad_color|quality)$/i.test(k)) keep.push([k, v]);
    if (keep.length !== [...u.searchParams].length) u.search = keep.length ? '?' + new URLSearchParams(keep).toString() : '';
    const i = u.pathname.lastIndexOf('/');
    const m = SIZE_SUFFIX.exec(u.pathname.slice(i + 1));
    if (m && m[1]) u.pathname = u.pathname.slice(0, i + 1) + m[1] + m[2];
  });
}

const base = defineAdapter({
  id: 'shopify',
  name: 'Shopify',
  matches: ['https://admin.shopify.com/store/*', 'https://*.myshopify.com/admin/*'],
  imageHosts: ['https://cdn.shopify.com/*'],
  fullSize: shopifyFullSize,
  headings: /customer[- ]uploaded|uploaded by (?:the )?(?:customer|buyer)/i,
  excludeParts: ['thumbnail'],
  excludeSrc: /\/shopifycloud\/|\/s\/assets\/|\.svg(?:$|\?)/i,
  productLink: /\/products\//i,
  ticketArea: TICKET_AREA,
  labels: { refundAt: 'return\\s*requested|requested', orderedAt: 'order\\s*placed|placed' },
});

/** Shopify shows the order name (#1001) as the page heading, not as a labelled field. */
function orderName(root: ParentNode): string | undefined {
  try {
    for (const h of root.querySelectorAll('h1, [class*="Polaris-Header-Title"]')) {
      const m = /#\s?([A-Za-z0-9-]*\d[A-Za-z0-9-]*)/.exec(h.textContent ?? '');
      if (m) return '#' + m[1];
    }
  } catch {
    /* ignore */
  }
  return undefined;
}

export const shopify: SiteAdapter = {
  ...base,
  ticketInfo(root, img) {
    const info: TicketInfo = base.ticketInfo(root, img);
    if (!info.orderId) {
      const o = orderName(root);
      if (o) info.orderId = o;
    }
    return info;
  },
};
