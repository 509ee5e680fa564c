import { admitBytes } from '../image/acquire';
import type { Decoder } from '../image/decode';
import { sha256Hex } from '../image/sha256';
import { computeFingerprint } from '../hash/fingerprint';
import { LIMITS } from '../limits';
import type { RGBAImage } from '../types';
import type { ReferenceRecord, ReferenceSource } from './db';

export type Encoder = (img: RGBAImage, type: 'image/png' | 'image/jpeg', quality?: number) => Promise<Uint8Array>;

/** Downscale RGBA with a box filter (for thumbnails from an already analysis-size image). */
export function downscale(img: RGBAImage, maxSide: number): RGBAImage {
  const s = Math.min(1, maxSide / Math.max(img.width, img.height));
  if (s === 1) return img;
  const w = Math.max(1, Math.round(img.width * s));
  const h = Math.max(1, Math.round(img.height * s));
  const out = new Uint8ClampedArray(w * h * 4);
  const sx = img.width / w, sy = img.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * img.width + xx) * 4;
          r += img.data[i]; g += img.data[i + 1]; b += img.data[i + 2]; a += img.data[i + 3]; n++;
        }
      }
      const o = (y * w + x) * 4;
      out[o] = r / n; out[o + 1] = g / n; out[o + 2] = b / n; out[o + 3] = a / n;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Turn an original photo file into a library record: SHA-256 of the original, a working copy
 * (JPEG, longest side ≤ workingMaxSide) from which fingerprints can always be recomputed,
 * a thumbnail and the fingerprint. Pure: decoder and encoder come from the platform.
 */
export async function prepareReference(
  bytes: Uint8Array,
  name: string,
  libraryId: string,
  platform: { decode: Decoder; encode: Encoder },
  source: ReferenceSource = { kind: 'photo' },
): Promise<ReferenceRecord> {
  const acq = admitBytes(bytes);
  const [sha256, decoded] = await Promise.all([sha256Hex(bytes), platform.decode(bytes, acq.format, LIMITS.workingMaxSide)]);
  const working = await platform.encode(decoded.image, 'image/jpeg', 0.9);
  const thumb = await platform.encode(downscale(decoded.image, LIMITS.thumbMaxSide), 'image/jpeg', 0.8);
  const fp = computeFingerprint(decoded.image);
  return {
    id: crypto.randomUUID(),
    libraryId,
    name: name.slice(0, 200),
    sha256,
    originalBytes: bytes.length,
    width: decoded.width,
    height: decoded.height,
    addedAt: new Date().toISOString(),
    source,
    working,
    thumb,
    fp,
  };
}
