/**
 * Oriented binary keypoint features (ORB-like, written from the published idea, not from any code):
 *
 *   step 1  BASE      resize the grey image so its longest side is FEAT_BASE_SIDE (enlarging small
 *                     images up to FEAT_MIN_SIDE so tiny catalogue photos still yield corners)
 *   step 1b STRETCH   1st–99th percentile of grey to 0..255 (gain ≤ FEAT_MAX_GAIN)
 *   step 1c LOCAL     (queries only) dark tiles weight their corner strength by
 *                     their own missing gain, so a dark photo inside a bright frame has corners too
 *   step 2  PYRAMID   FEAT_LEVELS levels, each FEAT_LEVEL_SCALE smaller than the last
 *   step 3  DETECT    Shi–Tomasi corner strength (min eigenvalue of the 5×5 structure tensor),
 *                     3×3 non-maximum suppression, best corner per FEAT_CELL×FEAT_CELL cell,
 *                     the strongest per level (quota ∝ level area)
 *   step 4  ORIENT    intensity centroid over a disc of radius FEAT_PATCH_RADIUS
 *   step 5  DESCRIBE  256 grey-level comparisons of point pairs drawn once from an isotropic
 *                     Gaussian (fixed seed), rotated to the keypoint's orientation → 256 bits.
 *                     A second "mirror" descriptor uses the pattern reflected in y: the mirror
 *                     descriptor of a keypoint in a mirrored image equals the plain descriptor of the
 *                     same point in the original, so mirrored copies match without re-detection.
 *
 * Coordinates are returned in the pixel frame of the input image.
 */
import { blurGray, resizeGray, type Gray } from './gray';

export const FEAT_BASE_SIDE = 512;
export const FEAT_MIN_SIDE = 320;
export const FEAT_LEVELS = 5;
export const FEAT_LEVEL_SCALE = Math.SQRT1_2;
export const FEAT_CELL = 8;
export const FEAT_PATCH_RADIUS = 15;
/** Corners weaker than this (min eigenvalue of summed squared gradients) are noise. */
export const FEAT_MIN_RESPONSE = 150;
const PATTERN_RADIUS = 13;
const ANGLE_BINS = 32;
const BORDER = FEAT_PATCH_RADIUS + 2;

export interface Features {
  n: number;
  /** Input-image coordinates. */
  x: Float32Array;
  y: Float32Array;
  /** Size of one level pixel in input pixels. */
  size: Float32Array;
  /** Orientation, radians. */
  angle: Float32Array;
  response: Float32Array;
  /** n × 8 words. */
  desc: Uint32Array;
  /** n × 8 words, mirror descriptors (present when asked for). */
  mdesc?: Uint32Array;
  width: number;
  height: number;
}

// ---- the sampling pattern (deterministic) ----
function makePattern(): Int8Array {
  let s = 0x5eed1234;
  const rnd = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const gauss = () => {
    for (;;) {
      const u = rnd() * 2 - 1, v = rnd() * 2 - 1, r = u * u + v * v;
      if (r > 0 && r < 1) return u * Math.sqrt((-2 * Math.log(r)) / r);
    }
  };
  const sigma = (2 * FEAT_PATCH_RADIUS + 1) / 5;
  const p = new Int8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    for (;;) {
      const a = [gauss() * sigma, gauss() * sigma, gauss() * sigma, gauss() * sigma];
      if (Math.hypot(a[0], a[1]) > PATTERN_RADIUS || Math.hypot(a[2], a[3]) > PATTERN_RADIUS) continue;
      if (Math.hypot(a[0] - a[2], a[1] - a[3]) < 2) continue;
      for (let k = 0; k < 4; k++) p[i * 4 + k] = Math.round(a[k]);
      break;
    }
  }
  return p;
}

const PATTERN = makePattern();

/** For each angle bin, the pattern rotated, as (dx1,dy1,dx2,dy2) ints. `flipY` reflects it first. */
function rotatedPatterns(flipY: boolean): Int8Array[] {
  const out: Int8Array[] = [];
  for (let b = 0; b < ANGLE_BINS; b++) {
    const t = (b * 2 * Math.PI) / ANGLE_BINS, c = Math.cos(t), s = Math.sin(t);
    const r = new Int8Array(256 * 4);
    for (let i = 0; i < 256; i++) {
      for (let k = 0; k < 2; k++) {
        const px = PATTERN[i * 4 + 2 * k];
        const py = flipY ? -PATTERN[i * 4 + 2 * k + 1] : PATTERN[i * 4 + 2 * k + 1];
        r[i * 4 + 2 * k] = Math.round(c * px - s * py);
        r[i * 4 + 2 * k + 1] = Math.round(s * px + c * py);
      }
    }
    out.push(r);
  }
  return out;
}

let ROT: Int8Array[] | undefined;
let ROT_M: Int8Array[] | undefined;

// disc offsets for the intensity centroid
const DISC: number[] = [];
for (let dy = -FEAT_PATCH_RADIUS; dy <= FEAT_PATCH_RADIUS; dy++) {
  for (let dx = -FEAT_PATCH_RADIUS; dx <= FEAT_PATCH_RADIUS; dx++) {
    if (dx * dx + dy * dy <= FEAT_PATCH_RADIUS * FEAT_PATCH_RADIUS) DISC.push(dx, dy);
  }
}

interface Corner { x: number; y: number; r: number }

/**
 * Step 3 on one level: corners sorted strongest first. `weight` (same size as g, optional) scales
 * each corner's strength before the threshold and the ranking (local contrast, see contrastWeights).
 */
function detect(g: Gray, quota: number, weight?: Float32Array): Corner[] {
  const { width: w, height: h, data: d } = g;
  if (w < 2 * BORDER + 2 || h < 2 * BORDER + 2) return [];
  const n = w * h;
  const xx = new Float32Array(n), yy = new Float32Array(n), xy = new Float32Array(n);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const gx = (d[i + 1] - d[i - 1]) * 0.5, gy = (d[i + w] - d[i - w]) * 0.5;
      xx[i] = gx * gx; yy[i] = gy * gy; xy[i] = gx * gy;
    }
  }
  const box = (a: Float32Array) => {
    const t = new Float32Array(n);
    for (let y = 0; y < h; y++) {
      let s = 0;
      const r = y * w;
      for (let x = 0; x < w; x++) {
        s += a[r + x];
        if (x >= 5) s -= a[r + x - 5];
        if (x >= 4) t[r + x - 2] = s;
      }
    }
    const o = new Float32Array(n);
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let y = 0; y < h; y++) {
        s += t[y * w + x];
        if (y >= 5) s -= t[(y - 5) * w + x];
        if (y >= 4) o[(y - 2) * w + x] = s;
      }
    }
    return o;
  };
  const A = box(xx), B = box(yy), C = box(xy);
  const R = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = A[i], b = B[i], c = C[i];
    R[i] = (a + b - Math.sqrt((a - b) * (a - b) + 4 * c * c)) * 0.5;
  }
  if (weight) for (let i = 0; i < n; i++) R[i] *= weight[i];
  // best corner per cell after 3×3 NMS
  const cw = Math.ceil(w / FEAT_CELL), ch = Math.ceil(h / FEAT_CELL);
  const best = new Int32Array(cw * ch).fill(-1);
  for (let y = BORDER; y < h - BORDER; y++) {
    for (let x = BORDER; x < w - BORDER; x++) {
      const i = y * w + x, r = R[i];
      if (r < FEAT_MIN_RESPONSE) continue;
      if (r < R[i - 1] || r <= R[i + 1] || r < R[i - w] || r <= R[i + w] ||
          r < R[i - w - 1] || r < R[i - w + 1] || r <= R[i + w - 1] || r <= R[i + w + 1]) continue;
      const c = ((y / FEAT_CELL) | 0) * cw + ((x / FEAT_CELL) | 0);
      if (best[c] < 0 || R[best[c]] < r) best[c] = i;
    }
  }
  const out: Corner[] = [];
  for (let c = 0; c < best.length; c++) if (best[c] >= 0) out.push({ x: best[c] % w, y: (best[c] / w) | 0, r: R[best[c]] });
  out.sort((a, b) => b.r - a.r);
  return out.slice(0, quota);
}

/**
 * Step 1b: stretch the 1st–99th percentile of grey to 0..255 (gain clamped to FEAT_MAX_GAIN) so the
 * corner threshold means the same on dark, hazy or low-contrast photos and their re-coloured copies.
 */
export const FEAT_MAX_GAIN = 8;
function stretch(g: Gray): Gray {
  const [lo, gain] = stretchRange(g.data);
  if (gain <= 1.05) return g;
  const n = g.data.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (g.data[i] - lo) * gain;
  return { width: g.width, height: g.height, data: out };
}

/** 1st percentile, the gain that takes the 1st–99th percentile range to 0..255 (≤ FEAT_MAX_GAIN), 99th percentile. */
function stretchRange(d: ArrayLike<number>): [number, number, number] {
  const hist = new Uint32Array(256);
  for (let i = 0; i < d.length; i++) hist[Math.max(0, Math.min(255, d[i] | 0))]++;
  const n = d.length;
  let acc = 0, lo = 0, hi = 255;
  for (let v = 0; v < 256; v++) { acc += hist[v]; if (acc >= n * 0.01) { lo = v; break; } }
  acc = 0;
  for (let v = 255; v >= 0; v--) { acc += hist[v]; if (acc >= n * 0.01) { hi = v; break; } }
  return [lo, Math.min(FEAT_MAX_GAIN, 255 / Math.max(1, hi - lo)), hi];
}

/**
 * Step 1c (queries only, FeatureOptions.localContrast): the stretch of step 1b is one
 * gain for the whole picture, so a dark photo inside a bright screenshot frame (or a night shot
 * with a lamp in it) keeps a gain near 1 and its corners fall under FEAT_MIN_RESPONSE. Each
 * FEAT_TILE × FEAT_TILE tile of the stretched base level that is dark (99th percentile under
 * FEAT_DARK) gets the gain its own 1st–99th percentile range would get (total gain ≤ FEAT_MAX_GAIN),
 * and corner strength (∝ gain²) is weighted by the square of that extra gain, interpolated between
 * tile centres. Bright flat areas (sky, walls, a studio backdrop) keep their weight: their low
 * contrast is the scene's, not the exposure's. Only detection changes: descriptors compare grey
 * levels of one patch, which no gain changes.
 */
export const FEAT_TILE = 64;
/** A tile is dark when its 99th percentile (after step 1b) is under this grey level. */
export const FEAT_DARK = 64;
function contrastWeights(g: Gray, globalGain: number): { tw: number; th: number; w: Float32Array } | undefined {
  const { width: W, height: H, data: d } = g;
  const tw = Math.max(1, Math.round(W / FEAT_TILE)), th = Math.max(1, Math.round(H / FEAT_TILE));
  const w = new Float32Array(tw * th);
  let any = false;
  const buf = new Float32Array(Math.ceil(W / tw + 1) * Math.ceil(H / th + 1));
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * H) / th), y1 = Math.floor(((ty + 1) * H) / th);
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * W) / tw), x1 = Math.floor(((tx + 1) * W) / tw);
      let k = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) buf[k++] = d[y * W + x];
      // the level is already stretched by the global gain: the tile's own gain on top of it
      const [, tg, hi] = stretchRange(buf.subarray(0, k));
      const rel = hi < FEAT_DARK ? Math.min(tg, FEAT_MAX_GAIN / globalGain) : 1;
      w[ty * tw + tx] = rel > 1 ? rel * rel : 1;
      if (rel > 1.05) any = true;
    }
  }
  return any ? { tw, th, w } : undefined;
}

/** The tile weights of contrastWeights sampled (bilinear between tile centres) on a level of size w × h. */
function weightMap(cw: { tw: number; th: number; w: Float32Array }, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const { tw, th } = cw;
  for (let y = 0; y < h; y++) {
    const fy = Math.max(0, Math.min(th - 1, ((y + 0.5) / h) * th - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(th - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.max(0, Math.min(tw - 1, ((x + 0.5) / w) * tw - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(tw - 1, x0 + 1), wx = fx - x0;
      out[y * w + x] = (cw.w[y0 * tw + x0] * (1 - wx) + cw.w[y0 * tw + x1] * wx) * (1 - wy) + (cw.w[y1 * tw + x0] * (1 - wx) + cw.w[y1 * tw + x1] * wx) * wy;
    }
  }
  return out;
}

let DISC_M2 = 0;
for (let k = 0; k < DISC.length; k += 2) DISC_M2 += DISC[k] * DISC[k];

/** Intensity centroid angle and the patch's least-squares grey slope (gx, gy per pixel). */
function orientation(g: Gray, x: number, y: number): [number, number, number] {
  const { width: w, data: d } = g;
  let m10 = 0, m01 = 0;
  const c = y * w + x;
  for (let k = 0; k < DISC.length; k += 2) {
    const v = d[c + DISC[k + 1] * w + DISC[k]];
    m10 += DISC[k] * v; m01 += DISC[k + 1] * v;
  }
  return [Math.atan2(m01, m10), m10 / DISC_M2, m01 / DISC_M2];
}

/**
 * Each bit compares two grey levels after removing the patch's linear slope: without this the
 * orientation step (which points every patch up its slope) makes most bits predictable and
 * unrelated patches look alike.
 */
function describe(g: Gray, x: number, y: number, gx: number, gy: number, pat: Int8Array, out: Uint32Array, at: number): void {
  const { width: w, data: d } = g;
  const c = y * w + x;
  for (let word = 0; word < 8; word++) {
    let v = 0;
    for (let b = 0; b < 32; b++) {
      const i = (word * 32 + b) * 4;
      const dx1 = pat[i], dy1 = pat[i + 1], dx2 = pat[i + 2], dy2 = pat[i + 3];
      if (d[c + dy1 * w + dx1] - gx * dx1 - gy * dy1 < d[c + dy2 * w + dx2] - gx * dx2 - gy * dy2) v |= 1 << b;
    }
    out[at + word] = v >>> 0;
  }
}

export interface FeatureOptions {
  maxFeatures?: number;
  /** Also compute mirror descriptors (query side). */
  mirror?: boolean;
  /** Weight corner strength by local contrast (step 1c). Stored reference keypoints do not use it. */
  localContrast?: boolean;
}

/** Steps 1–5 on a grey image. */
export function extractFeatures(src: Gray, opts: FeatureOptions = {}): Features {
  const maxFeatures = opts.maxFeatures ?? 500;
  ROT ??= rotatedPatterns(false);
  if (opts.mirror) ROT_M ??= rotatedPatterns(true);
  const long = Math.max(src.width, src.height);
  const baseScale = long > FEAT_BASE_SIDE ? FEAT_BASE_SIDE / long : long < FEAT_MIN_SIDE ? Math.min(4, FEAT_MIN_SIDE / long) : 1;
  const base = baseScale === 1 ? src : resizeGray(src, src.width * baseScale, src.height * baseScale);
  let level = stretch(base);
  const cw = opts.localContrast ? contrastWeights(level, level === base ? 1 : stretchRange(base.data)[1]) : undefined;
  const levels: { g: Gray; scale: number }[] = [];
  let scale = baseScale;
  for (let l = 0; l < FEAT_LEVELS; l++) {
    if (Math.min(level.width, level.height) < 2 * BORDER + 8) break;
    levels.push({ g: level, scale });
    scale *= FEAT_LEVEL_SCALE;
    level = resizeGray(level, level.width * FEAT_LEVEL_SCALE, level.height * FEAT_LEVEL_SCALE);
  }
  const totalArea = levels.reduce((s, l) => s + l.g.width * l.g.height, 0);
  const xs: number[] = [], ys: number[] = [], sizes: number[] = [], angles: number[] = [], resp: number[] = [];
  const descs: Uint32Array[] = [], mdescs: Uint32Array[] = [];
  for (const { g, scale: s } of levels) {
    const quota = Math.max(8, Math.round((maxFeatures * g.width * g.height) / totalArea));
    const smooth = blurGray(g, 1);
    const corners = detect(smooth, quota, cw && weightMap(cw, g.width, g.height));
    if (!corners.length) continue;
    const dimg = blurGray(smooth, 1);
    const d = new Uint32Array(corners.length * 8);
    const md = opts.mirror ? new Uint32Array(corners.length * 8) : undefined;
    corners.forEach((c, k) => {
      const [a, gx, gy] = orientation(smooth, c.x, c.y);
      const bin = ((Math.round((a * ANGLE_BINS) / (2 * Math.PI)) % ANGLE_BINS) + ANGLE_BINS) % ANGLE_BINS;
      describe(dimg, c.x, c.y, gx, gy, ROT![bin], d, k * 8);
      if (md) describe(dimg, c.x, c.y, gx, gy, ROT_M![bin], md, k * 8);
      xs.push((c.x + 0.5) / s - 0.5); ys.push((c.y + 0.5) / s - 0.5);
      sizes.push(1 / s); angles.push(a); resp.push(c.r);
    });
    descs.push(d);
    if (md) mdescs.push(md);
  }
  const n = xs.length;
  const cat = (parts: Uint32Array[]) => {
    const o = new Uint32Array(n * 8);
    let at = 0;
    for (const p of parts) { o.set(p, at); at += p.length; }
    return o;
  };
  return {
    n,
    x: Float32Array.from(xs), y: Float32Array.from(ys), size: Float32Array.from(sizes),
    angle: Float32Array.from(angles), response: Float32Array.from(resp),
    desc: cat(descs), mdesc: opts.mirror ? cat(mdescs) : undefined,
    width: src.width, height: src.height,
  };
}

export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

export interface Matches {
  q: Int32Array;
  r: Int32Array;
  dist: Int32Array;
  n: number;
}

/** Nearest neighbour on Hamming distance with a ratio test (best < ratio × second) and a ceiling. */
export function matchDescriptors(
  qd: Uint32Array, qn: number, rd: Uint32Array, rn: number, maxDist = 72, ratio = 0.85,
): Matches {
  const mq = new Int32Array(qn), mr = new Int32Array(qn), md = new Int32Array(qn);
  let n = 0;
  for (let i = 0; i < qn; i++) {
    const a = i * 8;
    const q0 = qd[a], q1 = qd[a + 1], q2 = qd[a + 2], q3 = qd[a + 3], q4 = qd[a + 4], q5 = qd[a + 5], q6 = qd[a + 6], q7 = qd[a + 7];
    let best = 999, second = 999, bj = -1;
    for (let j = 0; j < rn; j++) {
      const b = j * 8;
      let d = popcount32(q0 ^ rd[b]) + popcount32(q1 ^ rd[b + 1]) + popcount32(q2 ^ rd[b + 2]) + popcount32(q3 ^ rd[b + 3]);
      if (d >= second) continue;
      d += popcount32(q4 ^ rd[b + 4]) + popcount32(q5 ^ rd[b + 5]) + popcount32(q6 ^ rd[b + 6]) + popcount32(q7 ^ rd[b + 7]);
      if (d < best) { second = best; best = d; bj = j; } else if (d < second) second = d;
    }
    if (bj >= 0 && best <= maxDist && best < ratio * second) { mq[n] = i; mr[n] = bj; md[n] = best; n++; }
  }
  return { q: mq, r: mr, dist: md, n };
}
