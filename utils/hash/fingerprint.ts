/**
 * Fingerprint of one image, stored with each reference (structured-cloneable, versioned).
 *
 * v2, in named steps:
 *   step 1  SMALL     an RGBA copy with longest side FP_HASH_SIDE (area-averaged)
 *   step 2  TRIM      uniform borders (letterbox bars, white/black frames, flat studio backdrop
 *                     edges) are cut: a row/column is a border when its grey spread < FP_TRIM_FLAT
 *                     and its mean is within FP_TRIM_FLAT of the outermost row/column; at most
 *                     FP_TRIM_MAX of each side
 *   step 3  GLOBAL    blockhash-core (bmvbhash, 16×16 = 256 bits) of the trimmed copy and of its
 *                     mirror image; queries also hash the three quarter turns
 *   step 4  LOCAL     oriented binary keypoints (features.ts); the FP_KEYPOINTS strongest, spread
 *                     over the pyramid, keep the first 128 bits of their descriptor for the index.
 *                     Queries detect with local contrast (features.ts step 1c: dark regions inside
 *                     a bright frame); stored references do not, so v2 fingerprints stay valid
 *   step 5  QUALITY   0..1 from grey spread, keypoint count and size; below MIN_QUALITY an image
 *                     never matches on its own (flat, tiny or empty images would match everything)
 *
 * Memory per reference in the index: 2 × 32 B global hashes + FP_KEYPOINTS × 16 B descriptors
 * + FP_KEYPOINTS × 4 B × LOCAL_TABLES postings + small fields ≈ 1.6 kB (see index.ts).
 */
import { bmvbhash } from 'blockhash-core';
import type { RGBAImage } from '../types';
import { extractFeatures, type Features } from './features';
import { toGray, type Gray } from './gray';

export const FINGERPRINT_VERSION = 2;
export const FP_HASH_SIDE = 256;
export const FP_TRIM_FLAT = 6;
export const FP_TRIM_MAX = 0.4;
export const FP_KEYPOINTS = 48;
/** Query side: keypoints used to look up the index. */
export const FP_QUERY_KEYPOINTS = 500;
/** Query side: strongest keypoints sent to the index lookup. */
export const FP_LOOKUP_KEYPOINTS = 300;
/** Fingerprints under this quality never decide a match alone. */
export const MIN_QUALITY = 0.12;

export interface Fingerprint {
  v: number;
  /** 0..1: texture, keypoints and size; flat or tiny images score low and never match alone. */
  quality: number;
  /** 256-bit blockhash of the border-trimmed image, hex. */
  global: string;
  /** Same for the horizontally mirrored image. */
  mirror: string;
  /** Size of the image that was fingerprinted. */
  width: number;
  height: number;
  /** Border-trimmed content box [x0, y0, x1, y1) in that image's pixels. */
  trim: [number, number, number, number];
  /** Local descriptors: n × 4 words (128 bits each). */
  kp: Uint32Array;
  /**
   * Geometry of each descriptor, n × 2 bytes: orientation (256 steps per turn) and size
   * (4·log2 of the keypoint's pixel size, +128). Lets the index vote in (reference, rotation,
   * scale) cells, so chance descriptor collisions scatter while a true copy piles up in one cell.
   */
  kpg?: Uint8Array;
  /** Query only: mirror descriptors of the same keypoints, n × 4 words. */
  kpm?: Uint32Array;
  /** Query only: hashes of the trimmed image turned 90°, 180°, 270° clockwise. */
  rot?: [string, string, string];
}

export interface FingerprintOptions {
  /** Compute the query-side extras (quarter turns, mirror descriptors, more keypoints). */
  query?: boolean;
  /** Global hashes only (no keypoints): the fast first stage of a check. */
  globalOnly?: boolean;
}

/** RGBA resize by area averaging (keeps alpha). */
export function resizeRGBA(img: RGBAImage, width: number, height: number): RGBAImage {
  width = Math.max(1, Math.round(width)); height = Math.max(1, Math.round(height));
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = img.width / width, sy = img.height / height;
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * sx)));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * img.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, i += 4) { r += src[i]; g += src[i + 1]; b += src[i + 2]; a += src[i + 3]; n++; }
      }
      const o = (y * width + x) * 4;
      out[o] = r / n; out[o + 1] = g / n; out[o + 2] = b / n; out[o + 3] = a / n;
    }
  }
  return { width, height, data: out };
}

export function mirrorImage(img: RGBAImage): RGBAImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 4;
      const d = (y * w + (w - 1 - x)) * 4;
      out[d] = data[s]; out[d + 1] = data[s + 1]; out[d + 2] = data[s + 2]; out[d + 3] = data[s + 3];
    }
  }
  return { width: w, height: h, data: out };
}

/** Quarter turns clockwise. */
export function rotateImage(img: RGBAImage, k: number): RGBAImage {
  k = ((k % 4) + 4) % 4;
  if (k === 0) return img;
  const { width: w, height: h, data } = img;
  const W = k === 2 ? w : h, H = k === 2 ? h : w;
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let X: number, Y: number;
    if (k === 1) { X = h - 1 - y; Y = x; } else if (k === 2) { X = w - 1 - x; Y = h - 1 - y; } else { X = y; Y = w - 1 - x; }
    const s = (y * w + x) * 4, d = (Y * W + X) * 4;
    out[d] = data[s]; out[d + 1] = data[s + 1]; out[d + 2] = data[s + 2]; out[d + 3] = data[s + 3];
  }
  return { width: W, height: H, data: out };
}

export function cropImage(img: RGBAImage, x0: number, y0: number, x1: number, y1: number): RGBAImage {
  const w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) out.set(img.data.subarray(((y0 + y) * img.width + x0) * 4, ((y0 + y) * img.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, data: out };
}

/** Step 2: the content box of a grey image, cutting flat uniform borders. */
export function trimBox(g: Gray): [number, number, number, number] {
  const { width: w, height: h, data: d } = g;
  const rowStat = (y: number, x0: number, x1: number) => {
    let s = 0, s2 = 0;
    for (let x = x0; x < x1; x++) { const v = d[y * w + x]; s += v; s2 += v * v; }
    const n = x1 - x0, m = s / n;
    return [m, Math.sqrt(Math.max(0, s2 / n - m * m))];
  };
  const colStat = (x: number, y0: number, y1: number) => {
    let s = 0, s2 = 0;
    for (let y = y0; y < y1; y++) { const v = d[y * w + x]; s += v; s2 += v * v; }
    const n = y1 - y0, m = s / n;
    return [m, Math.sqrt(Math.max(0, s2 / n - m * m))];
  };
  let x0 = 0, y0 = 0, x1 = w, y1 = h;
  const maxY = Math.floor(h * FP_TRIM_MAX), maxX = Math.floor(w * FP_TRIM_MAX);
  const [mt] = rowStat(0, 0, w);
  while (y0 < maxY) { const [m, sd] = rowStat(y0, 0, w); if (sd < FP_TRIM_FLAT && Math.abs(m - mt) < FP_TRIM_FLAT) y0++; else break; }
  const [mb] = rowStat(h - 1, 0, w);
  while (h - y1 < maxY) { const [m, sd] = rowStat(y1 - 1, 0, w); if (sd < FP_TRIM_FLAT && Math.abs(m - mb) < FP_TRIM_FLAT) y1--; else break; }
  if (y1 - y0 < 8) { y0 = 0; y1 = h; }
  const [ml] = colStat(0, y0, y1);
  while (x0 < maxX) { const [m, sd] = colStat(x0, y0, y1); if (sd < FP_TRIM_FLAT && Math.abs(m - ml) < FP_TRIM_FLAT) x0++; else break; }
  const [mr] = colStat(w - 1, y0, y1);
  while (w - x1 < maxX) { const [m, sd] = colStat(x1 - 1, y0, y1); if (sd < FP_TRIM_FLAT && Math.abs(m - mr) < FP_TRIM_FLAT) x1--; else break; }
  if (x1 - x0 < 8) { x0 = 0; x1 = w; }
  return [x0, y0, x1, y1];
}

function hash(img: RGBAImage): string {
  return bmvbhash({ width: img.width, height: img.height, data: img.data as Uint8ClampedArray } as ImageData, 16);
}

/** Grey spread (standard deviation of luma), 0..~128. */
function spread(g: Gray): number {
  let s = 0, s2 = 0;
  const d = g.data;
  for (let i = 0; i < d.length; i++) { s += d[i]; s2 += d[i] * d[i]; }
  const m = s / d.length;
  return Math.sqrt(Math.max(0, s2 / d.length - m * m));
}

export interface FingerprintWork {
  fp: Fingerprint;
  /** Grey copy of the input at full input size (for the keypoint and difference stages). */
  gray: Gray;
  /** Empty (n = 0) when computed with globalOnly. */
  features: Features;
}

/** Fingerprint plus the intermediate products the match stage reuses. */
export function fingerprintWithFeatures(img: RGBAImage, opts: FingerprintOptions = {}): FingerprintWork {
  // step 1
  const s = Math.min(1, FP_HASH_SIDE / Math.max(img.width, img.height));
  const small = s < 1 ? resizeRGBA(img, img.width * s, img.height * s) : img;
  const smallGray = toGray(small);
  // step 2
  const tb = trimBox(smallGray);
  const trimmed = cropImage(small, tb[0], tb[1], tb[2], tb[3]);
  // step 3
  const global = hash(trimmed);
  const mirror = hash(mirrorImage(trimmed));
  // step 4
  const gray = toGray(img);
  const features = opts.globalOnly ? emptyFeatures(img.width, img.height)
    : extractFeatures(gray, { maxFeatures: opts.query ? FP_QUERY_KEYPOINTS : 500, mirror: opts.query, localContrast: opts.query });
  const order = Array.from({ length: features.n }, (_, i) => i);
  let keep: number[];
  if (opts.query) keep = order;
  else {
    // strongest per level first, round-robin over levels so every scale is represented
    const byLevel = new Map<number, number[]>();
    for (const i of order) {
      const key = Math.round(features.size[i] * 1000);
      if (!byLevel.has(key)) byLevel.set(key, []);
      byLevel.get(key)!.push(i);
    }
    for (const l of byLevel.values()) l.sort((a, b) => features.response[b] - features.response[a]);
    const lists = [...byLevel.values()];
    keep = [];
    for (let r = 0; keep.length < FP_KEYPOINTS && lists.some((l) => l.length > r); r++) {
      for (const l of lists) if (l.length > r && keep.length < FP_KEYPOINTS) keep.push(l[r]);
    }
  }
  if (opts.query && keep.length > FP_LOOKUP_KEYPOINTS) {
    // look the index up with the strongest keypoints only (cost grows with their number)
    keep = [...keep].sort((a, b) => features.response[b] - features.response[a]).slice(0, FP_LOOKUP_KEYPOINTS);
  }
  const kp = new Uint32Array(keep.length * 4);
  const kpm = opts.query ? new Uint32Array(keep.length * 4) : undefined;
  const kpg = new Uint8Array(keep.length * 2);
  keep.forEach((i, k) => {
    kpg[k * 2] = angleByte(features.angle[i]);
    kpg[k * 2 + 1] = sizeByte(features.size[i] * (FP_HASH_SIDE / Math.max(img.width, img.height)));
    for (let w = 0; w < 4; w++) {
      kp[k * 4 + w] = features.desc[i * 8 + w];
      if (kpm) kpm[k * 4 + w] = features.mdesc![i * 8 + w];
    }
  });
  // step 5
  const sizeOk = Math.min(1, Math.min(img.width, img.height) / 48);
  const kpTerm = opts.globalOnly ? 1 : Math.min(1, features.n / 80);
  const quality = Math.round(Math.min(1, (0.5 * Math.min(1, spread(smallGray) / 40) + 0.5 * kpTerm) * sizeOk) * 1000) / 1000;
  const scale = 1 / s;
  const fp: Fingerprint = {
    v: FINGERPRINT_VERSION,
    quality,
    global,
    mirror,
    width: img.width,
    height: img.height,
    trim: [Math.round(tb[0] * scale), Math.round(tb[1] * scale), Math.min(img.width, Math.round(tb[2] * scale)), Math.min(img.height, Math.round(tb[3] * scale))],
    kp,
    kpg,
  };
  if (opts.query) {
    fp.kpm = kpm;
    fp.rot = [hash(rotateImage(trimmed, 1)), hash(rotateImage(trimmed, 2)), hash(rotateImage(trimmed, 3))];
  }
  return { fp, gray, features };
}

function emptyFeatures(width: number, height: number): Features {
  const f = new Float32Array(0);
  return { n: 0, x: f, y: f, size: f, angle: f, response: f, desc: new Uint32Array(0), mdesc: new Uint32Array(0), width, height };
}

/** Orientation in 256 steps per turn. */
export function angleByte(rad: number): number {
  return Math.round((rad / (2 * Math.PI)) * 256) & 255;
}

/** Keypoint size relative to the image's longest side, as 4·log2 + 128 (so resizing keeps it). */
export function sizeByte(relSize: number): number {
  return Math.max(0, Math.min(255, Math.round(4 * Math.log2(Math.max(1e-6, relSize)) + 128)));
}

export function computeFingerprint(img: RGBAImage, opts: FingerprintOptions = {}): Fingerprint {
  return fingerprintWithFeatures(img, opts).fp;
}
