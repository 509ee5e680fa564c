import type { TicketInfo } from '../types';

/**
 * One seller centre = one adapter file in utils/sites/. Adapters only read the DOM and rewrite
 * URLs: they never fetch, never store and never touch `browser.*`, so they are tested on plain pages.
 * Every member is fail-safe: it never throws, and when unsure it finds nothing (the context-menu
 * path "check this image" always remains, whatever an adapter decides).
 */
export interface SiteAdapter {
  /** Stable id, e.g. 'taobao', 'jd', 'generic', or 'rule:<host>' for a merchant rule. */
  id: string;
  /** Display name key or plain name, e.g. '淘宝/天猫'. */
  name: string;
  /** Match patterns of the seller-centre pages (content script matches and host permissions). */
  matches: string[];
  /** Match patterns of the image CDNs whose photos the background must fetch. */
  imageHosts: string[];
  /** Does this adapter handle the page at `url`? (Usually derived from `matches`.) */
  appliesTo(url: URL): boolean;
  /** Buyer-submitted evidence photos under `root` (not product thumbnails, avatars, icons). */
  findBuyerPhotos(root: ParentNode): HTMLImageElement[];
  /** The full-size original for a (thumbnail) URL on this platform's CDN. Unrelated URLs pass through. */
  fullSizeUrl(url: string): string;
  /**
   * The URL to check for this image element: the real source (lazy-load attributes, srcset,
   * protocol-relative URLs resolved to https) rewritten to its full-size original; undefined when
   * the element has no http(s) source. Prefer this over `fullSizeUrl(img.src)`.
   */
  photoUrl(img: Element): string | undefined;
  /** Ticket facts shown near `img` (or on the page). */
  ticketInfo(root: ParentNode, img?: Element): TicketInfo;
}
