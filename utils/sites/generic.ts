import type { SiteAdapter } from './types';
import type { TicketInfo } from '../types';
import { imageSource, readTicket } from './common';

/** Words that mark a container as being about a refund / after-sales / return. */
export const REFUND_WORDS = /退款|售后|凭证|退货|仅退款|退换|refund|return|evidence|a-to-z|claim/i;

/** Smallest rendered or natural side for an image to count as a photo (icons and avatars are smaller). */
export const MIN_PHOTO_SIDE = 48;

/** Size from the decoded image or the width/height attributes only: no layout reads. */
export function isPhotoSized(img: HTMLImageElement): boolean {
  const w = img.naturalWidth || Number(img.getAttribute('width')) || 0;
  const h = img.naturalHeight || Number(img.getAttribute('height')) || 0;
  // Not yet loaded: decide later (the observer sees the load).
  if (!w && !h) return img.complete === false || !!img.getAttribute('src');
  return Math.max(w, h) >= MIN_PHOTO_SIDE;
}

/** Nearest ancestor (up to `depth` levels) whose own text talks about refunds. */
export function inRefundContext(el: Element, depth = 6): boolean {
  let n: Element | null = el.parentElement;
  for (let i = 0; n && i < depth; i++, n = n.parentElement) {
    if (n.hasAttribute('data-refundlens-ticket')) return true;
    const text = (n.getAttribute('aria-label') ?? '') + ' ' + (n.getAttribute('class') ?? '') + ' ' + directText(n);
    if (REFUND_WORDS.test(text)) return true;
  }
  return false;
}

function directText(n: Element): string {
  let s = '';
  for (const c of n.childNodes) {
    if (c.nodeType === 3) s += c.textContent;
    else if (c.nodeType === 1 && /^(H\d|LABEL|SPAN|P|DT|TH|LEGEND|STRONG|B)$/.test((c as Element).tagName)) s += ' ' + (c.textContent ?? '').slice(0, 80);
    if (s.length > 400) break;
  }
  return s;
}

/** Ticket facts from `[data-refundlens-ticket]` attributes (demo/test pages and merchant markup). */
export function ticketFromAttributes(root: ParentNode, img?: Element): TicketInfo {
  const el = (img?.closest('[data-refundlens-ticket]') ?? root.querySelector?.('[data-refundlens-ticket]')) as Element | null;
  if (!el) return {};
  const a = (k: string) => el.getAttribute(k)?.trim().slice(0, 120) || undefined;
  const info: TicketInfo = { orderId: a('data-order-id'), refundId: a('data-refund-id'), buyer: a('data-buyer'), orderedAt: a('data-ordered-at'), refundAt: a('data-refund-at') };
  for (const k of Object.keys(info) as (keyof TicketInfo)[]) if (info[k] === undefined) delete info[k];
  return info;
}

/** Generic refund-context heuristic: any http(s) photo-sized image inside a refund/after-sales container. */
export function genericPhotos(root: ParentNode): HTMLImageElement[] {
  const imgs = Array.from(root.querySelectorAll?.('img') ?? []) as HTMLImageElement[];
  return imgs.filter((img) => {
    if (img.closest('[data-refundlens-skip]')) return false;
    if (img.hasAttribute('data-refundlens-photo')) return true;
    return !!imageSource(img) && isPhotoSized(img) && inRefundContext(img);
  });
}

export const generic: SiteAdapter = {
  id: 'generic',
  name: 'Generic',
  matches: ['http://127.0.0.1/*', 'http://localhost/*'],
  imageHosts: [],
  appliesTo: () => true,
  findBuyerPhotos: genericPhotos,
  fullSizeUrl: (url) => url,
  photoUrl: (img) => imageSource(img),
  ticketInfo: (root, img) => readTicket(root, img, {}),
};
