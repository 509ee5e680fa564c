/**
 * Shared machinery of the seller-centre adapters. A platform file only states what it relies on
 * (hosts, section headings, class-name fragments, CDN paths, URL rewrites) and `defineAdapter`
 * turns that into a `SiteAdapter`.
 *
 * How a buyer photo is recognised (cheap: attributes and short texts only, no layout reads):
 *  1. the <img> source (src, lazy-load attributes, srcset) is on one of the platform's image CDNs;
 *  2. it is not an icon/avatar (size attributes < 48 px, alt/class words), not a product or
 *     merchant image by CDN path, and not inside a link to a product page;
 *  3. walking up at most `depth` ancestors, the NEAREST decisive signal wins:
 *     - a class/id part of the ancestor (evidence/proof/voucher… vs avatar/goods/product…),
 *     - a short label just before the ancestor (previous element or text siblings):
 *       "退款凭证", "买家上传", "Images from customer"… → evidence;
 *       "商家凭证", "Seller photos"… (the merchant's own) or "商品信息", "Items ordered"… → not;
 *  4. no signal: the generic refund-context heuristic, only inside the platform's ticket area and
 *     only for images whose size attributes say they are photos (≥ 100 px). Otherwise no button.
 * Preview/lightbox copies of an accepted photo (same full-size URL) are accepted as well.
 */
import type { TicketInfo } from '../types';
import type { SiteAdapter } from './types';
import { compilePatterns, urlMatches } from './match';
import { inRefundContext, ticketFromAttributes } from './generic';

// ───────────────────────────── image sources ─────────────────────────────

const PLACEHOLDER = /^(?:data:|blob:|about:|javascript:)|\/(?:blank|spacer|placeholder|loading|lazy|default)[^/]*\.(?:gif|png|svg)(?:$|\?)/i;

/**
 * An absolute http(s) URL, normalised by the URL parser: every host test runs on what the browser
 * would fetch, never on the raw attribute (`https://192.168.1.1\\.alicdn.com/x.jpg` is host
 * 192.168.1.1 for the parser, though a regex on the string sees alicdn.com).
 */
function absolute(u: string | null | undefined): string | undefined {
  if (!u) return undefined;
  const s = u.trim();
  if (!s || PLACEHOLDER.test(s)) return undefined;
  if (!s.startsWith('//') && !/^https?:\/\//i.test(s)) return undefined;
  const p = parseUrl(s);
  return p && (p.protocol === 'https:' || p.protocol === 'http:') ? p.href : undefined;
}

function largestSrcset(srcset: string | null): string | undefined {
  if (!srcset) return undefined;
  let best: string | undefined;
  let bestW = -1;
  for (const part of srcset.split(/,\s+/)) {
    const [u, d] = part.trim().split(/\s+/);
    const w = d ? parseFloat(d) * (d.endsWith('x') ? 1000 : 1) : 0;
    if (u && w > bestW) {
      best = u;
      bestW = w;
    }
  }
  return best;
}

const LAZY_ATTRS = ['data-src', 'data-original', 'data-lazy-src', 'data-ks-lazyload', 'data-lazyload', 'data-url', 'data-origin'];

/** The image's real http(s) source, as an absolute URL; undefined for data:/blob:/placeholders. */
export function imageSource(img: Element): string | undefined {
  const cur = absolute((img as HTMLImageElement).currentSrc);
  if (cur) return cur;
  const attr = img.getAttribute('src');
  const src = absolute(attr);
  if (src) return src;
  // A relative src (demo pages): the property is resolved against the document.
  if (attr && !PLACEHOLDER.test(attr)) {
    const resolved = absolute((img as HTMLImageElement).src);
    if (resolved) return resolved;
  }
  for (const a of LAZY_ATTRS) {
    const v = absolute(img.getAttribute(a));
    if (v) return v;
  }
  return absolute(largestSrcset(img.getAttribute('srcset') ?? img.getAttribute('data-srcset')));
}

// ───────────────────────────── URL helpers ─────────────────────────────

/** Parse `url` (absolute or protocol-relative); undefined when malformed. */
export function parseUrl(url: string): URL | undefined {
  if (typeof url !== 'string' || url.length > 4096) return undefined;
  try {
    return new URL(url.startsWith('//') ? 'https:' + url : url);
  } catch {
    return undefined;
  }
}

/**
 * Rewrite `url` with `edit` when its host matches `host`; the original string comes back when the
 * URL is malformed, on another host, or unchanged by `edit` (so unrelated URLs pass through as is).
 */
export function rewriteOn(url: string, host: RegExp, edit: (u: URL) => void): string {
  const u = parseUrl(url);
  if (!u || !/^https?:$/.test(u.protocol) || !host.test(u.hostname)) return url;
  const before = u.pathname + u.search;
  edit(u);
  return u.pathname + u.search === before ? url : u.href;
}

/** `name.jpg.webp`, `name.png.a.jpeg`, `name.jpg.avif`: a converted copy of `name.jpg` → the original name. */
export function stripConvertedExt(path: string): string {
  return path.replace(/(\.(?:jpe?g|png|gif|bmp|heic|webp))(?:\.(?:a|slim|dpg))?\.(?:jpe?g|png|webp|avif)$/i, '$1');
}

/** Remove query parameters whose names match `names`; keeps the others in their order. */
export function dropParams(u: URL, names: RegExp): void {
  const keep: [string, string][] = [];
  for (const [k, v] of u.searchParams) if (!names.test(k)) keep.push([k, v]);
  if (keep.length === [...u.searchParams].length) return;
  u.search = keep.length ? '?' + keep.map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&') : '';
}

/** Query strings that are a Qiniu/Aliyun-style processing command (`?imageMogr2/…`, `?imageView2/…`, `?x-oss-process=…`). */
export function dropProcessingQuery(u: URL): void {
  const q = decodeURIComponent(u.search.slice(1));
  if (/^(?:imageMogr2|imageView2|imageslim|watermark)\//i.test(q)) u.search = '';
  else dropParams(u, /^x-(?:oss|image)-process$/i);
}

/** URLs signed over their full path and query: rewriting them breaks the signature. */
export function isSigned(u: URL): boolean {
  for (const k of u.searchParams.keys()) if (/^(?:x-signature|x-expires|signature|sign|expires|lk3s|x-amz-signature|Policy|Key-Pair-Id|auth_key)$/i.test(k)) return true;
  return false;
}

// ───────────────────────────── evidence recognition ─────────────────────────────

/** Labels of sections with buyer-submitted evidence (matched inside short label texts). */
export const EVIDENCE_HEADINGS =
  /凭证|举证|买家上传|上传的?(?:图片|照片)|(?:买家|问题|售后|退款|退货|破损|瑕疵|实物|商品问题|质量问题)(?:图片|照片|图)|照片|附件|buyer(?:'s)?\s*(?:photos?|images?|pictures?)|(?:images?|photos?|pictures?)\s+(?:from|by|submitted by|uploaded by)\s+(?:the\s+)?(?:customer|buyer)|customer(?:'s)?\s*(?:photos?|images?|pictures?)|(?:return|claim|damage|defect)\s*(?:photos?|images?|pictures?)|evidence|attachments?/i;

/**
 * A label of the merchant's side: starts with the role and is a role name alone or names an upload
 * ("商家凭证", "卖家上传的图片", "Your uploaded images"). Its images are the merchant's own. A buyer's
 * sentence that merely mentions the seller ("卖家发的货有破损") does not count.
 */
export const MERCHANT_LABEL =
  /^(?:商家|卖家|店铺|我方|客服|平台|小二|seller|merchant|store|shop|your|my)(?:$|\s*[:：]?\s*$|.*(?:凭证|举证|上传|图片|照片|留言|回复|说明|附件|photo|image|picture|upload|repl|respon|attachment|evidence|proof|note))/i;
const BUYER_WORD = /买家|顾客|消费者|用户|buyer|customer/i;

/** A heading of a product section, matched against the whole label ("商品信息", "退款商品", "Items ordered"). */
export const PRODUCT_LABEL =
  /^(?:退款|售后|退货|订单|购买|申请)?(?:商品|宝贝|货品|产品|主图|SKU)(?:信息|详情|图片|名称|主图|明细|清单)?(?:\s*[(（]\d+[)）])?$|^(?:products?|items?(?:\s+ordered)?|ordered\s+items?|line\s+items?|product\s+details?|item\s+details?)(?:\s*\(\d+\))?$/i;

/** Class/id parts (split on - _ and camelCase) of containers with evidence photos. */
export const EVIDENCE_PARTS = new Set(['evidence', 'evidences', 'proof', 'proofs', 'voucher', 'vouchers', 'pingzheng', 'certificate', 'certificates', 'credential', 'credentials', 'attachment', 'attachments']);
/** Class/id parts of containers that never hold evidence photos. */
export const EXCLUDE_PARTS = new Set(['avatar', 'avatars', 'logo', 'icon', 'icons', 'iconfont', 'emoji', 'sticker', 'qrcode', 'goods', 'product', 'products', 'sku', 'banner']);

const IMG_WORDS = /头像|avatar|logo|icon|图标|二维码|qr\s?code|商品图|主图|product/i;

export function classParts(el: Element): string[] {
  const c = (el.getAttribute('class') ?? '') + ' ' + (el.getAttribute('id') ?? '');
  if (c.length < 2) return [];
  return c
    .split(/[\s\-_]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((p) => p.length > 1)
    .map((p) => p.toLowerCase());
}

export interface EvidenceRules {
  /** Compiled image-host patterns: images elsewhere are never offered (the background could not fetch them). */
  hosts: RegExp[];
  headings: RegExp;
  evidenceParts: Set<string>;
  excludeParts: Set<string>;
  /** CDN paths of product images, avatars, shop decoration and UI assets on this platform. */
  excludeSrc?: RegExp;
  /** Links around product thumbnails (item/product detail pages). */
  productLink?: RegExp;
  /** CSS selector of the ticket area where the generic fallback may apply. */
  ticketArea?: string;
  depth: number;
}

type Decision = 'evidence' | 'reject' | 'unknown';

function labelOf(n: Node): string | undefined {
  if (n.nodeType === 3) {
    const t = (n.textContent ?? '').trim();
    return t && t.length <= 40 ? t : undefined;
  }
  if (n.nodeType !== 1) return undefined;
  const el = n as Element;
  if (el.childElementCount > 8 || /^(?:IMG|SCRIPT|STYLE|svg|PICTURE|VIDEO|CANVAS)$/.test(el.tagName)) return undefined;
  if (el.querySelector('img')) return undefined;
  const t = (el.textContent ?? '').trim();
  return t && t.length <= 40 ? t : undefined;
}

export function judgeLabel(text: string, headings: RegExp): Decision {
  const t = text.replace(/[\s\u00a0]+/g, ' ').replace(/^[\s*·•]+|[\s:：]+$/g, '');
  if (MERCHANT_LABEL.test(t) && !BUYER_WORD.test(t)) return 'reject';
  if (headings.test(t)) return 'evidence';
  if (PRODUCT_LABEL.test(t)) return 'reject';
  return 'unknown';
}

function judgeNode(node: Element, rules: EvidenceRules): Decision {
  for (const p of classParts(node)) {
    if (rules.excludeParts.has(p)) return 'reject';
    if (rules.evidenceParts.has(p)) return 'evidence';
  }
  const aria = node.getAttribute('aria-label');
  if (aria) {
    const d = judgeLabel(aria, rules.headings);
    if (d !== 'unknown') return d;
  }
  // Labels just before this node: previous element or text siblings. Images and blocks with images
  // (the other photos of the same row) are stepped over; at most 4 texts and 40 siblings are read.
  let texts = 0;
  let steps = 0;
  for (let s = node.previousSibling; s && texts < 4 && steps < 40; s = s.previousSibling, steps++) {
    if (s.nodeType === 3 && !(s.textContent ?? '').trim()) continue;
    if (s.nodeType === 1 && ((s as Element).tagName === 'IMG' || (s as Element).querySelector('img'))) continue;
    texts++;
    const t = labelOf(s);
    if (!t) continue;
    const d = judgeLabel(t, rules.headings);
    if (d !== 'unknown') return d;
  }
  return 'unknown';
}

function sizeOf(img: Element): number {
  const i = img as HTMLImageElement;
  // The decoded size counts only when the shown source is the photo itself (not a lazy-load placeholder).
  const n = i.naturalWidth && absolute(i.currentSrc || i.src) ? Math.max(i.naturalWidth, i.naturalHeight) : 0;
  if (n) return n;
  const w = parseFloat(img.getAttribute('width') ?? '') || parseFloat((img as HTMLElement).style?.width ?? '') || 0;
  const h = parseFloat(img.getAttribute('height') ?? '') || parseFloat((img as HTMLElement).style?.height ?? '') || 0;
  return Math.max(w, h);
}

/** Classify one image. `cache` maps ancestors to decisions already made from them upward. */
function classify(img: Element, src: string, rules: EvidenceRules, cache: Map<Element, Decision>): Decision {
  if (img.hasAttribute('data-refundlens-photo')) return 'evidence';
  const size = sizeOf(img);
  if (size > 0 && size < 48) return 'reject';
  if (rules.excludeSrc?.test(src)) return 'reject';
  const words = (img.getAttribute('alt') ?? '') + ' ' + (img.getAttribute('title') ?? '');
  if (IMG_WORDS.test(words)) return 'reject';
  if (rules.productLink) {
    const a = img.closest('a[href]');
    if (a && rules.productLink.test(a.getAttribute('href') ?? '')) return 'reject';
  }
  const visited: Element[] = [];
  let decision: Decision = 'unknown';
  let node: Element | null = img;
  for (let level = 0; node && level <= rules.depth; level++, node = node.parentElement) {
    if (node.tagName === 'BODY' || node.tagName === 'HTML') break;
    const cached = cache.get(node);
    if (cached) {
      decision = cached;
      break;
    }
    if (node !== img) visited.push(node);
    decision = judgeNode(node, rules);
    if (decision !== 'unknown') break;
  }
  if (decision !== 'unknown') for (const v of visited) cache.set(v, decision);
  if (decision === 'unknown' && rules.ticketArea && size >= 100 && img.closest(rules.ticketArea) && inRefundContext(img)) return 'evidence';
  return decision;
}

/** Containers of a refund / after-sales ticket (where the generic fallback may apply). */
export const TICKET_AREA =
  '[class*="refund"], [class*="Refund"], [class*="dispute"], [class*="after-sale"], [class*="aftersale"], [class*="afterSale"], [class*="AfterSale"], [class*="return"], [class*="Return"], [data-refundlens-ticket]';

const PREVIEW_SELECTOR =
  '.ant-image-preview-img, [class*="image-preview"] img, [class*="ImagePreview"] img, [class*="imagePreview"] img, [class*="lightbox"] img, [class*="Lightbox"] img, .viewer-canvas img, .pswp__img, [role="dialog"] img';

/** Buyer photos under `root` by the rules above, plus preview/lightbox copies of them. */
export function findEvidence(root: ParentNode, rules: EvidenceRules, fullSize: (u: string) => string): HTMLImageElement[] {
  const out: HTMLImageElement[] = [];
  let imgs: NodeListOf<HTMLImageElement>;
  try {
    imgs = root.querySelectorAll('img');
  } catch {
    return out;
  }
  const cache = new Map<Element, Decision>();
  const accepted = new Set<string>();
  let skipped: Set<Element> | undefined;
  try {
    const s = root.querySelectorAll('[data-refundlens-skip] img, img[data-refundlens-skip]');
    if (s.length) skipped = new Set(s);
  } catch {
    /* ignore */
  }
  for (const img of imgs) {
    if (skipped?.has(img)) continue;
    try {
      const src = imageSource(img);
      if (!src || !urlMatches(src, rules.hosts)) continue;
      if (classify(img, src, rules, cache) === 'evidence') {
        out.push(img);
        accepted.add(fullSize(src));
      }
    } catch {
      /* fail safe: no button for this image */
    }
  }
  if (accepted.size) {
    try {
      for (const img of root.querySelectorAll<HTMLImageElement>(PREVIEW_SELECTOR)) {
        const src = imageSource(img);
        if (src && !out.includes(img) && accepted.has(fullSize(src))) out.push(img);
      }
    } catch {
      /* ignore */
    }
  }
  return out;
}

// ───────────────────────────── ticket facts ─────────────────────────────

export type TicketField = 'orderId' | 'refundId' | 'buyer' | 'orderedAt' | 'refundAt';

/** Field labels, matched against the whole (trimmed, colon-stripped) label text. */
export const TICKET_LABELS: Record<TicketField, RegExp> = {
  orderId: /^(?:订单号|订单编号|主订单号|父订单号|订单ID|订单id|淘宝订单号|京东订单号|order\s*(?:id|number|no\.?|#)|amazon\s+order\s+(?:id|number))$/i,
  refundId: /^(?:退款编号|退款单号|退款ID|售后单号|售后编号|售后单ID|售后ID|服务单号|服务单编号|退货单号|退款申请编号|return\s*(?:request\s*)?(?:id|number|#)|rma(?:\s*id|\s*number)?|(?:a-to-z\s*)?claim\s*(?:id|number)|refund\s*(?:id|number))$/i,
  buyer: /^(?:买家|买家昵称|买家账号|买家名称|买家ID|买家旺旺|用户昵称|用户名|顾客|客户|客户昵称|buyer|buyer\s*name|customer|customer\s*name)$/i,
  orderedAt: /^(?:下单时间|订单创建时间|创建时间|付款时间|支付时间|成交时间|order\s*date|purchase\s*date|ordered\s*on|placed\s*on|order\s*placed)$/i,
  refundAt: /^(?:申请时间|退款申请时间|售后申请时间|申请退款时间|发起时间|售后发起时间|退款时间|return\s*request(?:ed)?\s*date|return\s*requested(?:\s*on)?|request\s*date|requested\s*on|claim\s*date|claim\s*(?:filed|opened)(?:\s*on)?|return\s*date)$/i,
};

const ANY_ID_LABEL = /订单号|订单编号|售后单号|售后编号|退款编号|退款单号|服务单号|order\s*id|order\s*number|return\s*request|claim\s*id|rma/gi;

function normLabel(t: string): string {
  return t.replace(/[\s\u00a0]+/g, ' ').replace(/^[\s*·•]+|[\s:：]+$/g, '').trim();
}

function fieldOf(label: string, labels: Record<TicketField, RegExp>): TicketField | undefined {
  const l = normLabel(label);
  if (!l || l.length > 30) return undefined;
  for (const f of Object.keys(labels) as TicketField[]) if (labels[f].test(l)) return f;
  return undefined;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
function month(w: string): number {
  const l = w.toLowerCase();
  return l.length >= 3 ? MONTH_NAMES.findIndex((n) => n.startsWith(l)) + 1 : 0;
}
const p2 = (n: number) => String(n).padStart(2, '0');

export interface DateOptions {
  /** Offset appended to times shown without one, e.g. '+08:00' for Beijing time; omitted → local time. */
  tz?: string;
  /** Order of ambiguous numeric dates like 05/06/2024. */
  order?: 'mdy' | 'dmy';
}

/** A date/time as shown on a page → ISO 8601 ('2024-05-12', '2024-05-12T14:03:22+08:00'); undefined when not a date. */
export function parseShownDate(text: string, opts: DateOptions = {}): string | undefined {
  const s = text.replace(/[\s\u00a0]+/g, ' ').trim().slice(0, 80);
  let y = 0, mo = 0, d = 0;
  let rest = '';
  let m: RegExpExecArray | null;
  if ((m = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(.*)$/.exec(s))) {
    [y, mo, d] = [+m[1], +m[2], +m[3]];
    rest = m[4];
  } else if ((m = /(?:^|[^A-Za-z])([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(.*)$/.exec(s)) && month(m[1])) {
    [mo, d, y] = [month(m[1]), +m[2], +m[3]];
    rest = m[4];
  } else if ((m = /(?:^|\D)(\d{1,2})\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(.*)$/.exec(s)) && month(m[2])) {
    [d, mo, y] = [+m[1], month(m[2]), +m[3]];
    rest = m[4];
  } else if ((m = /(?:^|\D)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(.*)$/.exec(s))) {
    const a = +m[1], b = +m[2];
    if (a > 12 && b <= 12) [d, mo] = [a, b];
    else if (b > 12 && a <= 12) [mo, d] = [a, b];
    else if (opts.order === 'dmy') [d, mo] = [a, b];
    else if (opts.order === 'mdy') [mo, d] = [a, b];
    else return undefined;
    y = +m[3];
    rest = m[4];
  } else return undefined;
  if (y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const date = `${y}-${p2(mo)}-${p2(d)}`;
  const t = /(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|上午|下午)?/i.exec(rest);
  if (!t) return date;
  let h = +t[1];
  const mi = +t[2], se = t[3] ? +t[3] : 0;
  const ap = (t[4] ?? '').toLowerCase();
  if (/^(?:pm|p\.m\.|下午)$/.test(ap) && h < 12) h += 12;
  if (/^(?:am|a\.m\.|上午)$/.test(ap) && h === 12) h = 0;
  if (h > 23 || mi > 59 || se > 59) return date;
  return `${date}T${p2(h)}:${p2(mi)}:${p2(se)}${opts.tz ?? ''}`;
}

function cleanValue(field: TicketField, raw: string, dates: DateOptions, labels: Record<TicketField, RegExp>): string | undefined {
  const v = raw.replace(/[\s\u00a0]+/g, ' ').trim();
  if (!v || fieldOf(v, labels)) return undefined;
  if (field === 'orderId' || field === 'refundId') {
    const m = /[A-Za-z0-9][A-Za-z0-9_-]{3,63}/.exec(v);
    return m && /\d/.test(m[0]) ? m[0] : undefined;
  }
  if (field === 'buyer') {
    const b = v.replace(/(?:\s*(?:复制|联系买家|联系|旺旺|和我联系|copy|contact(?: buyer)?))+$/i, '').trim();
    return b && b.length <= 64 && /[\p{L}\p{N}]/u.test(b) ? b : undefined;
  }
  return parseShownDate(v, dates);
}

function readLabelled(scope: Node, dates: DateOptions, labels: Record<TicketField, RegExp>, into: TicketInfo, maxNodes = 5000): void {
  // Depth-first walk over text nodes (scripts, styles and our own UI skipped).
  const stack: Node[] = [scope];
  let pending: TicketField | undefined;
  let count = 0;
  const out = into as Record<TicketField, string | undefined>;
  while (stack.length && count < maxNodes) {
    const n = stack.pop()!;
    if (n.nodeType === 1) {
      const tag = (n as Element).tagName;
      if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT' || tag === 'TEMPLATE' || (n as Element).hasAttribute?.('data-refundlens')) continue;
      const kids = n.childNodes;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      continue;
    }
    if (n.nodeType === 9 || n.nodeType === 11) {
      const kids = n.childNodes;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      continue;
    }
    if (n.nodeType !== 3) continue;
    count++;
    const text = (n.textContent ?? '').trim();
    if (!text) continue;
    if (pending) {
      const v = cleanValue(pending, text, dates, labels);
      const f = pending;
      pending = undefined;
      if (v !== undefined) {
        if (out[f] === undefined) out[f] = v;
        continue;
      }
    }
    if (text.length > 80) continue;
    const colon = text.search(/[:：]/);
    if (colon > 0) {
      const f = fieldOf(text.slice(0, colon), labels);
      if (f) {
        const after = text.slice(colon + 1).trim();
        if (after) {
          const v = cleanValue(f, after, dates, labels);
          if (v !== undefined && out[f] === undefined) out[f] = v;
        } else pending = f;
        continue;
      }
    }
    const f = fieldOf(text, labels);
    if (f) {
      pending = f;
      continue;
    }
    // "订单号 3612…" without a colon: a short Chinese label, a space, the value (not for English,
    // where "Customer images" is a heading, not a name).
    const sp = /^([\u4e00-\u9fff]{2,8})\s+(\S.*)$/.exec(text);
    const g = sp && fieldOf(sp[1], labels);
    if (g) {
      const v = cleanValue(g, sp![2], dates, labels);
      if (v !== undefined && out[g] === undefined) out[g] = v;
    }
  }
}

const LABEL_HINT = /订单号|订单编号|售后单号|售后编号|退款编号|退款单号|服务单号|order\s*(?:id|number)|return\s*request|claim\s*id|rma/i;

/**
 * Ticket facts near `img`: the smallest ancestor that shows an order/refund label (one row of a
 * list page), then the whole page when it shows only one ticket. Attributes of
 * `[data-refundlens-ticket]` win over labels.
 */
export function readTicket(root: ParentNode, img: Element | undefined, dates: DateOptions, labels: Record<TicketField, RegExp> = TICKET_LABELS): TicketInfo {
  const info: TicketInfo = {};
  try {
    let scope: Node | undefined;
    for (let n = img?.parentElement ?? null, i = 0; n && i < 15; n = n.parentElement, i++) {
      if (LABEL_HINT.test(n.textContent ?? '')) {
        scope = n;
        break;
      }
    }
    if (scope) readLabelled(scope, dates, labels, info);
    const rootText = ((root as Node).nodeType === 9 ? (root as Document).documentElement?.textContent : (root as Node).textContent) ?? '';
    const many = (rootText.match(ANY_ID_LABEL) ?? []).length > 3;
    if (!scope || (!many && scope !== root)) readLabelled(root as Node, dates, labels, info);
  } catch {
    /* fail safe: whatever was read so far */
  }
  const attrs = ticketFromAttributes(root, img);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) (info as Record<string, string>)[k] = v;
  for (const k of Object.keys(info) as (keyof TicketInfo)[]) if (info[k] === undefined) delete info[k];
  return info;
}

// ───────────────────────────── adapter factory ─────────────────────────────

export interface PlatformSpec {
  id: string;
  name: string;
  matches: string[];
  imageHosts: string[];
  /** Rewrite a CDN thumbnail URL to its original. Never sees anything but a string; may throw (caught). */
  fullSize(url: string): string;
  /** Extra evidence headings of this platform (added to EVIDENCE_HEADINGS). */
  headings?: RegExp;
  evidenceParts?: string[];
  excludeParts?: string[];
  excludeSrc?: RegExp;
  productLink?: RegExp;
  ticketArea?: string;
  depth?: number;
  dates?: DateOptions;
  /** Extra field labels of this platform, as regex alternatives ('买家会员名|买家账号'), tested in addition to the shared ones. */
  labels?: Partial<Record<TicketField, string>>;
}

function union(a: RegExp, b?: RegExp): RegExp {
  return b ? new RegExp(`${a.source}|${b.source}`, 'i') : a;
}

export function defineAdapter(spec: PlatformSpec): SiteAdapter {
  const pages = compilePatterns(spec.matches);
  const rules: EvidenceRules = {
    hosts: compilePatterns(spec.imageHosts),
    headings: union(EVIDENCE_HEADINGS, spec.headings),
    evidenceParts: new Set([...EVIDENCE_PARTS, ...(spec.evidenceParts ?? [])]),
    excludeParts: new Set([...EXCLUDE_PARTS, ...(spec.excludeParts ?? [])]),
    excludeSrc: spec.excludeSrc,
    productLink: spec.productLink,
    ticketArea: spec.ticketArea,
    depth: spec.depth ?? 8,
  };
  const labels = { ...TICKET_LABELS };
  for (const [k, r] of Object.entries(spec.labels ?? {})) labels[k as TicketField] = new RegExp(`${TICKET_LABELS[k as TicketField].source}|^(?:${r})$`, 'i');
  const fullSizeUrl = (url: string): string => {
    try {
      const out = spec.fullSize(url);
      return typeof out === 'string' && out ? out : url;
    } catch {
      return url;
    }
  };
  return {
    id: spec.id,
    name: spec.name,
    matches: spec.matches,
    imageHosts: spec.imageHosts,
    appliesTo: (url) => urlMatches(url, pages),
    findBuyerPhotos: (root) => findEvidence(root, rules, fullSizeUrl),
    fullSizeUrl,
    photoUrl(img) {
      const src = imageSource(img);
      return src ? fullSizeUrl(src) : undefined;
    },
    ticketInfo: (root, img) => ({ site: spec.id, ...readTicket(root, img, spec.dates ?? {}, labels) }),
  };
}
