/**
 * Geometric verification: a similarity transform (scale, rotation, translation, optional mirror)
 * from query keypoints to reference keypoints, estimated with RANSAC over 2-point samples and
 * refined by least squares. Everything a fraudster does to a listing photo (resize, crop, rotate,
 * quarter turns, mirror, paste into a screenshot) is a similarity; a new photograph is not.
 */
import type { Features, Matches } from '../hash/features';
import { cropGray, mirrorGray, resizeGray, rotateGray, sampleBilinear, type Gray } from '../hash/gray';

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

/**
 * A query → reference map: an affine (6 numbers) or a homography (9 numbers, row-major 3×3, for
 * perspective: a photo of the listing on a screen taken at an angle, a tilted re-shoot).
 */
export type Transform = Affine | Homography;
export type Homography = [number, number, number, number, number, number, number, number, number];

/** Map (x, y) through T into `out` (no allocation in loops). */
export function applyTransform(T: Transform, x: number, y: number, out: [number, number]): [number, number] {
  if (T.length === 6) { out[0] = T[0] * x + T[1] * y + T[2]; out[1] = T[3] * x + T[4] * y + T[5]; return out; }
  const w = T[6] * x + T[7] * y + T[8];
  out[0] = (T[0] * x + T[1] * y + T[2]) / w; out[1] = (T[3] * x + T[4] * y + T[5]) / w;
  return out;
}

/** Linear scale of T at (x, y): square root of the Jacobian's determinant. */
export function transformScale(T: Transform, x: number, y: number): number {
  if (T.length === 6) return Math.sqrt(Math.abs(T[0] * T[4] - T[1] * T[3]));
  const w = T[6] * x + T[7] * y + T[8];
  const u = (T[0] * x + T[1] * y + T[2]) / w, v = (T[3] * x + T[4] * y + T[5]) / w;
  const a = (T[0] - u * T[6]) / w, b = (T[1] - u * T[7]) / w, c = (T[3] - v * T[6]) / w, d = (T[4] - v * T[7]) / w;
  return Math.sqrt(Math.abs(a * d - b * c));
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

// ---------------------------------------------------------------------------------------------
// Dense registration (texture-less pictures: no keypoints to match)
// ---------------------------------------------------------------------------------------------

/** Coarse search: pictures resized to this longest side; all 8 orientations, scales (steps of 6 %) and shifts (1 px). */
export const REG_COARSE_SIDE = 16;
/** Refinement levels (longest side) after the coarse search. */
export const REG_LEVELS = [32, 64, 128];
/** Query→reference scale range searched, relative to the scale that fits the query into the reference. */
export const REG_SCALE_RANGE: [number, number] = [0.5, 1.12];
/** Share of the query (content box) that must map inside the reference: a crop lies within it. */
export const REG_MIN_COVER = 0.9;
/** Coarse hypotheses refined at the first level (the best 2 go on to the finer ones). */
export const REG_HYPOTHESES = 6;
/**
 * Residuals are truncated at this share of the query's grey range (1st–99th percentile): an edit
 * (stain, sticker) costs its area, not its contrast.
 */
export const REG_TRUNCATE = 0.1;

export interface DenseFit {
  /** Analysis-size query px → reference px. */
  T: Affine;
  /** Mean truncated residual at the optimum, as a share of the truncation (0 = exact, 1 = nothing fits). */
  error: number;
  scale: number;
}

interface Hyp { o: number; a: number; tx: number; ty: number; e: number }

function orient(g: Gray, o: number): Gray {
  const m = o >= 4 ? mirrorGray(g) : g;
  return rotateGray(m, o & 3);
}

/** Orientation o (0..7: +4 = mirrored first, then o & 3 quarter turns clockwise) as an affine on a w × h box. */
function orientAffine(o: number, w: number, h: number): Affine {
  let A: Affine = [1, 0, 0, 0, 1, 0];
  let W = w, H = h;
  if (o >= 4) A = composeAffine([-1, 0, W - 1, 0, 1, 0], A);
  for (let k = 0; k < (o & 3); k++) {
    // clockwise quarter turn of a W × H box: (x, y) → (H − 1 − y, x)
    A = composeAffine([0, -1, H - 1, 1, 0, 0], A);
    [W, H] = [H, W];
  }
  return A;
}

/**
 * Mean truncated residual of the query level q against the reference level r mapped by
 * (a, tx, ty), after the least-squares gain and offset (a brightness/contrast change); as a share
 * of the truncation `c`. Undefined when less than REG_MIN_COVER of the query lands inside r.
 */
function errorAt(q: Gray, r: Gray, c: number, a: number, tx: number, ty: number, buf: Float32Array): number | undefined {
  const W = r.width - 1, H = r.height - 1, rw = r.width, rd = r.data, qd = q.data;
  let n = 0, total = 0, sq = 0, sr = 0, srr = 0, sqr = 0;
  for (let y = 0; y < q.height; y++) {
    const ry = a * y + ty;
    for (let x = 0; x < q.width; x++) {
      const i = y * q.width + x;
      total++;
      const rx = a * x + tx;
      if (rx < 0 || ry < 0 || rx > W || ry > H) { buf[i] = NaN; continue; }
      const x0 = Math.min(W - 1, rx | 0), y0 = Math.min(H - 1, ry | 0), fx = rx - x0, fy = ry - y0;
      const j = y0 * rw + x0;
      const u = (rd[j] * (1 - fx) + rd[j + 1] * fx) * (1 - fy) + (rd[j + rw] * (1 - fx) + rd[j + rw + 1] * fx) * fy;
      buf[i] = u;
      const v = qd[i];
      n++; sq += v; sr += u; srr += u * u; sqr += v * u;
    }
  }
  if (n < REG_MIN_COVER * total || n < 16) return undefined;
  let vr = srr - (sr * sr) / n;
  let g = vr > 1e-6 ? (sqr - (sq * sr) / n) / vr : 0;
  if (g < 0) g = 0;
  let o = (sq - g * sr) / n;
  // refit on the pixels that fit (an edit must not bend the gain and offset)
  let m = 0; sq = 0; sr = 0; srr = 0; sqr = 0;
  for (let i = 0; i < qd.length; i++) {
    const u = buf[i];
    if (u !== u) continue;
    const v = qd[i];
    if (Math.abs(v - g * u - o) >= c) continue;
    m++; sq += v; sr += u; srr += u * u; sqr += v * u;
  }
  if (m > n / 2) {
    vr = srr - (sr * sr) / m;
    g = vr > 1e-6 ? Math.max(0, (sqr - (sq * sr) / m) / vr) : 0;
    o = (sq - g * sr) / m;
  }
  let e = 0;
  for (let i = 0; i < qd.length; i++) {
    const u = buf[i];
    if (u !== u) continue; // NaN: outside
    const d = Math.abs(qd[i] - g * u - o);
    e += d < c ? d : c;
  }
  return e / (n * c);
}

function levelOf(g: Gray, side: number): Gray {
  const s = side / Math.max(g.width, g.height);
  return s >= 1 ? g : resizeGray(g, g.width * s, g.height * s);
}

function greyRange(g: Gray): number {
  const v = Float32Array.from(g.data).sort();
  return v[Math.floor(v.length * 0.99)] - v[Math.floor(v.length * 0.01)];
}

/** The best `k` hypotheses, dropping any within 10 % scale and `d` level pixels of a better one. */
function distinct(hyps: Hyp[], k: number, d: number): Hyp[] {
  hyps.sort((p, q) => p.e - q.e);
  const keep: Hyp[] = [];
  for (const h of hyps) {
    if (keep.some((b) => b.o === h.o && Math.abs(b.a / h.a - 1) < 0.1 && Math.abs(b.tx - h.tx) < d && Math.abs(b.ty - h.ty) < d)) continue;
    keep.push(h);
    if (keep.length >= k) break;
  }
  return keep;
}

/** Coordinate-descent moves: scale, x shift, y shift, each both ways. */
const STEPS = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]];

/**
 * Similarity (with quarter turns and mirror) taking the query's content box `box` into the
 * reference: exhaustive search over orientation, scale and shift at REG_COARSE_SIDE, then local
 * refinement level by level, minimising the truncated grey residual after gain and offset. For
 * pictures without keypoints; the caller verifies the fit densely (diff.ts).
 */
export function registerDense(query: Gray, ref: Gray, box?: [number, number, number, number]): DenseFit | undefined {
  const [bx0, by0, bx1, by1] = box ?? [0, 0, query.width, query.height];
  const content = cropGray(query, bx0, by0, bx1, by1);
  const top = REG_LEVELS[REG_LEVELS.length - 1];
  const cTop = levelOf(content, top), rTop = levelOf(ref, top);
  const c = Math.max(2, REG_TRUNCATE * greyRange(cTop));
  const rLv = new Map<number, Gray>(), qLv = new Map<number, Gray>();
  const refLevel = (side: number) => {
    let v = rLv.get(side);
    if (!v) { v = levelOf(rTop, side); rLv.set(side, v); }
    return v;
  };
  const qLevel = (o: number, side: number) => {
    let v = qLv.get(o * 100000 + side);
    if (!v) { v = levelOf(orient(cTop, o), side); qLv.set(o * 100000 + side, v); }
    return v;
  };
  const buf = new Float32Array(cTop.width * cTop.height);
  // coarse: every orientation, scale and shift
  const rC = refLevel(REG_COARSE_SIDE);
  let hyps: Hyp[] = [];
  for (let o = 0; o < 8; o++) {
    const qo = qLevel(o, REG_COARSE_SIDE);
    const fit = Math.min((rC.width - 1) / (qo.width - 1), (rC.height - 1) / (qo.height - 1));
    // the whole picture (the commonest copy), centred, then every scale and shift
    const e0 = errorAt(qo, rC, c, fit, (rC.width - 1 - fit * (qo.width - 1)) / 2, (rC.height - 1 - fit * (qo.height - 1)) / 2, buf);
    if (e0 !== undefined) hyps.push({ o, a: fit, tx: (rC.width - 1 - fit * (qo.width - 1)) / 2, ty: (rC.height - 1 - fit * (qo.height - 1)) / 2, e: e0 });
    for (let a = fit * REG_SCALE_RANGE[0]; a <= fit * REG_SCALE_RANGE[1]; a *= 1.06) {
      const mx = rC.width - 1 - a * (qo.width - 1), my = rC.height - 1 - a * (qo.height - 1);
      for (let ty = Math.min(0, my) - 1; ty <= Math.max(0, my) + 1; ty += 1) {
        for (let tx = Math.min(0, mx) - 1; tx <= Math.max(0, mx) + 1; tx += 1) {
          const e = errorAt(qo, rC, c, a, tx, ty, buf);
          if (e !== undefined) hyps.push({ o, a, tx, ty, e });
        }
      }
    }
  }
  if (!hyps.length) return undefined;
  hyps = distinct(hyps, REG_HYPOTHESES, 2);
  // refine level by level (coordinate descent, halving steps)
  let prev = REG_COARSE_SIDE;
  for (const side of REG_LEVELS) {
    const r = refLevel(side), rPrev = refLevel(prev);
    const f = r.width / rPrev.width;
    for (const h of hyps) {
      const q = qLevel(h.o, side), g = q.width / qLevel(h.o, prev).width;
      let a = (f * h.a) / g, tx = f * h.tx, ty = f * h.ty;
      let best = errorAt(q, r, c, a, tx, ty, buf) ?? Infinity;
      // the previous level converged to a quarter of its pixel: half a pixel here
      let step = side === REG_LEVELS[0] ? 1 : 0.5;
      for (let it = 0; it < 16; it++) {
        let moved = false;
        const ds = step / Math.max(q.width, q.height);
        for (const [da, dx, dy] of STEPS) {
          const a2 = a * (1 + da * ds), tx2 = tx + dx * step, ty2 = ty + dy * step;
          const e = errorAt(q, r, c, a2, tx2, ty2, buf);
          if (e !== undefined && e < best) { best = e; a = a2; tx = tx2; ty = ty2; moved = true; }
        }
        if (!moved) { if (step <= 0.25) break; step /= 2; }
      }
      Object.assign(h, { a, tx, ty, e: best });
    }
    // REG_HYPOTHESES refined at the first level, 2 at the next ones, 1 kept at the end
    hyps = distinct(hyps, side === top ? 1 : 2, 2 * f);
    prev = side;
  }
  const h = hyps[0];
  if (!Number.isFinite(h.e)) return undefined;
  const q = qLevel(h.o, top), r = refLevel(top);
  // compose: analysis px → content px → oriented content px → level px → reference level px → reference px
  const sq = q.width / (h.o & 1 ? content.height : content.width), sr = ref.width / r.width;
  let T: Affine = [1, 0, -bx0, 0, 1, -by0];
  T = composeAffine(orientAffine(h.o, content.width, content.height), T);
  T = composeAffine([sq, 0, 0.5 * sq - 0.5, 0, sq, 0.5 * sq - 0.5], T);
  T = composeAffine([h.a, 0, h.tx, 0, h.a, h.ty], T);
  T = composeAffine([sr, 0, 0.5 * sr - 0.5, 0, sr, 0.5 * sr - 0.5], T);
  return { T, error: h.e, scale: h.a * sq * sr };
}

// ---------------------------------------------------------------------------------------------
// Perspective: homography from keypoint matches
// ---------------------------------------------------------------------------------------------

/** RANSAC iterations (4-point samples) for the homography. */
export const HOMOGRAPHY_ITERATIONS = 400;
/** Inlier tolerance of the homography, as a multiple of RANSAC_TOLERANCE × keypoint size. */
export const HOMOGRAPHY_TOLERANCE = 1.5;
/** Largest perspective: |h6|, |h7| × the query's longest side (a 45° tilt is about 0.5). */
export const HOMOGRAPHY_MAX_PERSPECTIVE = 0.6;

export interface HomographyFit {
  H: Homography;
  mirror: boolean;
  inliers: number;
  /** RMS reprojection error in reference pixels, and in keypoint pixels (see SimilarityFit). */
  rms: number;
  nrms: number;
}

/** Solve the 4-point homography from matches i0..i3 (query → reference). */
function h4(qx: Float64Array, qy: Float64Array, rx: Float64Array, ry: Float64Array, s: number[]): Homography | undefined {
  const A = new Float64Array(64), b = new Float64Array(8);
  for (let k = 0; k < 4; k++) {
    const x = qx[s[k]], y = qy[s[k]], u = rx[s[k]], v = ry[s[k]];
    A.set([x, y, 1, 0, 0, 0, -u * x, -u * y], 2 * k * 8); b[2 * k] = u;
    A.set([0, 0, 0, x, y, 1, -v * x, -v * y], (2 * k + 1) * 8); b[2 * k + 1] = v;
  }
  const h = solveLinear(A, b, 8);
  return h ? [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1] : undefined;
}

/** Gaussian elimination with partial pivoting (n ≤ 10). */
export function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const M = new Float64Array(n * (n + 1));
  for (let r = 0; r < n; r++) { for (let c = 0; c < n; c++) M[r * (n + 1) + c] = A[r * n + c]; M[r * (n + 1) + n] = b[r]; }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * (n + 1) + c]) > Math.abs(M[p * (n + 1) + c])) p = r;
    if (Math.abs(M[p * (n + 1) + c]) < 1e-12) return undefined;
    if (p !== c) for (let k = 0; k <= n; k++) { const t = M[c * (n + 1) + k]; M[c * (n + 1) + k] = M[p * (n + 1) + k]; M[p * (n + 1) + k] = t; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r * (n + 1) + c] / M[c * (n + 1) + c];
      if (f === 0) continue;
      for (let k = c; k <= n; k++) M[r * (n + 1) + k] -= f * M[c * (n + 1) + k];
    }
  }
  const x = new Float64Array(n);
  for (let r = 0; r < n; r++) x[r] = M[r * (n + 1) + n] / M[r * (n + 1) + r];
  return x;
}

/** A plausible query → reference homography: orientation kept, corners convex, scale in range, little perspective. */
function plausible(H: Homography, W: number, Hh: number): boolean {
  const L = Math.max(W, Hh);
  if (Math.abs(H[6]) * L > HOMOGRAPHY_MAX_PERSPECTIVE || Math.abs(H[7]) * L > HOMOGRAPHY_MAX_PERSPECTIVE) return false;
  const c = [[0, 0], [W, 0], [W, Hh], [0, Hh]].map(([x, y]) => {
    const w = H[6] * x + H[7] * y + H[8];
    return w > 0 ? [(H[0] * x + H[1] * y + H[2]) / w, (H[3] * x + H[4] * y + H[5]) / w] : [NaN, NaN];
  });
  let sign = 0;
  for (let k = 0; k < 4; k++) {
    const [ax, ay] = c[k], [bx, by] = c[(k + 1) % 4], [cx, cy] = c[(k + 2) % 4];
    const cr = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (!Number.isFinite(cr) || cr === 0) return false;
    if (sign === 0) sign = Math.sign(cr); else if (Math.sign(cr) !== sign) return false;
  }
  const s = Math.sqrt(Math.abs(H[0] * H[4] - H[1] * H[3]));
  return s >= SCALE_RANGE[0] && s <= SCALE_RANGE[1];
}

/**
 * Fit a query→reference homography (perspective) to descriptor matches with 4-point RANSAC and a
 * least-squares refinement on the inliers (linear DLT with h22 = 1). With `mirror`, query x is
 * reflected first (matches from the mirror descriptors) and the reflection folded into H.
 */
export function fitHomography(q: Features, r: Features, m: Matches, mirror: boolean): HomographyFit | undefined {
  const n = m.n;
  if (n < 8) return undefined;
  const W = q.width;
  const qx = new Float64Array(n), qy = new Float64Array(n), rx = new Float64Array(n), ry = new Float64Array(n), tol2 = new Float64Array(n), ks = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = m.q[k], j = m.r[k];
    qx[k] = mirror ? W - 1 - q.x[i] : q.x[i]; qy[k] = q.y[i];
    rx[k] = r.x[j]; ry[k] = r.y[j];
    ks[k] = Math.max(r.size[j], 1e-3);
    const t = HOMOGRAPHY_TOLERANCE * RANSAC_TOLERANCE * ks[k];
    tol2[k] = t * t;
  }
  const count = (H: Homography, sel?: number[]): number => {
    let c = 0;
    for (let k = 0; k < n; k++) {
      const w = H[6] * qx[k] + H[7] * qy[k] + H[8];
      if (w <= 0) continue;
      const ex = (H[0] * qx[k] + H[1] * qy[k] + H[2]) / w - rx[k], ey = (H[3] * qx[k] + H[4] * qy[k] + H[5]) / w - ry[k];
      if (ex * ex + ey * ey <= tol2[k]) { c++; sel?.push(k); }
    }
    return c;
  };
  seed = 987654;
  let best: Homography | undefined, bestCount = 0;
  const Hq = q.height;
  for (let it = 0; it < HOMOGRAPHY_ITERATIONS; it++) {
    const s = [rnd(n), rnd(n), rnd(n), rnd(n)];
    if (new Set(s).size < 4) continue;
    // spread: the four query points must not be nearly collinear or clustered
    let minD = Infinity;
    for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) minD = Math.min(minD, Math.hypot(qx[s[a]] - qx[s[b]], qy[s[a]] - qy[s[b]]));
    if (minD < 0.05 * Math.max(W, Hq)) continue;
    const H = h4(qx, qy, rx, ry, s);
    if (!H || !plausible(H, W, Hq)) continue;
    const c = count(H);
    if (c > bestCount) { bestCount = c; best = H; if (c > 0.8 * n && it > 50) break; }
  }
  if (!best || bestCount < 8) return undefined;
  // least squares (DLT, h22 = 1) on the inliers, three passes
  let H = best;
  let sel: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    sel = [];
    count(H, sel);
    if (sel.length < 8) return undefined;
    // normalise for conditioning
    let mx = 0, my = 0, ux = 0, uy = 0;
    for (const k of sel) { mx += qx[k]; my += qy[k]; ux += rx[k]; uy += ry[k]; }
    mx /= sel.length; my /= sel.length; ux /= sel.length; uy /= sel.length;
    let sq = 0, sr = 0;
    for (const k of sel) { sq += Math.hypot(qx[k] - mx, qy[k] - my); sr += Math.hypot(rx[k] - ux, ry[k] - uy); }
    sq = sq / sel.length || 1; sr = sr / sel.length || 1;
    const AtA = new Float64Array(64), Atb = new Float64Array(8);
    const row = new Float64Array(8);
    for (const k of sel) {
      const x = (qx[k] - mx) / sq, y = (qy[k] - my) / sq, u = (rx[k] - ux) / sr, v = (ry[k] - uy) / sr;
      for (const [coef, rhs] of [[[x, y, 1, 0, 0, 0, -u * x, -u * y], u], [[0, 0, 0, x, y, 1, -v * x, -v * y], v]] as const) {
        row.set(coef);
        for (let a = 0; a < 8; a++) { Atb[a] += row[a] * rhs; for (let b = 0; b < 8; b++) AtA[a * 8 + b] += row[a] * row[b]; }
      }
    }
    const h = solveLinear(AtA, Atb, 8);
    if (!h) break;
    // denormalise: H = Tr⁻¹ · Hn · Tq
    const Hn = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1];
    const Tq = [1 / sq, 0, -mx / sq, 0, 1 / sq, -my / sq, 0, 0, 1];
    const Tri = [sr, 0, ux, 0, sr, uy, 0, 0, 1];
    const mul = (A: number[], B: number[]) => { const o = new Array(9).fill(0); for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) o[a * 3 + b] += A[a * 3 + c] * B[c * 3 + b]; return o; };
    const Hd = mul(Tri, mul(Hn, Tq));
    const Hc = Hd.map((v) => v / Hd[8]) as Homography;
    if (!plausible(Hc, W, Hq)) break;
    H = Hc;
  }
  sel = [];
  count(H, sel);
  if (sel.length < 8) return undefined;
  let e2 = 0, n2 = 0;
  for (const k of sel) {
    const w = H[6] * qx[k] + H[7] * qy[k] + H[8];
    const ex = (H[0] * qx[k] + H[1] * qy[k] + H[2]) / w - rx[k], ey = (H[3] * qx[k] + H[4] * qy[k] + H[5]) / w - ry[k];
    e2 += ex * ex + ey * ey;
    n2 += (ex * ex + ey * ey) / (ks[k] * ks[k]);
  }
  if (mirror) {
    // fold x → W−1−x into H: H · [−1 0 W−1; 0 1 0; 0 0 1]
    H = [-H[0], H[1], H[0] * (W - 1) + H[2], -H[3], H[4], H[3] * (W - 1) + H[5], -H[6], H[7], H[6] * (W - 1) + H[8]];
    H = H.map((v) => v / H[8]) as Homography;
  }
  return { H, mirror, inliers: sel.length, rms: Math.sqrt(e2 / sel.length), nrms: Math.sqrt(n2 / sel.length) };
}
