import type { RGBAImage } from '../types';
import { blockhash } from './blockhash';

/**
 * Fingerprint of one image, stored with each reference (structured-cloneable, versioned).
 * v1: global blockhash of the image and of its mirror image.
 */
export interface Fingerprint {
  v: number;
  /** 0..1: how much texture the image has; flat or tiny images get a low quality and never match alone. */
  quality: number;
  /** 256-bit blockhash, hex. */
  global: string;
  /** Same for the horizontally mirrored image. */
  mirror: string;
}

export const FINGERPRINT_VERSION = 1;

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

/** Standard deviation of luma, scaled to 0..1 (64 grey levels of spread = 1). */
export function textureQuality(img: RGBAImage): number {
  const { data } = img;
  const step = Math.max(1, Math.floor(data.length / 4 / 4096));
  let n = 0, s = 0, s2 = 0;
  for (let i = 0; i < data.length; i += 4 * step) {
    const l = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    s += l; s2 += l * l; n++;
  }
  const sd = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
  const sizeOk = Math.min(1, Math.min(img.width, img.height) / 32);
  return Math.min(1, sd / 64) * sizeOk;
}

export function computeFingerprint(img: RGBAImage): Fingerprint {
  return {
    v: FINGERPRINT_VERSION,
    quality: textureQuality(img),
    global: blockhash(img),
    mirror: blockhash(mirrorImage(img)),
  };
}
