/**
 * The doctored-photo generator's new parts (tests/fixtures/dataset.ts): the projective warp, exact
 * masks after a perspective chain, thin-crack widths, two separate edits. On 400×300 pictures built
 * here; all lossless so painted pixels can be compared exactly.
 */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { applyHomography, homography, makeQuery, warpPerspective, type MadeQueryV2, type QuerySpec } from '../../fixtures/dataset';
import { rng } from '../../fixtures/images';

const W = 400, H = 300;

/** A textured picture: smooth colour field plus blocks and noise. */
async function textured(seed: number): Promise<Uint8Array> {
  const r = rng(seed);
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const o = (y * W + x) * 3, band = ((x >> 4) + (y >> 4)) % 2 ? 30 : 0;
    px[o] = 120 + band + ((x * 7) % 40) + r() * 20; px[o + 1] = 140 + band - ((y * 5) % 30) + r() * 20; px[o + 2] = 110 + band + r() * 20;
  }
  return new Uint8Array(await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
}

async function rgb(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, w: info.width, h: info.height };
}

async function maskBox(png: Uint8Array): Promise<[number, number, number, number] | null> {
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  let x0 = info.width, y0 = info.height, x1 = -1, y1 = -1;
  for (let i = 0; i < data.length; i++) if (data[i] > 127) { const x = i % info.width, y = (i / info.width) | 0; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

describe('projective warp', () => {
  it('maps the four corners where asked, in the maths and in the pixels', () => {
    const from: [number, number][] = [[0, 0], [W, 0], [W, H], [0, H]];
    const to: [number, number][] = [[30, 12], [380, 40], [395, 290], [8, 270]];
    const Hm = homography(from, to);
    for (let i = 0; i < 4; i++) {
      const [u, v] = applyHomography(Hm, ...from[i]);
      expect(Math.abs(u - to[i][0])).toBeLessThan(1e-6);
      expect(Math.abs(v - to[i][1])).toBeLessThan(1e-6);
    }
    // four coloured 10 px corner squares land at the four target corners
    const src = Buffer.alloc(W * H * 3, 128);
    const cols = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    const sq = [[0, 0], [W - 10, 0], [W - 10, H - 10], [0, H - 10]];
    sq.forEach(([sx, sy], k) => { for (let y = sy; y < sy + 10; y++) for (let x = sx; x < sx + 10; x++) src.set(cols[k], (y * W + x) * 3); });
    const out = warpPerspective(src, W, H, 3, Hm, 420, 320, { background: [0, 0, 0] });
    to.forEach(([u, v], k) => {
      // a point just inside the corner (towards the quad's centre)
      const x = Math.round(u + (200 - u) * 0.015), y = Math.round(v + (160 - v) * 0.015);
      expect([...out.subarray((y * 420 + x) * 3, (y * 420 + x) * 3 + 3)]).toEqual(cols[k]);
    });
    // outside the quad: background; nearest mode copies values only
    expect([...out.subarray(0, 3)]).toEqual([0, 0, 0]);
    const mask = Buffer.alloc(W * H); for (let i = 0; i < mask.length; i += 7) mask[i] = 255;
    const wm = warpPerspective(mask, W, H, 1, Hm, 420, 320, { nearest: true });
    expect(new Set(wm).size).toBe(2);
  });
});

describe('hard edits through perspective chains', () => {
  it('the mask box is the bounding box of the painted pixels after perspective (and perspective+screenshot)', async () => {
    const src = await textured(4);
    for (const [transform, edit, seed] of [['perspective', 'crack', 5], ['perspective+rotate', 'stain', 8], ['perspective+screenshot', 'darken', 9]] as const) {
      const base: QuerySpec = { transform, edit: null, jpegQuality: 90, seed, style: 'hard', lossless: true };
      const clean = await rgb((await makeQuery(src, base)).bytes);
      const made = await makeQuery(src, { ...base, edit });
      const ed = await rgb(made.bytes);
      expect([ed.w, ed.h]).toEqual([clean.w, clean.h]);
      // painted pixels: where the edited copy differs clearly from the clean copy of the same seed
      let x0 = ed.w, y0 = ed.h, x1 = -1, y1 = -1;
      for (let i = 0; i < ed.w * ed.h; i++) {
        const d = Math.max(Math.abs(ed.data[i * 3] - clean.data[i * 3]), Math.abs(ed.data[i * 3 + 1] - clean.data[i * 3 + 1]), Math.abs(ed.data[i * 3 + 2] - clean.data[i * 3 + 2]));
        if (d > 12) { const x = i % ed.w, y = (i / ed.w) | 0; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      }
      expect(x1).toBeGreaterThan(x0);
      const box = made.box!;
      expect(await maskBox(made.maskPng!)).toEqual(box);
      // soft edges and bilinear resampling: a few pixels of slack
      const slack = edit === 'crack' ? 2 : 4;
      for (const [a, b] of [[box[0], x0], [box[1], y0], [box[2], x1 + 1], [box[3], y1 + 1]]) expect(Math.abs(a - b), `${transform} ${edit} ${box} vs ${[x0, y0, x1 + 1, y1 + 1]}`).toBeLessThanOrEqual(slack);
    }
  });

  it('thin cracks have the asked main-stroke width in query pixels', async () => {
    const src = await textured(6);
    for (const [lo, hi] of [[2, 3], [6, 8]] as const) {
      const clean = await rgb((await makeQuery(src, { transform: 'none', edit: null, jpegQuality: 90, seed: 21, style: 'hard', lossless: true })).bytes);
      const made = (await makeQuery(src, { transform: 'none', edit: 'crack', jpegQuality: 90, seed: 21, style: 'hard', lossless: true, crackWidth: [lo, hi] })) as MadeQueryV2;
      const ed = await rgb(made.bytes);
      const width = made.edits![0].width!;
      expect(width).toBeGreaterThanOrEqual(lo);
      expect(width).toBeLessThanOrEqual(hi);
      // measure across the main stroke at each segment's middle: run of pixels changed by ≥ half the peak
      const diff = (x: number, y: number) => {
        const i = (Math.round(y - 0.5) * W + Math.round(x - 0.5)) * 3;
        return Math.max(...[0, 1, 2].map((c) => Math.abs(ed.data[i + c] - clean.data[i + c])));
      };
      const runs: number[] = [];
      const path = made.crackPaths![0];
      for (let i = 1; i < path.length; i++) {
        const [ax, ay] = path[i - 1], [bx, by] = path[i];
        const len = Math.hypot(bx - ax, by - ay);
        if (len < 3) continue;
        const mx = (ax + bx) / 2, my = (ay + by) / 2, nx = -(by - ay) / len, ny = (bx - ax) / len;
        const peak = diff(mx, my);
        if (peak < 30) continue;
        let n = 0;
        for (let t = -12; t <= 12; t += 0.25) if (diff(mx + nx * t, my + ny * t) >= peak / 2) n++;
        runs.push(n * 0.25);
      }
      runs.sort((a, b) => a - b);
      const med = runs[runs.length >> 1];
      expect(runs.length).toBeGreaterThan(3);
      expect(Math.abs(med - width), `median run ${med} vs width ${width}`).toBeLessThanOrEqual(1.5);
    }
  });

  it('two separate edits get two boxes, the mask is their union, and the crack width scales with the transform', async () => {
    const src = await textured(7);
    const made = await makeQuery(src, { transform: 'screenshot+perspective', edit: 'crack', moreEdits: ['blur'], jpegQuality: 60, seed: 13, style: 'hard' });
    expect(made.edits).toHaveLength(2);
    const [a, b] = made.edits!;
    expect(a.kind).toBe('crack');
    expect(b.kind).toBe('blur');
    expect(a.box[0] < b.box[2] && b.box[0] < a.box[2] && a.box[1] < b.box[3] && b.box[1] < a.box[3]).toBe(false);
    const union = await maskBox(made.maskPng!);
    expect(union).toEqual([Math.min(a.box[0], b.box[0]), Math.min(a.box[1], b.box[1]), Math.max(a.box[2], b.box[2]), Math.max(a.box[3], b.box[3])]);
    expect(a.width!).toBeGreaterThanOrEqual(2);
    expect(a.width!).toBeLessThanOrEqual(8);
  });
});
