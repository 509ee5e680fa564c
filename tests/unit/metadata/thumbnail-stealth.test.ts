import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { compareThumbnail, thumbnailDisagreement } from '../../../utils/metadata/thumbnail';
import { readStealthPngInfo, stealthSignal } from '../../../utils/metadata/stealth';
import { readMetadata } from '../../../utils/metadata/read';
import { GEN } from '../../../utils/metadata/signals/generator';
import { app1Exif, ascii, concat, gzipSync, jpegWith, latin1, plainJpeg, tiff } from './builders';
import type { RGBAImage } from '../../../utils/types';
import { productSvg } from '../../fixtures/images';

async function rgba(bytes: Uint8Array | Buffer, w?: number, h?: number): Promise<RGBAImage> {
  let s = sharp(bytes);
  if (w && h) s = s.resize(w, h, { fit: 'fill' });
  const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

describe('EXIF thumbnail disagreement', () => {
  it('the embedded thumbnail is returned; same picture → no signal, other picture → signal', async () => {
    const scene = Buffer.from(productSvg(11, 400, 300));
    const other = Buffer.from(productSvg(12, 400, 300));
    const thumbJpeg = new Uint8Array(await sharp(scene).resize(160, 120).jpeg({ quality: 80 }).toBuffer());
    const file = await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Canon') }, thumbnail: thumbJpeg }))]);
    const meta = await readMetadata(file, 'jpeg');
    expect(Array.from(meta.thumbnail!)).toEqual(Array.from(thumbJpeg));
    const thumb = await rgba(meta.thumbnail!);
    expect(compareThumbnail(thumb, await rgba(scene, 400, 300))).toBeUndefined();
    const s = compareThumbnail(thumb, await rgba(other, 400, 300));
    expect(s).toMatchObject({ kind: 'thumbnail', code: 'sig_thumbnail_differs', weight: 0.7 });
    expect(s!.raw).toHaveLength(2);
  });
  it('letterboxed thumbnails are trimmed; orientation is applied to the thumbnail', async () => {
    const scene = Buffer.from(productSvg(21, 300, 200));
    const boxed = await sharp(scene).resize(160, 120, { fit: 'contain', background: '#000' }).jpeg().toBuffer();
    expect(compareThumbnail(await rgba(boxed), await rgba(scene, 300, 200))).toBeUndefined();
    const rotatedMain = await rgba(await sharp(scene).rotate(90).png().toBuffer());
    expect(compareThumbnail(await rgba(await sharp(scene).resize(150, 100).png().toBuffer()), rotatedMain, 6)).toBeUndefined();
  });
  it('hash-level helper thresholds', () => {
    const a = '0'.repeat(64);
    expect(thumbnailDisagreement(a, a)).toBeUndefined();
    expect(thumbnailDisagreement(a, 'f'.repeat(30) + '0'.repeat(34))?.code).toBe('sig_thumbnail_differs');
    expect(thumbnailDisagreement(a, 'f'.repeat(14) + '0'.repeat(50))?.code).toBe('sig_thumbnail_differs_weak');
    expect(thumbnailDisagreement(a, 'ff')).toBeUndefined();
  });
});

/** Hide text the way sd-webui-stealth-pnginfo does: alpha LSBs, column by column. */
function embedStealth(img: RGBAImage, text: string, compressed: boolean): void {
  const payload = compressed ? gzipSync(new TextEncoder().encode(text)) : new TextEncoder().encode(text);
  const sig = latin1(compressed ? 'stealth_pngcomp' : 'stealth_pnginfo');
  const len = payload.length * 8;
  const all = concat(sig, [(len >>> 24) & 255, (len >> 16) & 255, (len >> 8) & 255, len & 255], payload);
  let k = 0;
  for (let x = 0; x < img.width; x++) {
    for (let y = 0; y < img.height; y++) {
      const i = (y * img.width + x) * 4 + 3;
      const bit = k < all.length * 8 ? (all[k >> 3] >> (7 - (k & 7))) & 1 : 1;
      img.data[i] = (img.data[i] & 0xfe) | bit;
      k++;
    }
  }
}

describe('stealth pnginfo', () => {
  const params = 'a duck\nNegative prompt: x\nSteps: 15, Sampler: UniPC, CFG scale: 5, Seed: 1, Size: 64x64';
  for (const compressed of [false, true]) {
    it(`reads parameters hidden in alpha LSBs (${compressed ? 'gzip' : 'plain'}) after a lossless PNG round trip`, async () => {
      const img = await rgba(await plainJpeg({ width: 64, height: 64 }));
      embedStealth(img, params, compressed);
      const png = await sharp(Buffer.from(img.data), { raw: { width: 64, height: 64, channels: 4 } }).png().toBuffer();
      const back = await rgba(png);
      expect(readStealthPngInfo(back)).toEqual({ text: params, mode: 'alpha', compressed });
      expect(stealthSignal(back)).toMatchObject({ source: 'generator', kind: 'ai', weight: 0.95, params: { name: GEN.a1111 } });
    });
  }
  it('ordinary pixels and lying lengths give nothing', async () => {
    const img = await rgba(await plainJpeg({ width: 64, height: 64 }));
    expect(readStealthPngInfo(img)).toBeUndefined();
    embedStealth(img, params, false);
    // Corrupt the length field to claim far more bits than the image holds.
    for (let x = 0; x < 1; x++) for (let y = 0; y < 64; y++) { const k = x * 64 + y; if (k >= 120 && k < 130) img.data[(y * 64 + x) * 4 + 3] |= 1; }
    expect(() => readStealthPngInfo(img)).not.toThrow();
  });
});
