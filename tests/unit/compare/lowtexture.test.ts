/**
 * The two failure classes of texture-poor photos, on generated pictures:
 *  - a nearly texture-less photo (smooth colour gradient, no keypoints) cropped, mirrored, re-saved,
 *    with a stain: aligned by dense registration and judged by the flat rule;
 *  - a very dark, low-contrast photo inside a bright phone-screenshot frame (status bar, chat
 *    header, input bar), with a bright sticker: local contrast for the keypoints, the reference's
 *    contrast for the dense comparison.
 * And their hard negatives: a look-alike backdrop, another smooth photo, a dark re-shoot of the
 * same product, must never match.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { findMatch } from '../../../utils/compare/match';
import { registerDense, applyAffine } from '../../../utils/compare/geometry';
import { computeFingerprint } from '../../../utils/hash/fingerprint';
import { toGray } from '../../../utils/hash/gray';
import { extractFeatures } from '../../../utils/hash/features';
import { ReferenceIndex } from '../../../utils/hash/index';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import { BASE_CAMERA, darkSceneJpeg, gradientJpeg, gradientLook, makeQuery, sceneJpeg } from '../../fixtures/dataset';
import type { RGBAImage } from '../../../utils/types';
import { cachedBytes } from '../../fixtures/cache';

const refs = new Map<string, { bytes: Uint8Array; img: RGBAImage }>();
const index = new ReferenceIndex();
const deps = { index, loadReference: async (id: string) => refs.get(id)?.img };

async function workingCopy(id: string, bytes: Uint8Array): Promise<RGBAImage> {
  // The saved working copy (decode → JPEG q90), built once and shared (tests/fixtures/cache.ts).
  const jpeg = await cachedBytes(`lowtexture-working:${id}`, async () => encodeInNode((await decodeInNode(bytes, 'jpeg', 1024)).image, 'image/jpeg', 0.9));
  return (await decodeInNode(jpeg, 'jpeg', 1024)).image;
}

async function add(id: string, make: () => Promise<Uint8Array>) {
  const bytes = await cachedBytes(`lowtexture-ref:${id}`, make);
  const img = await workingCopy(id, bytes);
  refs.set(id, { bytes, img });
  index.add({ id, name: `${id}.jpg`, libraryId: 'L', fp: computeFingerprint(img) });
}

async function check(bytes: Uint8Array) {
  const d = await decodeInNode(bytes, 'jpeg', 1024);
  return findMatch(d.image, d, deps);
}

/** A large painted stain (about 9 % of the picture). */
const STAIN = (w: number, h: number) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><ellipse cx="${w * 0.4}" cy="${h * 0.6}" rx="${w * 0.16}" ry="${h * 0.18}" fill="#5a3a18" opacity="0.65"/></svg>`);

beforeAll(async () => {
  // a library mixing texture-less backdrops, a dark photo and ordinary product photos
  for (const s of [11, 12, 13]) await add(`g${s}`, () => gradientJpeg(s, 92));
  await add('dark', () => darkSceneJpeg(61, { ...BASE_CAMERA, background: 61 }, 92, 0.06));
  for (let p = 1; p <= 3; p++) await add(`p${p}`, () => sceneJpeg(p, { ...BASE_CAMERA, background: p }, 92));
});

describe('texture-less photo (smooth gradient)', () => {
  it('has no keypoints to align by', () => {
    const f = extractFeatures(toGray(refs.get('g11')!.img));
    expect(f.n).toBeLessThan(10);
  });

  it('a crop (62 % of the area, JPEG q50) is derived from it', async () => {
    const bytes = new Uint8Array(await sharp(refs.get('g12')!.bytes).extract({ left: 180, top: 60, width: 940, height: 630 }).jpeg({ quality: 50 }).toBuffer());
    const r = await check(bytes);
    expect(r.match?.referenceId).toBe('g12');
    expect(r.localisation?.edited).toBe(false);
  });

  it('a mirrored copy with a painted stain is derived from it, and the stain is found', async () => {
    const src = refs.get('g11')!.bytes;
    const stained = await sharp(src).composite([{ input: STAIN(1200, 800) }]).png().toBuffer();
    const bytes = new Uint8Array(await sharp(stained).flop().jpeg({ quality: 85 }).toBuffer());
    const r = await check(bytes);
    expect(r.match?.referenceId).toBe('g11');
    expect(r.match?.variant).toContain('mirror');
    expect(r.localisation?.edited).toBe(true);
    // the stain is mirrored: centre at x = 0.6 of the width
    const d = await decodeInNode(bytes, 'jpeg', 4096);
    const [x0, y0, x1, y1] = r.localisation!.regions.reduce((b, q) => [Math.min(b[0], q[0]), Math.min(b[1], q[1]), Math.max(b[2], q[2]), Math.max(b[3], q[3])], [1e9, 1e9, 0, 0]);
    expect(Math.abs((x0 + x1) / 2 / d.width - 0.6)).toBeLessThan(0.06);
    expect(Math.abs((y0 + y1) / 2 / d.height - 0.6)).toBeLessThan(0.06);
  });

  it('a mirrored crop with a stain is derived from it', async () => {
    const stained = await sharp(refs.get('g13')!.bytes).composite([{ input: STAIN(1200, 800) }]).png().toBuffer();
    const bytes = new Uint8Array(await sharp(await sharp(stained).extract({ left: 60, top: 100, width: 1000, height: 640 }).png().toBuffer()).flop().jpeg({ quality: 80 }).toBuffer());
    const r = await check(bytes);
    expect(r.match?.referenceId).toBe('g13');
    expect(r.localisation?.edited).toBe(true);
  });

  it('a crop with a stain (generated dataset transform) is derived from it', async () => {
    const made = await makeQuery(refs.get('g13')!.bytes, { transform: 'crop', edit: 'stain', jpegQuality: 70, seed: 53 });
    const r = await check(made.bytes);
    expect(r.match?.referenceId).toBe('g13');
  });

  it('a look-alike backdrop (same colours, transitions and glow moved, other light) is not derived', async () => {
    for (const [s, dx, dy] of [[11, 0.08, -0.07], [12, -0.1, 0.06], [13, 0.07, 0.09]]) {
      const look = gradientLook(s);
      const bytes = await gradientJpeg(s, 85, 1200, 800, {
        split: [look.split![0] + dx, look.split![1] + dy], glow: [1 - look.glow![0], 1 - look.glow![1]], light: 0.4,
      });
      for (const q of [bytes, new Uint8Array(await sharp(bytes).extract({ left: 100, top: 80, width: 1000, height: 640 }).jpeg({ quality: 70 }).toBuffer())]) {
        expect((await check(q)).match).toBeUndefined();
      }
    }
  });

  it('another smooth photo is not derived', async () => {
    for (const s of [21, 22, 23, 24]) expect((await check(await gradientJpeg(s, 85))).match).toBeUndefined();
  });

  it('dense registration recovers a known crop and mirror to a few pixels', async () => {
    const ref = toGray(refs.get('g12')!.img);
    const kr = ref.width / 1200;
    for (const [l, t, w, h, flop] of [[100, 80, 900, 600, 0], [0, 0, 1200, 800, 1], [300, 50, 800, 700, 0]] as const) {
      let s = sharp(refs.get('g12')!.bytes).extract({ left: l, top: t, width: w, height: h });
      if (flop) s = sharp(await s.png().toBuffer()).flop();
      const d = await decodeInNode(new Uint8Array(await s.jpeg({ quality: 60 }).toBuffer()), 'jpeg', 1024);
      const q = d.image;
      const fit = registerDense(toGray(q), ref)!;
      expect(fit.error).toBeLessThan(0.1);
      const k = q.width / w;
      for (const [x, y] of [[0, 0], [q.width, q.height], [q.width, 0]]) {
        const [a, b] = applyAffine(fit.T, x, y);
        const sx = flop ? w - x / k : x / k;
        expect(Math.hypot(a - (sx + l) * kr, b - (y / k + t) * kr)).toBeLessThan(24);
      }
    }
  });
});

describe('very dark photo', () => {
  it('inside a bright chat screenshot, with a bright sticker (JPEG q35), is derived from it', async () => {
    for (const seed of [4, 9]) {
      const made = await makeQuery(refs.get('dark')!.bytes, { transform: 'screenshot', edit: 'tear', jpegQuality: 35, seed });
      const r = await check(made.bytes);
      expect(r.match?.referenceId).toBe('dark');
      expect(r.match?.variant).toContain('screenshot');
    }
  });

  it('with a bright tear, full frame, is derived and the tear is found', async () => {
    const made = await makeQuery(refs.get('dark')!.bytes, { transform: 'none', edit: 'tear', jpegQuality: 50, seed: 7 });
    const r = await check(made.bytes);
    expect(r.match?.referenceId).toBe('dark');
    expect(r.localisation?.edited).toBe(true);
  });

  it('local contrast finds its corners inside a bright frame', async () => {
    const made = await makeQuery(refs.get('dark')!.bytes, { transform: 'screenshot', edit: null, jpegQuality: 70, seed: 4 });
    const g = toGray((await decodeInNode(made.bytes, 'jpeg', 1024)).image);
    expect(extractFeatures(g, { localContrast: true }).n).toBeGreaterThan(2 * extractFeatures(g).n);
  });

  it('a dark re-shoot of the same product, or of another, is not derived', async () => {
    const cams = [
      { dx: 60, dy: -30, zoom: 0.85, tilt: 6, light: -0.6, background: 61, skew: 5, squash: 0.9, blur: 0.8 },
      { dx: -70, dy: 40, zoom: 1.15, tilt: -5, light: 0.7, background: 61, skew: -6, squash: 0.92, blur: 0.6 },
    ];
    for (const cam of cams) {
      expect((await check(await darkSceneJpeg(61, cam, 85, 0.06))).match).toBeUndefined();
      const shot = await makeQuery(await darkSceneJpeg(61, cam, 90, 0.06), { transform: 'screenshot', edit: null, jpegQuality: 50, seed: 3 });
      expect((await check(shot.bytes)).match).toBeUndefined();
    }
    // other products, shot in the dark (a darkened copy of a library photo would be derived)
    for (const p of [21, 22, 23]) expect((await check(await darkSceneJpeg(p, { ...BASE_CAMERA, background: p }, 85, 0.06))).match).toBeUndefined();
  });
});
