import { CheckFailure } from '../errors';
import { fitSize, type Decoded, type Decoder } from './decode';
import { readDimensions } from './sniff';
import { exceedsPixelLimits } from './acquire';
import { drawnPixels } from './decode-browser';

/**
 * JPEG straight to analysis size with WebCodecs `ImageDecoder` (a page or a dedicated worker; not
 * the service worker, which lacks it). Asked for a smaller size, Chromium's JPEG decoder scales
 * while it decodes (libjpeg's 1/8…8/8 IDCT scaling), so a 12 MP photo is never built at full size:
 * measured in Chromium 156 on a 4000×3000 phone JPEG, 105 ms for decode + resize + pixels against
 * 290 ms for createImageBitmap's full decode alone.
 *
 * The decoder picks the largest scale M/8 whose size stays within the one asked for, so we ask
 * for the smallest scale that still covers the analysis size and let the canvas take it the rest
 * of the way: the result has exactly the size decodeInBrowser gives (fitSize of the oriented
 * image). The frame carries the EXIF rotation/flip and createImageBitmap applies it (all eight
 * orientations checked in the e2e suite against createImageBitmap's imageOrientation 'from-image').
 */
export function scaledDecodeAvailable(): boolean {
  const g = globalThis as { ImageDecoder?: unknown; OffscreenCanvas?: unknown };
  return typeof g.ImageDecoder === 'function' && typeof g.OffscreenCanvas === 'function';
}

/** The scale numerator (of 8) the decoder is asked for: the smallest that covers maxSide. */
export function jpegScaleEighths(width: number, height: number, maxSide: number): number {
  const long = Math.max(width, height);
  if (long <= maxSide) return 8;
  return Math.min(8, Math.max(1, Math.ceil((8 * maxSide) / long - 1e-9)));
}

interface FrameLike {
  displayWidth: number;
  displayHeight: number;
  rotation?: number;
  close(): void;
}
interface ImageDecoderLike {
  decode(): Promise<{ image: FrameLike }>;
  close(): void;
}
type ImageDecoderCtor = new (init: { data: BufferSource; type: string; desiredWidth?: number; desiredHeight?: number }) => ImageDecoderLike;

export async function decodeJpegScaled(bytes: Uint8Array, maxSide: number): Promise<Decoded> {
  const coded = readDimensions(bytes, 'jpeg');
  if (!coded || exceedsPixelLimits(coded.width, coded.height)) {
    throw new CheckFailure(coded ? 'err_too_many_pixels' : 'err_decode_failed', coded ? { width: coded.width, height: coded.height } : {});
  }
  const Ctor = (globalThis as unknown as { ImageDecoder: ImageDecoderCtor }).ImageDecoder;
  const m = jpegScaleEighths(coded.width, coded.height, maxSide);
  let decoder: ImageDecoderLike | undefined;
  let frame: FrameLike | undefined;
  try {
    decoder = new Ctor({
      data: bytes as Uint8Array<ArrayBuffer>,
      type: 'image/jpeg',
      ...(m < 8 ? { desiredWidth: Math.ceil((coded.width * m) / 8), desiredHeight: Math.ceil((coded.height * m) / 8) } : {}),
    });
    frame = (await decoder.decode()).image;
    const turned = frame.rotation === 90 || frame.rotation === 270;
    const width = turned ? coded.height : coded.width;
    const height = turned ? coded.width : coded.height;
    const fit = fitSize(width, height, maxSide);
    // Through an ImageBitmap that is closed at once: drawing the frame itself on a canvas kept its
    // pixels (4.3 MB per 1600×1200 photo) until a garbage collection that a worker seldom runs
    // (+160 MB after 40 decodes in Chromium 156; through the bitmap: flat).
    const bmp = await createImageBitmap(frame as unknown as ImageBitmapSource, { resizeWidth: fit.width, resizeHeight: fit.height, resizeQuality: 'medium' });
    try {
      return { image: drawnPixels(bmp, fit.width, fit.height), width, height };
    } finally {
      bmp.close();
    }
  } catch (e) {
    if (e instanceof CheckFailure) throw e;
    throw new CheckFailure('err_decode_failed');
  } finally {
    frame?.close();
    decoder?.close();
  }
}

/**
 * A Decoder that takes JPEGs itself when this context has ImageDecoder (pages such as the library
 * importer, a Firefox background page) and hands everything else, and any failure other than the
 * photo's size, to `fallback` (createImageBitmap). Same sizes either way.
 */
export function scaledJpegFirst(fallback: Decoder): Decoder {
  return async (bytes, format, maxSide) => {
    if (format !== 'jpeg' || !scaledDecodeAvailable()) return fallback(bytes, format, maxSide);
    try {
      return await decodeJpegScaled(bytes, maxSide);
    } catch (e) {
      if (e instanceof CheckFailure && e.code === 'err_too_many_pixels') throw e;
      return fallback(bytes, format, maxSide);
    }
  };
}
