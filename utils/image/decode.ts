import type { ImageFormat, RGBAImage } from '../types';

export interface Decoded {
  /** Pixels at analysis size (longest side ≤ maxSide, never upscaled), EXIF orientation applied. */
  image: RGBAImage;
  /** Size of the full image as displayed (after orientation). */
  width: number;
  height: number;
}

/**
 * Platform decoder: the browser one uses createImageBitmap, the Node one (decode-node.ts, tests,
 * eval and bench only) uses sharp. Must throw CheckFailure('err_decode_failed' | 'err_unsupported_format').
 */
export type Decoder = (bytes: Uint8Array, format: ImageFormat, maxSide: number) => Promise<Decoded>;

/** Size that fits in maxSide, keeping the aspect ratio, never upscaling. */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}
