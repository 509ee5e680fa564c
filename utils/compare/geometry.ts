/**
 * Geometric verification: a similarity transform (scale, rotation, translation, optional mirror)
 * from query keypoints to reference keypoints, estimated with RANSAC over 2-point samples and
 * refined by least squares. Everything a fraudster does to a listing photo (resize, crop, rotate,
 * quarter turns, mirror, paste into a screenshot) is a similarity; a new photograph is not.
 */
import type { Features, Matches } from '../hash/features';

/** 2×3 affine, row-major [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
export type Affine = [number, number, number, number, number, number];

/** RANSAC iterations (2-point samples). */
export const RANSAC_ITERATIONS = 600;
/** Inlier reprojection tolerance, in level-0 feature pixels of the reference (× keypoint size). */
export const RANSAC_TOLERANCE = 3;
/** Allowed difference between the model rotation and a match's keypoint angle difference. */
export const RANSAC_ANGLE_TOLERANCE = (25 * Math.PI) / 180;
/** Plausible query→reference scale range (query analysis px → reference working px). */
export const SCALE_RANGE: [number, number] = [0.08, 12];

export interface SimilarityFit {
  T: Affine;
  mirror: boolean;
  inliers: number;
  /** Indices into the match list. */
  inlierIdx: Int32Array;
  /** RMS reprojection error of inliers, in reference pixels. */
  rms: number;
  /**
   * RMS reprojection error in units of each reference keypoint's own pixel size (scale-free): a copy
   * maps its keypoints to well under one pixel of their pyramid level; a re-shoot (perspective,
   * parallax, lens) scatters them over the whole RANSAC tolerance.
   */
  nrms: number;
  scale: number;
  /** Rotation in degrees (after the optional mirror). */
  rotation: number;
}

export function applyAffine(T: Affine, x: number, y: number): [number, number] {
  return [T[0] * x + T[1] * y + T[2], T[3] * x + T[4] * y + T[5]];
}

export function invertAffine(T: Affine): Affine {
  const [a, b, c, d, e, f] = T;
  const det = a * e - b * d;
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Compose: first P then Q. */
export function composeAffine(Q: Affine, P: Affine): Affine {
  return [
    Q[0] * P[0] + Q[1] * P[3], Q[0] * P[1] + Q[1] * P[4], Q[0] * P[2] + Q[1] * P[5] + Q[2],
    Q[3] * P[0] + Q[4] * P[3], Q[3] * P[1] + Q[4] * P[4], Q[3] * P[2] + Q[4] * P[5] + Q[5],
  ];
}

let seed = 12345;
function rnd(n: number): number {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}

const wrap = (a: number) => {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a < -Math.PI) a += 2 * Math.PI;
  return a;
};

/**
 * Fit query→reference similarity. With `mirror`, query x is reflected (x → W−1−x) first and the
 * query keypoint angles become π − θ (the matches must come from the mirror descriptors).
 */
export function fitSimilarity(q: Features, r: Features, m: Matches, mirror: boolean): SimilarityFit | undefined {
  const n = m.n;
  if (n < 3) return undefined;
  const W = q.width;
  const qx = new Float64Array(n), qy = new Float64Array(n), rx = new Float64Array(n), ry = new Float64Array(n);
  const dang = new Float64Array(n), tol2 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = m.q[k], j = m.r[k];
    qx[k] = mirror ? W - 1 - q.x[i] : q.x[i];
    qy[k] = q.y[i];
    rx[k] = r.x[j]; ry[k] = r.y[j];
    const qa = mirror ? Math.PI - q.angle[i] : q.angle[i];
    dang[k] = wrap(r.angle[j] - qa);
    const t = RANSAC_TOLERANCE * Math.max(r.size[j], 1e-3);
    tol2[k] = t * t;
  }
  seed = 12345;
  let bestCount = 0, bestA = 0, bestB = 0, bestTx = 0, bestTy = 0;
  const iters = Math.min(RANSAC_ITERATIONS, (n * (n - 1)) / 2 * 2);
  for (let it = 0; it < iters; it++) {
    const i = rnd(n);
    let j = rnd(n);
    if (i === j) j = (j + 1) % n;
    const dqx = qx[j] - qx[i], dqy = qy[j] - qy[i];
    const dq2 = dqx * dqx + dqy * dqy;
    if (dq2 < 25) continue;
    const drx = rx[j] - rx[i], dry = ry[j] - ry[i];
    // complex division (dr / dq)
    const a = (drx * dqx + dry * dqy) / dq2, b = (dry * dqx - drx * dqy) / dq2;
    const s = Math.hypot(a, b);
    if (s < SCALE_RANGE[0] || s > SCALE_RANGE[1]) continue;
    const th = Math.atan2(b, a);
    if (Math.abs(wrap(dang[i] - th)) > RANSAC_ANGLE_TOLERANCE || Math.abs(wrap(dang[j] - th)) > RANSAC_ANGLE_TOLERANCE) continue;
    const tx = rx[i] - (a * qx[i] - b * qy[i]), ty = ry[i] - (b * qx[i] + a * qy[i]);
    let count = 0;
    for (let k = 0; k < n; k++) {
      const ex = a * qx[k] - b * qy[k] + tx - rx[k], ey = b * qx[k] + a * qy[k] + ty - ry[k];
      if (ex * ex + ey * ey <= tol2[k] && Math.abs(wrap(dang[k] - th)) <= RANSAC_ANGLE_TOLERANCE) count++;
    }
    if (count > bestCount) {
      bestCount = count; bestA = a; bestB = b; bestTx = tx; bestTy = ty;
      if (count > 0.8 * n && it > 50) break;
    }
  }
  if (bestCount < 3) return undefined;
  // refine: least squares on inliers, twice
  let a = bestA, b = bestB, tx = bestTx, ty = bestTy;
  let idx = new Int32Array(0);
  let rms = 0, nrms = 0;
  for (let pass = 0; pass < 3; pass++) {
    const th = Math.atan2(b, a);
    const sel: number[] = [];
    for (let k = 0; k < n; k++) {
      const ex = a * qx[k] - b * qy[k] + tx - rx[k], ey = b * qx[k] + a * qy[k] + ty - ry[k];
      if (ex * ex + ey * ey <= tol2[k] * (pass === 0 ? 1 : 1.5) && Math.abs(wrap(dang[k] - th)) <= RANSAC_ANGLE_TOLERANCE) sel.push(k);
    }
    if (sel.length < 3) break;
    idx = Int32Array.from(sel);
    let mx = 0, my = 0, nx = 0, ny = 0;
    for (const k of sel) { mx += qx[k]; my += qy[k]; nx += rx[k]; ny += ry[k]; }
    mx /= sel.length; my /= sel.length; nx /= sel.length; ny /= sel.length;
    let sxx = 0, sab = 0, sbb = 0;
    for (const k of sel) {
      const px = qx[k] - mx, py = qy[k] - my, ux = rx[k] - nx, uy = ry[k] - ny;
      sxx += px * px + py * py; sab += px * ux + py * uy; sbb += px * uy - py * ux;
    }
    if (sxx <= 0) break;
    a = sab / sxx; b = sbb / sxx;
    tx = nx - (a * mx - b * my); ty = ny - (b * mx + a * my);
    let e2 = 0, n2 = 0;
    for (const k of sel) {
      const ex = a * qx[k] - b * qy[k] + tx - rx[k], ey = b * qx[k] + a * qy[k] + ty - ry[k];
      e2 += ex * ex + ey * ey;
      n2 += ((ex * ex + ey * ey) / tol2[k]) * RANSAC_TOLERANCE * RANSAC_TOLERANCE;
    }
    rms = Math.sqrt(e2 / sel.length);
    nrms = Math.sqrt(n2 / sel.length);
  }
  if (idx.length < 3) return undefined;
  // similarity on (possibly mirrored) query coordinates; fold the mirror into T
  let T: Affine = [a, -b, tx, b, a, ty];
  if (mirror) T = composeAffine(T, [-1, 0, W - 1, 0, 1, 0]);
  return {
    T, mirror, inliers: idx.length, inlierIdx: idx, rms, nrms,
    scale: Math.hypot(a, b), rotation: (Math.atan2(b, a) * 180) / Math.PI,
  };
}
