/**
 * Node-only decoder for tests, `npm run eval`, `npm run bench` and `npm run fuzz` (sharp/libvips).
 * Never imported by an entrypoint: the extension decodes with decode-browser.ts.
 *
 * It mirrors what Chromium's createImageBitmap accepts: HEIC and TIFF are refused as
 * unsupported (Chromium cannot decode them), BMP — which libvips cannot read without
 * ImageMagick — is decoded here by a small bounds-checked reader.
 */
import sharp from 'sharp';
import { CheckFailure } from '../errors';
import { LIMITS } from '../limits';
import { fitSize, type Decoder } from './decode';
import { exceedsPixelLimits } from './acquire';

/** Wall-clock budget of one sharp pipeline, seconds (libvips stops the work when it passes). */
const SHARP_TIMEOUT_S = 20;

export const decodeInNode: Decoder = async (bytes, format, maxSide) => {
  if (format === 'heic' || format === 'tiff') {
    // Mirror the browser: Chromium cannot decode these either.
    throw new CheckFailure('err_unsupported_format', { format: format.toUpperCase() });
  }
  try {
    if (format === 'bmp') return await resizeRaw(decodeBmp(bytes), maxSide);
    const opts = { failOn: 'error', limitInputPixels: LIMITS.maxPixels, pages: 1 } as const;
    const meta = await sharp(bytes, opts).metadata();
    let width = meta.width ?? 0;
    let height = meta.height ?? 0;
    if (!(width > 0 && height > 0)) throw new CheckFailure('err_decode_failed');
    // the container may hide a size the header reader did not see (e.g. a second SOF)
    if (exceedsPixelLimits(width, height)) throw new CheckFailure('err_too_many_pixels', { width, height });
    if ((meta.orientation ?? 1) >= 5) [width, height] = [height, width];
    const fit = fitSize(width, height, maxSide);
    const { data, info } = await sharp(bytes, opts)
      .timeout({ seconds: SHARP_TIMEOUT_S })
      .rotate()
      .resize(fit.width, fit.height, { fit: 'fill' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.length !== info.width * info.height * 4) throw new CheckFailure('err_decode_failed');
    return {
      image: { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) },
      width,
      height,
    };
  } catch (e) {
    if (e instanceof CheckFailure) throw e;
    throw new CheckFailure('err_decode_failed');
  }
};

async function resizeRaw(img: { width: number; height: number; data: Uint8Array }, maxSide: number) {
  const fit = fitSize(img.width, img.height, maxSide);
  if (fit.width === img.width && fit.height === img.height) {
    return { image: { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length) }, width: img.width, height: img.height };
  }
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(fit.width, fit.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    image: { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) },
    width: img.width,
    height: img.height,
  };
}

/**
 * Uncompressed BMP (BI_RGB / BI_BITFIELDS, 1/4/8/16/24/32 bits, core and info headers) to RGBA.
 * Refuses, with err_decode_failed, anything whose pixel rows are not all in the file (so the
 * allocation is bounded by the input size) or that it does not support (RLE, embedded JPEG/PNG).
 */
export function decodeBmp(b: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const fail = () => new CheckFailure('err_decode_failed');
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) throw fail();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pixOff = dv.getUint32(10, true);
  const dib = dv.getUint32(14, true);
  let width: number, height: number, bpp: number, compression = 0, colours = 0;
  const core = dib === 12;
  if (core) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
  } else {
    if (dib < 40 || 14 + 40 > b.length) throw fail();
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colours = dv.getUint32(46, true);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (!(width > 0 && height > 0) || exceedsPixelLimits(width, height)) throw fail();
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw fail();
  if (compression !== 0 && compression !== 3 && compression !== 6) throw fail();
  // channel masks
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0];
  if (compression === 3 || compression === 6) {
    if (bpp !== 16 && bpp !== 32) throw fail();
    const at = dib >= 52 ? 54 : 14 + dib; // V2+ headers carry the masks, BITMAPINFOHEADER has them after it
    const n = compression === 6 || dib >= 56 ? 4 : 3;
    if (at + 4 * n > b.length) throw fail();
    masks = [0, 1, 2, 3].map((k) => (k < n ? dv.getUint32(at + 4 * k, true) : 0));
  } else if (bpp === 32 && dib >= 56) {
    masks = [0xff0000, 0xff00, 0xff, 0];
  }
  // palette
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const n = colours > 0 && colours <= 1 << bpp ? colours : 1 << bpp;
    const at = 14 + dib;
    if (at + n * entry > b.length) throw fail();
    palette = new Uint8Array(256 * 3);
    for (let k = 0; k < n; k++) {
      palette[k * 3] = b[at + k * entry + 2];
      palette[k * 3 + 1] = b[at + k * entry + 1];
      palette[k * 3 + 2] = b[at + k * entry];
    }
  }
  const rowSize = Math.floor((width * bpp + 31) / 32) * 4;
  if (pixOff < 14 + dib || pixOff + rowSize * height > b.length) throw fail();
  const out = new Uint8Array(width * height * 4);
  const shiftOf = (m: number) => {
    if (!m) return { shift: 0, max: 0 };
    let s = 0;
    while (s < 32 && !((m >>> s) & 1)) s++;
    const max = m >>> s;
    return { shift: s, max };
  };
  const ch = masks.map(shiftOf);
  const useAlpha = masks[3] !== 0;
  for (let y = 0; y < height; y++) {
    const row = pixOff + (topDown ? y : height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 4;
      if (palette) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)];
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[d] = palette[idx * 3];
        out[d + 1] = palette[idx * 3 + 1];
        out[d + 2] = palette[idx * 3 + 2];
        out[d + 3] = 255;
      } else if (bpp === 24) {
        const s = row + x * 3;
        out[d] = b[s + 2];
        out[d + 1] = b[s + 1];
        out[d + 2] = b[s];
        out[d + 3] = 255;
      } else {
        const s = row + x * (bpp / 8);
        const v = bpp === 16 ? dv.getUint16(s, true) : dv.getUint32(s, true);
        for (let k = 0; k < 3; k++) {
          const { shift, max } = ch[k];
          out[d + k] = max ? Math.round((((v & masks[k]) >>> shift) * 255) / max) : 0;
        }
        out[d + 3] = useAlpha && ch[3].max ? Math.round((((v & masks[3]) >>> ch[3].shift) * 255) / ch[3].max) : 255;
      }
    }
  }
  return { width, height, data: out };
}

export async function encodeInNode(
  img: { width: number; height: number; data: Uint8ClampedArray | Uint8Array },
  type: 'image/png' | 'image/jpeg' = 'image/jpeg',
  quality = 0.9,
): Promise<Uint8Array> {
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
  });
  const out = type === 'image/png' ? await s.png().toBuffer() : await s.jpeg({ quality: Math.round(quality * 100) }).toBuffer();
  return new Uint8Array(out);
}
