/**
 * Where a floating card goes next to its photo: pure geometry (viewport pixels), no DOM, so it
 * is tested in Node. The card never moves the page's own elements: it is drawn `position: fixed`
 * at the point this returns, and placed again on scroll and resize.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export type Side = 'right' | 'left' | 'below' | 'above';

export interface Placement {
  left: number;
  top: number;
  side: Side;
}

/** Gap between the photo and the card, and the card and the viewport edge (CSS pixels). */
export const GAP = 8;
export const EDGE = 8;

const ORDER: Side[] = ['right', 'left', 'below', 'above'];

function clamp(v: number, lo: number, hi: number): number {
  return hi < lo ? lo : Math.min(hi, Math.max(lo, v));
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The card's position on one side of the anchor, slid along that side to stay in the viewport
 * (but never so far that it leaves the anchor's span: it follows its photo off screen). */
function onSide(side: Side, a: Rect, card: { width: number; height: number }, vw: number, vh: number): Rect {
  const { width: w, height: h } = card;
  if (side === 'right' || side === 'left') {
    const left = side === 'right' ? a.left + a.width + GAP : a.left - GAP - w;
    const lo = Math.max(EDGE, a.top - h + 24);
    const hi = Math.min(vh - EDGE - h, a.top + a.height - 24);
    return { left, top: clamp(a.top, lo, hi), width: w, height: h };
  }
  const top = side === 'below' ? a.top + a.height + GAP : a.top - GAP - h;
  const lo = Math.max(EDGE, a.left - w + 24);
  const hi = Math.min(vw - EDGE - w, a.left + a.width - 24);
  return { left: clamp(a.left, lo, hi), top, width: w, height: h };
}

function inside(r: Rect, vw: number, vh: number): boolean {
  return r.left >= EDGE - 0.5 && r.top >= EDGE - 0.5 && r.left + r.width <= vw - EDGE + 0.5 && r.top + r.height <= vh - EDGE + 0.5;
}

/**
 * Best side for a card of `card` size next to `anchor` in a `viewport`: first the sides where it
 * fits inside the viewport, among them the one covering least of `avoid` (other photos' buttons,
 * other open panels), in the order right, left, below, above. When it fits nowhere (a photo as
 * large as the window), the card is laid over the photo's right edge, inside the viewport.
 */
export function placeCard(anchor: Rect, card: { width: number; height: number }, viewport: { width: number; height: number }, avoid: Rect[] = []): Placement {
  const { width: vw, height: vh } = viewport;
  let best: { p: Placement; cost: number } | undefined;
  ORDER.forEach((side, i) => {
    const r = onSide(side, anchor, card, vw, vh);
    if (!inside(r, vw, vh)) return;
    const cost = avoid.reduce((s, a) => s + overlap(r, a), 0) * 10 + i;
    if (!best || cost < best.cost) best = { p: { left: r.left, top: r.top, side }, cost };
  });
  if (best) return best.p;
  return {
    left: clamp(anchor.left + anchor.width - card.width, EDGE, vw - EDGE - card.width),
    top: clamp(anchor.top, EDGE, vh - EDGE - card.height),
    side: 'right',
  };
}

/** True when any part of `r` is inside the viewport. */
export function visibleIn(r: Rect, viewport: { width: number; height: number }): boolean {
  return r.left + r.width > 0 && r.top + r.height > 0 && r.left < viewport.width && r.top < viewport.height;
}
