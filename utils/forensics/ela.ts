/**
 * Error level analysis: re-save the picture as JPEG at a known quality and show how much each
 * pixel changes. Regions pasted in from another source, or painted after the last save, often
 * re-compress differently from the rest. A hint for the report, never a verdict on its own.
 *
 * The JPEG codec is injected so this runs anywhere: the extension passes an OffscreenCanvas
 * (convertToBlob + createImageBitmap) pair, tests and Node tools pass sharp.
 */
import type { RGBAImage } from '../types';
import { downscale } from '../image/resize';

export interface JpegCodec {
  encode(img: RGBAImage, quality: number): Promise<Uint8Array>;
  decode(bytes: Uint8Array): Promise<RGBAImage>;
}

export interface ElaResult {
  /** Grey-level map (white = large error) at the analysed size. */
  map: RGBAImage;
  /** Mean and 99th percentile of the raw per-pixel error (0..255), for the report. */
  mean: number;
  p99: number;
  /** Gain applied to make the map visible. */
  gain: number;
  quality: number;
}

/** Longest side ELA works at (keeps it cheap). */
export const ELA_MAX_SIDE = 1024;


export async function errorLevelAnalysis(img: RGBAImage, codec: JpegCodec, quality = 90, maxSide = ELA_MAX_SIDE): Promise<ElaResult> {
  const src = downscale(img, maxSide);
  const again = await codec.decode(await codec.encode(src, quality));
  if (again.width !== src.width || again.height !== src.height) throw new Error('ela: codec changed the size');
  const n = src.width * src.height;
  const err = new Uint8Array(n);
  const hist = new Uint32Array(256);
  let sum = 0;
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    const e = Math.max(Math.abs(src.data[i] - again.data[i]), Math.abs(src.data[i + 1] - again.data[i + 1]), Math.abs(src.data[i + 2] - again.data[i + 2]));
    err[p] = e;
    hist[e]++;
    sum += e;
  }
  let p99 = 0;
  for (let acc = 0, v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc >= n * 0.99) {
      p99 = v;
      break;
    }
  }
  // Stretch so the 99th percentile becomes bright, at most 25×.
  const gain = Math.min(25, 230 / Math.max(1, p99));
  const map = new Uint8ClampedArray(n * 4);
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    const v = Math.min(255, err[p] * gain);
    map[i] = map[i + 1] = map[i + 2] = v;
    map[i + 3] = 255;
  }
  return { map: { width: src.width, height: src.height, data: map }, mean: Math.round((sum / n) * 100) / 100, p99, gain: Math.round(gain * 10) / 10, quality };
}
