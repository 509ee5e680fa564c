/**
 * Node-only decoder for tests, `npm run eval` and `npm run bench` (sharp/libvips).
 * Never imported by an entrypoint: the extension decodes with decode-browser.ts.
 */
import sharp from 'sharp';
import { CheckFailure } from '../errors';
import { fitSize, type Decoder } from './decode';

export const decodeInNode: Decoder = async (bytes, format, maxSide) => {
  if (format === 'heic' || format === 'tiff') {
    // Mirror the browser: Chromium cannot decode these either.
    throw new CheckFailure('err_unsupported_format', { format: format.toUpperCase() });
  }
  try {
    const base = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
    const meta = await sharp(bytes).metadata();
    let width = meta.width ?? 0;
    let height = meta.height ?? 0;
    if ((meta.orientation ?? 1) >= 5) [width, height] = [height, width];
    const fit = fitSize(width, height, maxSide);
    const { data, info } = await base
      .resize(fit.width, fit.height, { fit: 'fill' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
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
