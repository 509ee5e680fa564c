import exifr from 'exifr';
import { CheckFailure } from '../errors';
import { fitSize, type Decoder } from './decode';
import type { RGBAImage } from '../types';
import { readDimensions } from './sniff';
import { exceedsPixelLimits } from './acquire';

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', bmp: 'image/bmp', avif: 'image/avif',
};

/**
 * Decode with createImageBitmap straight to analysis size (resizeWidth/Height: the full-size
 * bitmap is never drawn), then read pixels from an OffscreenCanvas. Works in the service worker.
 */
export const decodeInBrowser: Decoder = async (bytes, format, maxSide) => {
  if (format === 'heic' || format === 'tiff' || !MIME[format]) {
    throw new CheckFailure('err_unsupported_format', { format: format.toUpperCase() });
  }
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: MIME[format] });
  let bmp: ImageBitmap | undefined;
  try {
    // One decode, straight to analysis size: the size comes from the header and the EXIF
    // orientation, so the full-size bitmap is never built (halves the time on 12 MP photos).
    let size: { width: number; height: number } | undefined = readDimensions(bytes, format);
    // Capped here too, whoever calls: no decode of a header that claims too many pixels.
    if (!size || exceedsPixelLimits(size.width, size.height)) {
      throw new CheckFailure(size ? 'err_too_many_pixels' : 'err_decode_failed', size ? { width: size.width, height: size.height } : {});
    }
    if (format === 'jpeg') {
      const o = await exifr.orientation(bytes).catch(() => undefined);
      if (typeof o === 'number' && o >= 5 && o <= 8) size = { width: size.height, height: size.width };
    }
    const { width, height } = size;
    const fit = fitSize(width, height, maxSide);
    bmp = await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      resizeWidth: fit.width,
      resizeHeight: fit.height,
      resizeQuality: 'medium',
    });
    return { image: drawnPixels(bmp, bmp.width, bmp.height), width, height };
  } catch (e) {
    if (e instanceof CheckFailure) throw e;
    throw new CheckFailure('err_decode_failed');
  } finally {
    bmp?.close();
  }
};

/**
 * A canvas's pixel store lives outside the JavaScript heap and is freed when the canvas is
 * collected, which a worker that allocates little else does late. Shrinking it after use frees
 * the store at once.
 */
function release(canvas: OffscreenCanvas): void {
  canvas.width = 0;
  canvas.height = 0;
}

/** RGBA pixels of `source` drawn at width × height on an OffscreenCanvas (resized when needed). */
export function drawnPixels(source: CanvasImageSource, width: number, height: number): RGBAImage & { data: Uint8ClampedArray } {
  const canvas = new OffscreenCanvas(width, height);
  try {
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.imageSmoothingQuality = 'medium';
    ctx.drawImage(source, 0, 0, width, height);
    return { width, height, data: ctx.getImageData(0, 0, width, height).data };
  } finally {
    release(canvas);
  }
}

/** Encode RGBA to PNG/JPEG bytes in the browser (thumbnails, working copies, overlays). */
export async function encodeInBrowser(
  img: { width: number; height: number; data: Uint8ClampedArray | Uint8Array },
  type: 'image/png' | 'image/jpeg' = 'image/jpeg',
  quality = 0.9,
): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(img.width, img.height);
  try {
    const ctx = canvas.getContext('2d')!;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
    const blob = await canvas.convertToBlob({ type, quality });
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    release(canvas);
  }
}

/**
 * Full-size pixels with the alpha channel's low bits intact (no premultiplication, no colour
 * conversion), for stealth pnginfo. Only called for PNG/WebP up to STEALTH_MAX_PIXELS.
 */
export async function decodeFullInBrowser(bytes: Uint8Array, format: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: MIME[format] ?? 'application/octet-stream' });
  const bmp = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  try {
    return drawnPixels(bmp, bmp.width, bmp.height);
  } finally {
    bmp.close();
  }
}
