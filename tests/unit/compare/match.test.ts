import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { findMatch } from '../../../utils/compare/match';
import { encodePng } from '../../../utils/compare/png';
import { computeFingerprint } from '../../../utils/hash/fingerprint';
import { ReferenceIndex } from '../../../utils/hash/index';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import { iouBoxes, iouBoxesMask } from '../../../scripts/eval/derived';
import { BASE_CAMERA, makeQuery, sceneJpeg, type TransformKind } from '../../fixtures/dataset';
import type { RGBAImage } from '../../../utils/types';

/** A small library: four rendered product photos, stored as working copies (JPEG q0.9, ≤ 1024 px). */
const refs = new Map<string, { bytes: Uint8Array; img: RGBAImage }>();
const index = new ReferenceIndex();
const deps = { index, loadReference: async (id: string) => refs.get(id)?.img };

async function check(bytes: Uint8Array) {
  const d = await decodeInNode(bytes, 'jpeg', 1024);
  return { ...(await findMatch(d.image, d, deps)), decoded: d };
}

beforeAll(async () => {
  for (let p = 1; p <= 4; p++) {
    const bytes = await sceneJpeg(p, { ...BASE_CAMERA, background: p }, 92);
    const img = (await decodeInNode(await encodeInNode((await decodeInNode(bytes, 'jpeg', 1024)).image, 'image/jpeg', 0.9), 'jpeg', 1024)).image;
    refs.set(`p${p}`, { bytes, img });
    index.add({ id: `p${p}`, name: `product-${p}.jpg`, libraryId: 'L', fp: computeFingerprint(img) });
  }
});

describe('findMatch: derived under every transformation', () => {
  const cases: [TransformKind, number][] = [
    ['none', 30], ['resize', 70], ['crop', 85], ['rotate', 50], ['rot90', 95], ['mirror', 70], ['screenshot', 85], ['color', 70], ['sticker', 50],
  ];
  for (const [transform, q] of cases) {
    it(`${transform} (JPEG q${q})`, async () => {
      const made = await makeQuery(refs.get('p2')!.bytes, { transform, edit: null, jpegQuality: q, seed: cases.findIndex((c) => c[0] === transform) + 3 });
      const r = await check(made.bytes);
      expect(r.match?.referenceId).toBe('p2');
      if (transform !== 'sticker') expect(r.localisation?.edited).toBe(false);
    });
  }
});

describe('findMatch: never derived for a new photo', () => {
  it('re-shot product (other camera offset, tilt, light, blur) does not match', async () => {
    const cams = [
      { dx: 60, dy: -30, zoom: 0.85, tilt: 6, light: -0.6, background: 2, skew: 5, squash: 0.9, blur: 0.8 },
      { dx: -70, dy: 40, zoom: 1.15, tilt: -5, light: 0.7, background: 77, skew: -6, squash: 0.92, blur: 0.6 },
    ];
    for (const cam of cams) {
      const r = await check(await sceneJpeg(2, cam, 85));
      expect(r.match).toBeUndefined();
    }
  });

  it('an unrelated product does not match', async () => {
    const r = await check(await sceneJpeg(9, { ...BASE_CAMERA, background: 9 }, 80));
    expect(r.match).toBeUndefined();
  });

  it('a flat picture matches nothing', async () => {
    const flat = new Uint8Array(await sharp({ create: { width: 400, height: 300, channels: 3, background: '#888' } }).jpeg().toBuffer());
    expect((await check(flat)).match).toBeUndefined();
  });
});

describe('localisation', () => {
  it('finds a painted crack (IoU vs the exact mask) and reports full-size boxes', async () => {
    const made = await makeQuery(refs.get('p3')!.bytes, { transform: 'resize', edit: 'stain', jpegQuality: 80, seed: 11 });
    const r = await check(made.bytes);
    expect(r.match?.referenceId).toBe('p3');
    expect(r.localisation?.edited).toBe(true);
    const { data, info } = await sharp(made.maskPng!).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(r.decoded.width);
    const iou = iouBoxesMask(r.localisation!.regions, new Uint8Array(data), info.width, info.height);
    expect(iou).toBeGreaterThan(0.5);
    for (const [x0, y0, x1, y1] of r.localisation!.regions) {
      expect(x0).toBeGreaterThanOrEqual(0); expect(y0).toBeGreaterThanOrEqual(0);
      expect(x1).toBeLessThanOrEqual(r.decoded.width); expect(y1).toBeLessThanOrEqual(r.decoded.height);
    }
  });

  it('finds a thin crack', async () => {
    const made = await makeQuery(refs.get('p1')!.bytes, { transform: 'none', edit: 'crack', jpegQuality: 85, seed: 5 });
    const r = await check(made.bytes);
    expect(r.match?.referenceId).toBe('p1');
    expect(r.localisation?.edited).toBe(true);
    // one region for the whole crack, whose box covers it
    expect(r.localisation!.regions).toHaveLength(1);
    expect(iouBoxes(r.localisation!.regions, [made.box!])).toBeGreaterThan(0.6);
  });

  it('renders the overlay as a valid PNG', async () => {
    const made = await makeQuery(refs.get('p4')!.bytes, { transform: 'crop', edit: 'tear', jpegQuality: 90, seed: 2 });
    const r = await check(made.bytes);
    const meta = await sharp(r.localisation!.overlayPng!).metadata();
    expect(meta.format).toBe('png');
    expect(meta.channels).toBe(4);
    expect(Math.abs(meta.width! / meta.height! - r.decoded.image.width / r.decoded.image.height)).toBeLessThan(0.02);
  });
});

describe('encodePng', () => {
  it('round-trips pixels', async () => {
    const px = new Uint8Array(5 * 3 * 4).map((_, i) => (i * 37) & 255);
    const { data, info } = await sharp(encodePng(5, 3, px)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([5, 3, 4]);
    expect(Array.from(data)).toEqual(Array.from(px));
  });
});
