import { describe, expect, it } from 'vitest';
import { computeFingerprint, FINGERPRINT_VERSION, FP_KEYPOINTS, MIN_QUALITY, trimBox, mirrorImage, rotateImage } from '../../../utils/hash/fingerprint';
import { toGray } from '../../../utils/hash/gray';
import { extractFeatures, matchDescriptors, popcount32 } from '../../../utils/hash/features';
import { hammingHex } from '../../../utils/hash/blockhash';
import { vectorImage } from './vector';
import type { RGBAImage } from '../../../utils/types';

/** Pinned output of fingerprint v2 on the formula-drawn vector image (see vector.ts). */
const VECTOR_V2 = {
  global: '00ff01811f813fff007f00ff00ff01ff0033007b3e7b7e373f833f87019f003f',
  mirror: 'ff00818081f8fffcfe00ff00ff00ff80cc00de00de7cec7ec1fce1fcf980fc00',
  quality: 0.996,
  keypoints: 48,
  firstDescriptor: [2849697977, 2179879897, 398759321, 797347638],
};

function flat(w: number, h: number, v: number): RGBAImage {
  return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(v).map((x, i) => (i % 4 === 3 ? 255 : x)) };
}

function framed(img: RGBAImage, pad: number, value: number): RGBAImage {
  const W = img.width + 2 * pad, H = img.height + 2 * pad;
  const out = flat(W, H, value);
  for (let y = 0; y < img.height; y++) out.data.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), ((y + pad) * W + pad) * 4);
  return out;
}

describe('fingerprint v2', () => {
  it('matches the pinned test vector', () => {
    const fp = computeFingerprint(vectorImage());
    expect(fp.v).toBe(FINGERPRINT_VERSION);
    expect(fp.global).toBe(VECTOR_V2.global);
    expect(fp.mirror).toBe(VECTOR_V2.mirror);
    expect(fp.quality).toBeCloseTo(VECTOR_V2.quality, 3);
    expect(fp.kp.length / 4).toBe(VECTOR_V2.keypoints);
    expect(Array.from(fp.kp.slice(0, 4))).toEqual(VECTOR_V2.firstDescriptor);
    expect(fp.kp.length / 4).toBeLessThanOrEqual(FP_KEYPOINTS);
  });

  it('is a plain structured-cloneable object', () => {
    const fp = computeFingerprint(vectorImage());
    const copy = structuredClone(fp);
    expect(copy).toEqual(fp);
    expect(copy.kp).toBeInstanceOf(Uint32Array);
  });

  it('gives flat and tiny pictures a low quality', () => {
    expect(computeFingerprint(flat(200, 150, 128)).quality).toBeLessThan(MIN_QUALITY);
    expect(computeFingerprint(flat(8, 8, 30)).quality).toBeLessThan(MIN_QUALITY);
    expect(computeFingerprint(vectorImage()).quality).toBeGreaterThan(0.8);
  });

  it('trims uniform borders so letterboxing does not move the global hash', () => {
    const img = vectorImage();
    const boxed = framed(img, 40, 0);
    const g = toGray(boxed);
    const [x0, y0, x1, y1] = trimBox(g);
    expect(Math.abs(x0 - 40)).toBeLessThanOrEqual(1);
    expect(Math.abs(y0 - 40)).toBeLessThanOrEqual(1);
    expect(Math.abs(x1 - (40 + img.width))).toBeLessThanOrEqual(1);
    expect(Math.abs(y1 - (40 + img.height))).toBeLessThanOrEqual(1);
    expect(hammingHex(computeFingerprint(boxed).global, computeFingerprint(img).global)).toBeLessThanOrEqual(16);
  });

  it('hashes the quarter turns on the query side', () => {
    const img = vectorImage();
    const q = computeFingerprint(rotateImage(img, 1), { query: true });
    const ref = computeFingerprint(img);
    // turning the query back (3 more quarter turns) lands on the reference hash
    expect(hammingHex(q.rot![2], ref.global)).toBeLessThanOrEqual(8);
    expect(hammingHex(computeFingerprint(mirrorImage(img)).global, ref.mirror)).toBeLessThanOrEqual(8);
  });
});

describe('keypoint features', () => {
  it('mirror descriptors of a mirrored picture match the plain descriptors of the original', () => {
    const img = vectorImage();
    const a = extractFeatures(toGray(img));
    const b = extractFeatures(toGray(mirrorImage(img)), { mirror: true });
    const plain = matchDescriptors(b.desc, b.n, a.desc, a.n);
    const mirrored = matchDescriptors(b.mdesc!, b.n, a.desc, a.n);
    expect(mirrored.n).toBeGreaterThan(plain.n);
    expect(mirrored.n).toBeGreaterThan(a.n * 0.4);
  });

  it('popcount32 counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
  });
});
