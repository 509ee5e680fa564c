/**
 * The pictures stored with a check's record: the buyer photo at analysis size, its thumbnail and,
 * for JPEGs, the error level analysis map (a hint for the report). Pure over an encoder and a
 * decoder, so it runs in the service worker, in the offscreen decoder's worker
 * (utils/image/decode-remote.ts: off the service worker's thread) and in Node.
 */
import type { Decoder } from '../image/decode';
import { downscale } from '../image/resize';
import { errorLevelAnalysis, type JpegCodec } from '../forensics/ela';
import { LIMITS } from '../limits';
import type { RGBAImage } from '../types';
import type { CheckRecord } from './db';
import type { Encoder } from './prepare';

export type CheckPictures = Pick<CheckRecord, 'image' | 'thumb' | 'ela'>;

/** Longest side of a check's thumbnail in the history list. */
export const CHECK_THUMB_SIDE = 160;

/**
 * `pause` is awaited before each step (each blocks its thread for tens of ms: pixel copies, JPEG
 * encodes); the service worker yields to running checks there.
 */
export async function makePictures(
  img: RGBAImage,
  jpeg: boolean,
  platform: { encode: Encoder; decode: Decoder },
  pause?: () => Promise<void> | undefined,
): Promise<CheckPictures> {
  await pause?.();
  const image = await platform.encode(img, 'image/jpeg', 0.85);
  await pause?.();
  const thumb = await platform.encode(downscale(img, CHECK_THUMB_SIDE), 'image/jpeg', 0.8);
  await pause?.();
  const ela = jpeg ? await elaPicture(img, platform) : undefined;
  return { image, thumb, ela };
}

async function elaPicture(img: RGBAImage, platform: { encode: Encoder; decode: Decoder }): Promise<CheckRecord['ela']> {
  try {
    const codec: JpegCodec = {
      encode: (i, q) => platform.encode(i, 'image/jpeg', q / 100),
      decode: async (b) => (await platform.decode(b, 'jpeg', LIMITS.analysisMaxSide)).image,
    };
    const r = await errorLevelAnalysis(img, codec, 90, LIMITS.analysisMaxSide);
    return { png: await platform.encode(r.map, 'image/png'), mean: r.mean, p99: r.p99, gain: r.gain, quality: r.quality };
  } catch {
    return undefined;
  }
}
