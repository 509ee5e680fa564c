/**
 * JIT warm-up of the matching code. The service worker starts cold (Chrome stops it after 30 idle
 * seconds) and the first matches of a fresh worker ran 2–4× slower than later ones (measured in
 * Chromium 156: 230–380 ms against 100–130 ms for the same 12 MP photo), the typed-array loops
 * still interpreted. Running the same steps twice on a synthetic picture while the worker is idle
 * (service.warmUp: a page showing check buttons asks for it) gets them compiled before the
 * merchant's first click.
 *
 * Pure: a synthetic textured picture, a one-entry index, the real findMatch on a clean copy (global
 * path), a copy with a painted edit and a crop of it (keypoint path, localisation). Nothing is
 * stored; the synthetic reference is dropped from the match cache afterwards.
 */
import { ReferenceIndex } from '../hash/index';
import { computeFingerprint, cropImage } from '../hash/fingerprint';
import { findMatch, forgetMatchReference } from './match';
import type { MatchOutcome } from './match';
import type { RGBAImage } from '../types';

const WARM_ID = '__refundlens_warmup__';

/** A deterministic textured picture: tiles of random grey with gradients (corners for keypoints). */
export function warmupPicture(width = 768, height = 576, seed = 7): RGBAImage {
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const data = new Uint8ClampedArray(width * height * 4);
  const cell = 48;
  const cols = Math.ceil(width / cell), rows = Math.ceil(height / cell);
  const base = Array.from({ length: cols * rows }, () => [rnd() * 255, rnd() * 255, rnd() * 255]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = base[((y / cell) | 0) * cols + ((x / cell) | 0)];
      const g = ((x % cell) + (y % cell)) * 0.6;
      const o = (y * width + x) * 4;
      data[o] = c[0] + g; data[o + 1] = c[1] - g; data[o + 2] = c[2] + g * 0.5; data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Paint a dark blot (a stand-in for a doctored stain) into a copy. */
function withBlot(img: RGBAImage): RGBAImage {
  const data = img.data.slice();
  const cx = img.width * 0.6, cy = img.height * 0.4, r = img.width * 0.08;
  for (let y = Math.floor(cy - r); y < cy + r; y++) {
    for (let x = Math.floor(cx - r); x < cx + r; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
      const o = (y * img.width + x) * 4;
      data[o] = 40; data[o + 1] = 30; data[o + 2] = 20;
    }
  }
  return { width: img.width, height: img.height, data };
}

/**
 * Run the matching steps `rounds` times; `pause` is awaited between steps (the caller yields to
 * real checks there). Returns the last outcomes (for tests).
 */
export async function warmUpMatching(rounds = 2, pause: () => Promise<void> = async () => {}): Promise<MatchOutcome[]> {
  const ref = warmupPicture();
  const index = new ReferenceIndex();
  index.add({ id: WARM_ID, name: 'warm-up', libraryId: WARM_ID, fp: computeFingerprint(ref) });
  index.build();
  const deps = { index, loadReference: async (id: string) => (id === WARM_ID ? ref : undefined) };
  const edited = withBlot(ref);
  const cropped = cropImage(edited, Math.round(ref.width * 0.12), Math.round(ref.height * 0.1), ref.width, Math.round(ref.height * 0.92));
  let out: MatchOutcome[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      out = [];
      for (const q of [ref, edited, cropped]) {
        await pause();
        out.push(await findMatch(q, q, deps));
      }
    }
  } finally {
    forgetMatchReference(WARM_ID);
  }
  return out;
}
