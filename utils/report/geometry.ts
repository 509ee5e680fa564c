/**
 * Inverse of the affine part of a 3×3 row-major transform [a b c; d e f; 0 0 1]
 * (the match's query → reference homography is affine). Undefined when singular or not finite.
 */
export function invertAffine(h: number[]): number[] | undefined {
  const [a, b, c, d, e, f] = h;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const inv = [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det, 0, 0, 1];
  return inv.every(Number.isFinite) ? inv : undefined;
}

/** Apply a 3×3 row-major affine transform to a point. */
export function applyAffine(h: number[], x: number, y: number): [number, number] {
  return [h[0] * x + h[1] * y + h[2], h[3] * x + h[4] * y + h[5]];
}

/**
 * Boxes that touch or lie within `gap` pixels of each other, merged into their union (repeated
 * until stable). For display only: a crack found as 39 small cells reads as one marked area.
 */
export function mergeBoxes(boxes: number[][], gap = 0): [number, number, number, number][] {
  let cur = boxes.map((b) => [b[0], b[1], b[2], b[3]] as [number, number, number, number]);
  for (let changed = true; changed;) {
    changed = false;
    const out: [number, number, number, number][] = [];
    for (const b of cur) {
      const hit = out.find((o) => b[0] <= o[2] + gap && o[0] <= b[2] + gap && b[1] <= o[3] + gap && o[1] <= b[3] + gap);
      if (hit) {
        hit[0] = Math.min(hit[0], b[0]); hit[1] = Math.min(hit[1], b[1]);
        hit[2] = Math.max(hit[2], b[2]); hit[3] = Math.max(hit[3], b[3]);
        changed = true;
      } else {
        out.push([...b]);
      }
    }
    cur = out;
  }
  return cur;
}
