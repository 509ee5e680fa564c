import { describe, expect, it } from 'vitest';
import { differencePicture, transformFor, warpReference } from '../../../utils/report/difference';
import type { RGBAImage } from '../../../utils/types';

/** A textured reference (deterministic): smooth waves plus a seeded grain. */
function texture(w: number, h: number): RGBAImage {
  const data = new Uint8ClampedArray(w * h * 4);
  let seed = 7;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const o = (y * w + x) * 4;
    const v = 110 + 60 * Math.sin(x / 9) * Math.cos(y / 13) + ((seed >> 16) % 9);
    data[o] = v; data[o + 1] = v * 0.8 + 20; data[o + 2] = 200 - v * 0.5; data[o + 3] = 255;
  }
  return { width: w, height: h, data };
}

/** The buyer copy: the reference scaled by 1/s (nearest), optionally brightened and with a painted dark line. */
function buyerFrom(ref: RGBAImage, s: number, opts: { line?: boolean; gain?: number } = {}): RGBAImage {
  const w = Math.round(ref.width / s), h = Math.round(ref.height / s);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const sx = Math.min(ref.width - 1, Math.floor((x + 0.5) * s)), sy = Math.min(ref.height - 1, Math.floor((y + 0.5) * s));
    for (let k = 0; k < 4; k++) data[(y * w + x) * 4 + k] = k === 3 ? 255 : ref.data[(sy * ref.width + sx) * 4 + k] * (opts.gain ?? 1);
  }
  if (opts.line) {
    for (let t = 0; t < 80; t++) for (let d = -2; d <= 2; d++) {
      const x = 40 + t, y = 30 + Math.round(t * 0.5) + d;
      const o = (y * w + x) * 4;
      data[o] = data[o + 1] = data[o + 2] = 10;
    }
  }
  return { width: w, height: h, data };
}

function brightShare(img: RGBAImage, box?: [number, number, number, number]): number {
  let n = 0, hit = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    if (box && !(x >= box[0] && x < box[2] && y >= box[1] && y < box[3])) continue;
    n++;
    const o = (y * img.width + x) * 4;
    if (img.data[o] === 255 && img.data[o + 1] >= 150) hit++;
  }
  return hit / n;
}

describe('difference picture', () => {
  const ref = texture(300, 240);
  const H = [1.5, 0, 0, 0, 1.5, 0, 0, 0, 1]; // buyer px → reference px

  it('lights up a painted line and little else', () => {
    const buyer = buyerFrom(ref, 1.5, { line: true });
    const aligned = warpReference(ref, transformFor(H, buyer, ref), buyer.width, buyer.height);
    const { image } = differencePicture(buyer, aligned);
    expect(brightShare(image, [40, 28, 120, 72])).toBeGreaterThan(0.12);
    expect(brightShare(image, [130, 90, 200, 160])).toBeLessThan(0.01);
  });

  it('a clean, recoloured copy stays dark', () => {
    const buyer = buyerFrom(ref, 1.5, { gain: 1.15 });
    const aligned = warpReference(ref, transformFor(H, buyer, ref), buyer.width, buyer.height);
    expect(aligned.valid.reduce((a, b) => a + b, 0)).toBeGreaterThan(buyer.width * buyer.height * 0.95);
    expect(brightShare(differencePicture(buyer, aligned).image)).toBeLessThan(0.01);
  });

  it('warps with a full perspective transform and marks what the reference does not cover', () => {
    const P = [1.2, 0.05, 5, 0.02, 1.1, 3, 0.0004, 0.0002, 1];
    const { valid, image } = warpReference(ref, P, 300, 240);
    expect(image.width).toBe(300);
    const covered = valid.reduce((a, b) => a + b, 0) / valid.length;
    expect(covered).toBeGreaterThan(0.4);
    expect(covered).toBeLessThan(1);
  });
});
