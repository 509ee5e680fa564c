/**
 * The pictures a reviewer compares, made from what the check stored: the merchant's reference
 * warped into the buyer photo's frame (the match's query → reference transform, perspective
 * included), and the difference picture — the buyer photo dimmed to grey, the pixels that differ
 * from the aligned reference drawn bright over it. Pure over RGBA pixels (runs in Node tests and
 * in the report page, which decodes and encodes with a canvas).
 *
 * Named steps and constants:
 *  1 warp       each buyer pixel (x, y) samples the reference at H·(x, y, 1) (bilinear); outside
 *               the reference it is marked not compared
 *  2 colour     the aligned reference's channels are matched to the buyer photo's (mean and spread
 *               over the compared pixels): a recoloured copy is not "changed everywhere"
 *  3 smooth     both are box-blurred (radius SMOOTH_RADIUS) so re-compression noise and resampling
 *               do not light up
 *  4 difference largest channel difference against the best reference pixel within SHIFT_TOLERANCE
 *               (an alignment a pixel or two off does not outline every edge); the noise floor is NOISE_FACTOR × the median
 *               difference + NOISE_MIN; above it, brightness rises over BRIGHT_SPAN levels
 */
import type { RGBAImage } from '../types';

export const SMOOTH_RADIUS = 1;
export const SHIFT_TOLERANCE = 2;
export const NOISE_FACTOR = 2.5;
export const NOISE_MIN = 10;
export const BRIGHT_SPAN = 60;
/** Brightness of the dimmed buyer photo behind the bright differences (0..1). */
export const DIM = 0.35;

export interface Aligned {
  image: RGBAImage;
  /** 1 where the reference covers the pixel (compared), 0 outside it. */
  valid: Uint8Array;
}

/** Step 1: the reference in the buyer photo's frame. `H` (3×3 row-major) maps buyer px → reference px. */
export function warpReference(ref: RGBAImage, H: number[], width: number, height: number): Aligned {
  const out = new Uint8ClampedArray(width * height * 4);
  const valid = new Uint8Array(width * height);
  const [a, b, c, d, e, f, g = 0, h = 0, i = 1] = H;
  const rw = ref.width, rh = ref.height, src = ref.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5, py = y + 0.5;
      const w = g * px + h * py + i;
      if (!(Math.abs(w) > 1e-9)) continue;
      const sx = (a * px + b * py + c) / w - 0.5;
      const sy = (d * px + e * py + f) / w - 0.5;
      if (!(sx >= -0.5 && sy >= -0.5 && sx <= rw - 0.5 && sy <= rh - 0.5)) continue;
      const x0 = Math.max(0, Math.min(rw - 1, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(rh - 1, Math.floor(sy)));
      const x1 = Math.min(rw - 1, x0 + 1), y1 = Math.min(rh - 1, y0 + 1);
      const fx = Math.min(1, Math.max(0, sx - x0)), fy = Math.min(1, Math.max(0, sy - y0));
      const o = (y * width + x) * 4;
      for (let k = 0; k < 3; k++) {
        const p00 = src[(y0 * rw + x0) * 4 + k], p10 = src[(y0 * rw + x1) * 4 + k];
        const p01 = src[(y1 * rw + x0) * 4 + k], p11 = src[(y1 * rw + x1) * 4 + k];
        out[o + k] = (p00 * (1 - fx) + p10 * fx) * (1 - fy) + (p01 * (1 - fx) + p11 * fx) * fy;
      }
      out[o + 3] = 255;
      valid[y * width + x] = 1;
    }
  }
  return { image: { width, height, data: out }, valid };
}

/** The transform to use: the match's homography, else a plain scale (same framing). */
export function transformFor(homography: number[] | undefined, buyer: { width: number; height: number }, ref: { width: number; height: number }): number[] {
  if (homography && homography.length >= 6 && homography.every(Number.isFinite)) {
    return homography.length >= 9 ? homography.slice(0, 9) : [...homography.slice(0, 6), 0, 0, 1];
  }
  return [ref.width / buyer.width, 0, 0, 0, ref.height / buyer.height, 0, 0, 0, 1];
}

function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r <= 0) return src;
  const tmp = new Float32Array(w * h), out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, n = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) { s += src[y * w + k]; n++; }
      tmp[y * w + x] = s / n;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, n = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) { s += tmp[k * w + x]; n++; }
      out[y * w + x] = s / n;
    }
  }
  return out;
}

/** Per-pixel difference (0..255) of the buyer photo against the aligned reference; -1 where not compared. */
export function differenceMap(buyer: RGBAImage, aligned: Aligned): Float32Array {
  const { width: w, height: h } = buyer;
  const n = w * h;
  const diff = new Float32Array(n).fill(-1);
  const planes: Float32Array[] = [];
  for (let k = 0; k < 3; k++) {
    // step 2: match the reference's channel to the buyer's over the compared pixels
    let sb = 0, sr = 0, qb = 0, qr = 0, cnt = 0;
    for (let p = 0; p < n; p++) {
      if (!aligned.valid[p]) continue;
      const vb = buyer.data[p * 4 + k], vr = aligned.image.data[p * 4 + k];
      sb += vb; sr += vr; qb += vb * vb; qr += vr * vr; cnt++;
    }
    if (!cnt) return diff;
    const mb = sb / cnt, mr = sr / cnt;
    const db = Math.sqrt(Math.max(1, qb / cnt - mb * mb)), dr = Math.sqrt(Math.max(1, qr / cnt - mr * mr));
    const gain = Math.min(4, Math.max(0.25, db / dr));
    const pb = new Float32Array(n), pr = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      pb[p] = buyer.data[p * 4 + k];
      pr[p] = aligned.valid[p] ? (aligned.image.data[p * 4 + k] - mr) * gain + mb : pb[p];
    }
    // step 3
    planes.push(boxBlur(pb, w, h, SMOOTH_RADIUS), boxBlur(pr, w, h, SMOOTH_RADIUS));
  }
  const R = SHIFT_TOLERANCE;
  const [b0, r0, b1, r1, b2, r2] = planes;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!aligned.valid[p]) continue;
      let best = Infinity;
      for (let dy = -R; dy <= R && best > 0; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -R; dx <= R; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (!aligned.valid[q]) continue;
          const d = Math.max(Math.abs(b0[p] - r0[q]), Math.abs(b1[p] - r1[q]), Math.abs(b2[p] - r2[q]));
          if (d < best) best = d;
        }
      }
      diff[p] = best === Infinity ? 0 : best;
    }
  }
  return diff;
}

/** Noise floor of a difference map (step 4). */
export function noiseFloor(diff: Float32Array): number {
  const hist = new Uint32Array(256);
  let cnt = 0;
  for (const v of diff) if (v >= 0) { hist[Math.min(255, Math.round(v))]++; cnt++; }
  let acc = 0, median = 0;
  for (let i = 0; i < 256; i++) { acc += hist[i]; if (acc * 2 >= cnt) { median = i; break; } }
  return median * NOISE_FACTOR + NOISE_MIN;
}

/**
 * Step 4: the difference picture. Dimmed grey buyer photo; differences above the noise floor from
 * amber to bright yellow-white; not compared pixels (outside the reference) dark blue-grey.
 */
export function differencePicture(buyer: RGBAImage, aligned: Aligned): { image: RGBAImage; changedShare: number } {
  const { width: w, height: h } = buyer;
  const diff = differenceMap(buyer, aligned);
  const floor = noiseFloor(diff);
  const out = new Uint8ClampedArray(w * h * 4);
  let changed = 0, compared = 0;
  for (let p = 0; p < w * h; p++) {
    const o = p * 4;
    const luma = 0.299 * buyer.data[o] + 0.587 * buyer.data[o + 1] + 0.114 * buyer.data[o + 2];
    const g = luma * DIM;
    out[o + 3] = 255;
    const d = diff[p];
    if (d < 0) {
      out[o] = g * 0.5 + 20; out[o + 1] = g * 0.5 + 24; out[o + 2] = g * 0.5 + 40;
      continue;
    }
    compared++;
    if (d <= floor) {
      out[o] = out[o + 1] = out[o + 2] = g;
      continue;
    }
    changed++;
    const s = Math.min(1, (d - floor) / BRIGHT_SPAN);
    out[o] = 255;
    out[o + 1] = 150 + 105 * s;
    out[o + 2] = 30 + 200 * s * s;
  }
  return { image: { width: w, height: h, data: out }, changedShare: compared ? changed / compared : 0 };
}
