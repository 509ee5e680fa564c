/**
 * Grey-level image helpers shared by the fingerprint, the keypoint stage and the difference map.
 * Pure TypeScript over typed arrays (runs in a service worker and in Node alike).
 */
import type { RGBAImage } from '../types';

/** One channel, float32, row-major. */
export interface Gray {
  width: number;
  height: number;
  data: Float32Array;
}

/** Rec. 601 luma of an RGBA image, 0..255. Fully transparent pixels count as white. */
export function toGray(img: RGBAImage): Gray {
  const { width, height, data } = img;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; p < out.length; i += 4, p++) {
    const a = data[i + 3];
    const l = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    out[p] = a === 255 ? l : (l * a + 255 * (255 - a)) / 255;
  }
  return { width, height, data: out };
}

/**
 * Resize with area averaging when shrinking and bilinear interpolation when enlarging,
 * so a downscaled copy never aliases (fine texture becomes grey, not moiré).
 */
export function resizeGray(g: Gray, width: number, height: number): Gray {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  if (width === g.width && height === g.height) return { width, height, data: g.data.slice() };
  const sx = g.width / width, sy = g.height / height;
  if (sx >= 1 && sy >= 1) return areaResize(g, width, height);
  // enlarge (or mixed): bilinear on pixel centres
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < width; x++) out[y * width + x] = sampleBilinear(g, (x + 0.5) * sx - 0.5, fy);
  }
  return { width, height, data: out };
}

const resized = new WeakMap<Gray, Map<string, Gray>>();
/**
 * resizeGray, remembered per source image and size: the stages of one check (coarse and fine
 * comparison, alignment refinement) ask for the same sizes of the same query and reference. The
 * result is shared: callers must not write into it.
 */
export function resizeGrayShared(g: Gray, width: number, height: number): Gray {
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  if (width === g.width && height === g.height) return g;
  let m = resized.get(g);
  if (!m) { m = new Map(); resized.set(g, m); }
  const key = `${width}x${height}`;
  let out = m.get(key);
  if (!out) {
    if (m.size >= 6) m.delete(m.keys().next().value!);
    out = resizeGray(g, width, height);
    m.set(key, out);
  }
  return out;
}

function areaResize(g: Gray, width: number, height: number): Gray {
  // separable box filter with fractional pixel coverage
  const tmp = new Float32Array(width * g.height);
  const sx = g.width / width;
  // rows outer: the source is read in memory order (column order missed the cache on every read)
  for (let y = 0; y < g.height; y++) {
    const row = y * g.width;
    for (let x = 0; x < width; x++) {
      const a = x * sx, b = a + sx;
      const i0 = Math.floor(a), i1 = Math.min(g.width, Math.ceil(b));
      let s = 0;
      for (let i = i0; i < i1; i++) {
        const w = Math.min(b, i + 1) - Math.max(a, i);
        s += g.data[row + i] * w;
      }
      tmp[y * width + x] = s / sx;
    }
  }
  const out = new Float32Array(width * height);
  const sy = g.height / height;
  for (let y = 0; y < height; y++) {
    const a = y * sy, b = a + sy;
    const j0 = Math.floor(a), j1 = Math.min(g.height, Math.ceil(b));
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let j = j0; j < j1; j++) {
        const w = Math.min(b, j + 1) - Math.max(a, j);
        s += tmp[j * width + x] * w;
      }
      out[y * width + x] = s / sy;
    }
  }
  return { width, height, data: out };
}

/** Bilinear sample with clamped borders. */
export function sampleBilinear(g: Gray, x: number, y: number): number {
  const w = g.width, h = g.height;
  if (x < 0) x = 0; else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0; else if (y > h - 1) y = h - 1;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = x - x0, fy = y - y0;
  const d = g.data;
  const a = d[y0 * w + x0], b = d[y0 * w + x1], c = d[y1 * w + x0], e = d[y1 * w + x1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy;
}

/** Separable binomial blur [1 4 6 4 1]/16 (σ ≈ 1), `passes` times. */
export function blurGray(g: Gray, passes = 1): Gray {
  const { width: w, height: h } = g;
  let src = g.data;
  const tmp = new Float32Array(w * h);
  for (let p = 0; p < passes; p++) {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const r = y * w;
      for (let x = 0; x < w; x++) {
        const xm2 = x > 1 ? x - 2 : 0, xm1 = x > 0 ? x - 1 : 0;
        const xp1 = x < w - 1 ? x + 1 : w - 1, xp2 = x < w - 2 ? x + 2 : w - 1;
        tmp[r + x] = (src[r + xm2] + 4 * src[r + xm1] + 6 * src[r + x] + 4 * src[r + xp1] + src[r + xp2]) / 16;
      }
    }
    for (let y = 0; y < h; y++) {
      const ym2 = (y > 1 ? y - 2 : 0) * w, ym1 = (y > 0 ? y - 1 : 0) * w, y0 = y * w;
      const yp1 = (y < h - 1 ? y + 1 : h - 1) * w, yp2 = (y < h - 2 ? y + 2 : h - 1) * w;
      for (let x = 0; x < w; x++) {
        out[y0 + x] = (tmp[ym2 + x] + 4 * tmp[ym1 + x] + 6 * tmp[y0 + x] + 4 * tmp[yp1 + x] + tmp[yp2 + x]) / 16;
      }
    }
    src = out;
  }
  return { width: w, height: h, data: src === g.data ? g.data.slice() : src };
}

/** Horizontal mirror. */
export function mirrorGray(g: Gray): Gray {
  const { width: w, height: h } = g;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = g.data[y * w + (w - 1 - x)];
  return { width: w, height: h, data: out };
}

/** Rotate by quarter turns clockwise (k = 0..3). */
export function rotateGray(g: Gray, k: number): Gray {
  k = ((k % 4) + 4) % 4;
  if (k === 0) return g;
  const { width: w, height: h } = g;
  const W = k === 2 ? w : h, H = k === 2 ? h : w;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let X: number, Y: number;
      if (k === 1) { X = h - 1 - y; Y = x; } else if (k === 2) { X = w - 1 - x; Y = h - 1 - y; } else { X = y; Y = w - 1 - x; }
      out[Y * W + X] = g.data[y * w + x];
    }
  }
  return { width: W, height: H, data: out };
}

/** Crop [x0,y0,x1,y1) (integers). */
export function cropGray(g: Gray, x0: number, y0: number, x1: number, y1: number): Gray {
  const w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(g.data.subarray((y0 + y) * g.width + x0, (y0 + y) * g.width + x0 + w), y * w);
  return { width: w, height: h, data: out };
}

/** Longest side ≤ maxSide (never enlarges). */
export function fitGray(g: Gray, maxSide: number): Gray {
  const s = Math.min(1, maxSide / Math.max(g.width, g.height));
  return s === 1 ? g : resizeGray(g, g.width * s, g.height * s);
}
