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
