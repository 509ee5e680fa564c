import { describe, expect, it } from 'vitest';
import { runCheck } from '../../utils/check';
import { decodeInNode } from '../../utils/image/decode-node';
import { ReferenceIndex } from '../../utils/hash/index';
import { computeFingerprint } from '../../utils/hash/fingerprint';
import { paintCrack, productJpeg } from '../fixtures/images';

async function libraryOf(refs: Record<string, Uint8Array>) {
  const index = new ReferenceIndex();
  const pixels = new Map();
  for (const [name, bytes] of Object.entries(refs)) {
    const d = await decodeInNode(bytes, 'jpeg', 1024);
    pixels.set(name, d.image);
    index.add({ id: name, name, libraryId: 'lib', fp: computeFingerprint(d.image) });
  }
  return { index, loadReference: async (id: string) => pixels.get(id), decode: decodeInNode };
}

describe('runCheck', () => {
  it('finds the saved photo behind a doctored copy and not behind an unrelated one', async () => {
    const saved = await productJpeg(1);
    const deps = await libraryOf({ 'kettle.jpg': saved, 'other.jpg': await productJpeg(2) });
    const doctored = await paintCrack(saved);
    const r = await runCheck({ bytes: doctored }, deps);
    expect(r.level).toMatch(/^derived/);
    expect(r.match?.referenceName).toBe('kettle.jpg');
    expect(r.file?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const unrelated = await runCheck({ bytes: await productJpeg(3) }, deps);
    expect(unrelated.match).toBeUndefined();
    expect(unrelated.level).toBe('no-evidence');
  });

  it('turns bad input into a clear error code, never a throw', async () => {
    const deps = await libraryOf({});
    const html = new TextEncoder().encode('<!doctype html><html><body>404</body></html>');
    expect((await runCheck({ bytes: html }, deps)).error?.code).toBe('err_html_not_image');
    expect((await runCheck({ bytes: new Uint8Array() }, deps)).error?.code).toBe('err_empty');
    const jpeg = await productJpeg(4);
    const truncated = jpeg.subarray(0, 300);
    const r = await runCheck({ bytes: truncated }, deps);
    expect(r.level).toBe('error');
    expect(r.error?.code).toBe('err_decode_failed');
  });
});

describe('stealth pnginfo through the pipeline', () => {
  it('reads generation parameters hidden in the alpha channel of a full-size PNG', async () => {
    const sharp = (await import('sharp')).default;
    const w = 96, h = 96;
    const { data } = await sharp(await productJpeg(9, w, h)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const text = new TextEncoder().encode('a red mug\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 96x96');
    const sig = Uint8Array.from('stealth_pnginfo', (c) => c.charCodeAt(0));
    const len = text.length * 8;
    const all = new Uint8Array([...sig, len >>> 24, (len >> 16) & 255, (len >> 8) & 255, len & 255, ...text]);
    let k = 0;
    for (let x = 0; x < w; x++) for (let y = 0; y < h; y++, k++) {
      const bit = k < all.length * 8 ? (all[k >> 3] >> (7 - (k & 7))) & 1 : 1;
      data[(y * w + x) * 4 + 3] = 254 | bit;
    }
    const png = new Uint8Array(await sharp(data, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer());
    const decodeFull = async (bytes: Uint8Array) => {
      const r = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: r.info.width, height: r.info.height, data: new Uint8ClampedArray(r.data) };
    };
    const deps = await libraryOf({});
    const withFull = await runCheck({ bytes: png }, { ...deps, decodeFull });
    expect(withFull.level).toBe('ai-labelled');
    expect(withFull.metadata?.signals.some((s) => s.source === 'generator')).toBe(true);
    const without = await runCheck({ bytes: png }, deps);
    expect(without.metadata?.signals.some((s) => s.source === 'generator')).toBe(false);
  });
});
