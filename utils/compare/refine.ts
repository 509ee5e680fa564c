/**
 * Dense refinement of an alignment to a homography (perspective), by robust Gauss–Newton on grey
 * levels.
 *
 *   model     the query→reference homography is parametrised by where the four corners of the
 *             query land in the reference (8 numbers), plus a gain and an offset of grey levels
 *             (colour shifts); the start is the keypoint / global-hash alignment (affine)
 *   pixels    the query is resized to REFINE_SIDE (then REFINE_SIDE_FINE); only its REFINE_SAMPLES
 *             most textured pixels take part (flat areas carry no geometry)
 *   robust    Tukey weights with a scale of REFINE_TUKEY × the median absolute residual: an edit, a
 *             sticker or a clipped colour area drops out instead of pulling the fit
 *   accept    the refined homography is kept only when its robust residual is lower than the start's
 * A copy under perspective (a listing photographed on a screen at an angle, a tilted re-shoot of a
 * flat print) is then registered to a fraction of a pixel, so the difference map sees thin cracks
 * rather than misregistered edges.
 */
import { blurGray, resizeGrayShared, sampleBilinear, type Gray } from '../hash/gray';
import { applyTransform, transformScale, type Homography, type Transform } from './geometry';

export const REFINE_SIDE = 256;
export const REFINE_SIDE_FINE = 512;
export const REFINE_SAMPLES = 6000;
export const REFINE_ITERATIONS = 8;
export const REFINE_ITERATIONS_FINE = 3;
export const REFINE_TUKEY = 4.685 * 1.4826;

export interface RefineResult {
  H: Homography;
  /** Robust residual (grey levels, median absolute) before and after. */
  before: number;
  after: number;
  /** Largest corner displacement from the start, in reference pixels. */
  moved: number;
}

/** Homography as a 9-vector from an affine or homography transform. */
export function toHomography(T: Transform): Homography {
  return T.length === 9 ? [...T] as Homography : [T[0], T[1], T[2], T[3], T[4], T[5], 0, 0, 1];
}

/** Solve A x = b (n×n, row-major, partial pivoting); undefined when singular. */
export function solve(A: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
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

/** The homography taking the four points `src` to `dst` (each [x0,y0,…,x3,y3]). */
export function homographyFrom4(src: ArrayLike<number>, dst: ArrayLike<number>): Homography | undefined {
  const A = new Float64Array(64), b = new Float64Array(8);
  for (let k = 0; k < 4; k++) {
    const x = src[2 * k], y = src[2 * k + 1], u = dst[2 * k], v = dst[2 * k + 1];
    const r1 = 2 * k, r2 = 2 * k + 1;
    A.set([x, y, 1, 0, 0, 0, -u * x, -u * y], r1 * 8); b[r1] = u;
    A.set([0, 0, 0, x, y, 1, -v * x, -v * y], r2 * 8); b[r2] = v;
  }
  const h = solve(A, b, 8);
  return h ? [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1] : undefined;
}

/** Median of |values| via a 0.25-grey-level histogram (0..255). */
function medianAbs(v: Float64Array, ok: Uint8Array, m: number): number {
  const hist = new Uint32Array(1024);
  let n = 0;
  for (let j = 0; j < m; j++) if (ok[j]) { hist[Math.min(1023, (Math.abs(v[j]) * 4) | 0)]++; n++; }
  if (!n) return Infinity;
  for (let b = 0, acc = 0; b < 1024; b++) { acc += hist[b]; if (acc * 2 >= n) return (b + 0.5) / 4; }
  return 256;
}

function mul3(A: ArrayLike<number>, B: ArrayLike<number>): Homography {
  const o = new Array(9).fill(0) as Homography;
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) o[r * 3 + c] = A[r * 3] * B[c] + A[r * 3 + 1] * B[3 + c] + A[r * 3 + 2] * B[6 + c];
  return o;
}

/**
 * Refine `T0` (query analysis px → reference working px) to a homography registering `query` on
 * `ref`. Returns undefined when it could not improve on T0. Updates are compositional in normalised
 * reference coordinates (H ← N⁻¹ (I + D) N H), so the Jacobian is analytic.
 */
export function refineHomography(query: Gray, ref: Gray, T0: Transform): RefineResult | undefined {
  const W = query.width, Hq = query.height;
  let H = toHomography(T0);
  const start = H.slice() as Homography;
  const pt: [number, number] = [0, 0];
  let first = Infinity, last = Infinity;
  for (const [side, iters] of [[REFINE_SIDE, REFINE_ITERATIONS], [REFINE_SIDE_FINE, REFINE_ITERATIONS_FINE]] as const) {
    const s = Math.min(1, side / Math.max(W, Hq));
    const qw = Math.max(16, Math.round(W * s)), qh = Math.max(16, Math.round(Hq * s));
    const kx = W / qw, ky = Hq / qh;
    const Q = blurGray(resizeGrayShared(query, qw, qh), 1);
    const f = Math.max(1, transformScale(H, W / 2, Hq / 2) * Math.sqrt(kx * ky));
    const R = blurGray(f > 1.05 ? resizeGrayShared(ref, ref.width / f, ref.height / f) : ref, 1);
    const fx = ref.width / R.width, fy = ref.height / R.height;
    // level coordinates of the reference, normalised: un = (u − cx) / sc
    const cx = R.width / 2, cy = R.height / 2, sc = Math.max(R.width, R.height) / 2;
    // the most textured query pixels (gradient threshold from a histogram)
    const qd = Q.data;
    const gh = new Uint32Array(512);
    for (let y = 2; y < qh - 2; y++) for (let x = 2; x < qw - 2; x++) {
      const i = y * qw + x;
      gh[Math.min(511, (Math.abs(qd[i + 1] - qd[i - 1]) + Math.abs(qd[i + qw] - qd[i - qw])) | 0)]++;
    }
    let thr = 511;
    for (let acc = 0; thr > 2; thr--) { acc += gh[thr]; if (acc >= REFINE_SAMPLES) break; }
    const sx = new Float64Array(REFINE_SAMPLES), sy = new Float64Array(REFINE_SAMPLES), sv = new Float64Array(REFINE_SAMPLES);
    let m = 0;
    for (let y = 2; y < qh - 2 && m < REFINE_SAMPLES; y++) for (let x = 2; x < qw - 2 && m < REFINE_SAMPLES; x++) {
      const i = y * qw + x;
      if ((Math.abs(qd[i + 1] - qd[i - 1]) + Math.abs(qd[i + qw] - qd[i - qw])) < Math.max(thr, 2)) continue;
      sx[m] = (x + 0.5) * kx - 0.5; sy[m] = (y + 0.5) * ky - 0.5; sv[m] = qd[i]; m++;
    }
    if (m < 200) return undefined;
    const uu = new Float64Array(m), vv = new Float64Array(m), rr = new Float64Array(m);
    const ok = new Uint8Array(m);
    let gain = 1, bias = 0;
    /** Map the samples through H, fill uu/vv/ok and the residuals; returns how many landed. */
    const project = (Hm: Homography): number => {
      let c = 0;
      for (let j = 0; j < m; j++) {
        applyTransform(Hm, sx[j], sy[j], pt);
        const u = (pt[0] + 0.5) / fx - 0.5, v = (pt[1] + 0.5) / fy - 0.5;
        ok[j] = u >= 1 && v >= 1 && u <= R.width - 2 && v <= R.height - 2 ? 1 : 0;
        if (!ok[j]) continue;
        uu[j] = u; vv[j] = v; rr[j] = sv[j] - gain * sampleBilinear(R, u, v) - bias; c++;
      }
      return c;
    };
    // grey gain and offset at the start (least squares over the samples)
    {
      gain = 1; bias = 0;
      project(H);
      let s1 = 0, s2 = 0, s11 = 0, s12 = 0, c = 0;
      for (let j = 0; j < m; j++) {
        if (!ok[j]) continue;
        const r = sv[j] - rr[j];
        s1 += r; s2 += sv[j]; s11 += r * r; s12 += r * sv[j]; c++;
      }
      if (c > 10) {
        const vr = s11 / c - (s1 / c) ** 2;
        gain = vr > 1 ? Math.max(0.3, Math.min(3, (s12 / c - (s1 / c) * (s2 / c)) / vr)) : 1;
        bias = s2 / c - gain * (s1 / c);
      }
    }
    const costOf = (Hm: Homography) => (project(Hm) < m * 0.3 ? Infinity : medianAbs(rr, ok, m));
    first = costOf(start); // the start, judged on this level's pixels
    // level pixel → level pixel normaliser N and its inverse, acting on reference working px via (fx, fy)
    const N: Homography = [1 / (sc * fx), 0, (0.5 - fx * 0.5 - cx * fx) / (sc * fx) + 0, 0, 1 / (sc * fy), 0, 0, 0, 1];
    // exact: un = ((U + 0.5)/fx − 0.5 − cx)/sc for reference working px U
    N[2] = (0.5 / fx - 0.5 - cx) / sc; N[5] = (0.5 / fy - 0.5 - cy) / sc;
    const Ninv: Homography = [sc * fx, 0, -(N[2]) * sc * fx, 0, sc * fy, -(N[5]) * sc * fy, 0, 0, 1];
    const J = new Float64Array(10);
    for (let it = 0; it < iters; it++) {
      if (project(H) < m * 0.3) break;
      const c = Math.max(2, REFINE_TUKEY * medianAbs(rr, ok, m));
      const A = new Float64Array(100), bvec = new Float64Array(10);
      for (let j = 0; j < m; j++) {
        if (!ok[j]) continue;
        const r = rr[j];
        if (r >= c || r <= -c) continue;
        const t = 1 - (r / c) * (r / c), w = t * t;
        const u = uu[j], v = vv[j];
        const gx = (sampleBilinear(R, u + 1, v) - sampleBilinear(R, u - 1, v)) * 0.5 * gain * sc;
        const gy = (sampleBilinear(R, u, v + 1) - sampleBilinear(R, u, v - 1)) * 0.5 * gain * sc;
        const un = (u - cx) / sc, vn = (v - cy) / sc;
        J[0] = gx * un; J[1] = gx * vn; J[2] = gx;
        J[3] = gy * un; J[4] = gy * vn; J[5] = gy;
        J[6] = -(gx * un + gy * vn) * un; J[7] = -(gx * un + gy * vn) * vn;
        J[8] = (sv[j] - r - bias) / gain; J[9] = 1;
        for (let a = 0; a < 10; a++) {
          const wa = w * J[a];
          bvec[a] += wa * r;
          for (let b2 = a; b2 < 10; b2++) A[a * 10 + b2] += wa * J[b2];
        }
      }
      for (let a = 0; a < 10; a++) for (let b2 = 0; b2 < a; b2++) A[a * 10 + b2] = A[b2 * 10 + a];
      for (let a = 0; a < 10; a++) A[a * 10 + a] *= 1.0001;
      const d = solve(A, bvec, 10);
      if (!d) break;
      const D: Homography = [1 + d[0], d[1], d[2], d[3], 1 + d[4], d[5], d[6], d[7], 1];
      H = mul3(Ninv, mul3(D, mul3(N, H)));
      gain += d[8]; bias += d[9];
      const step = Math.max(Math.abs(d[2]), Math.abs(d[5]), Math.abs(d[0]), Math.abs(d[4]), Math.abs(d[1]), Math.abs(d[3])) * sc;
      if (step < 0.02) break;
    }
    last = costOf(H);
  }
  if (!(last <= first)) return undefined;
  let moved = 0;
  for (const [x, y] of [[0, 0], [W, 0], [W, Hq], [0, Hq]]) {
    const a = applyTransform(start, x, y, [0, 0]), b = applyTransform(H, x, y, [0, 0]);
    moved = Math.max(moved, Math.hypot(a[0] - b[0], a[1] - b[1]));
  }
  const n = H[8];
  return { H: H.map((v) => v / n) as Homography, before: first, after: last, moved };
}
