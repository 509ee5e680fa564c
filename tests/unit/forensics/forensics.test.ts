import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { estimateQuality, ijgTable, jpegQuantSignal, readQuantTables, STD_LUMA, ZIGZAG } from '../../../utils/forensics/jpeg-quant';
import { errorLevelAnalysis, type JpegCodec } from '../../../utils/forensics/ela';
import type { RGBAImage } from '../../../utils/types';
import { productSvg } from '../../fixtures/images';

const sharpCodec: JpegCodec = {
  async encode(img, quality) {
    return new Uint8Array(await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 4 } }).jpeg({ quality }).toBuffer());
  },
  async decode(bytes) {
    const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
  },
};

describe('JPEG quantisation tables', () => {
  it('libjpeg output at quality q is recognised as standard IJG tables at q', async () => {
    for (const q of [35, 60, 75, 90, 95]) {
      const f = new Uint8Array(await sharp(Buffer.from(productSvg(3, 64, 48))).jpeg({ quality: q }).toBuffer());
      const est = estimateQuality(readQuantTables(f))!;
      expect(est).toMatchObject({ quality: q, standard: true, hint: 'software' });
      expect(jpegQuantSignal(f, false)).toMatchObject({ kind: 'forensic', weight: 0.2, params: { quality: q } });
    }
  });
  it('hand-written camera-style tables are "custom" with a nearby quality', () => {
    const base = ijgTable(STD_LUMA, 92).map((v, i) => v + (i % 3 === 0 ? 1 : 0));
    const dqt = [0xff, 0xdb, 0, 67, 0x00, ...ZIGZAG.map((z) => base[z])];
    const f = Uint8Array.from([0xff, 0xd8, ...dqt, 0xff, 0xd9]);
    const est = estimateQuality(readQuantTables(f))!;
    expect(est.standard).toBe(false);
    expect(Math.abs(est.quality - 92)).toBeLessThanOrEqual(3);
    expect(jpegQuantSignal(f, true)).toMatchObject({ weight: 0, code: 'sig_jpeg_custom_tables' });
  });
  it('truncated or lying DQT segments never throw', () => {
    expect(readQuantTables(Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0xff, 0xff, 0x10]))).toEqual([]);
    expect(estimateQuality([])).toBeUndefined();
  });
});

describe('error level analysis', () => {
  it('a pasted-in region re-compresses differently and shows brighter', async () => {
    const base = await sharp(Buffer.from(productSvg(5, 320, 240))).jpeg({ quality: 70 }).toBuffer();
    const patch = await sharp(Buffer.from(productSvg(9, 80, 80))).png().toBuffer();
    const doctored = await sharp(base).composite([{ input: patch, left: 200, top: 120 }]).png().toBuffer();
    const img = await sharpCodec.decode(new Uint8Array(doctored));
    const ela = await errorLevelAnalysis(img, sharpCodec, 70);
    expect([ela.map.width, ela.map.height]).toEqual([320, 240]);
    const mean = (m: RGBAImage, x0: number, y0: number, x1: number, y1: number) => {
      let s = 0, n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) { s += m.data[(y * m.width + x) * 4]; n++; }
      return s / n;
    };
    expect(mean(ela.map, 205, 125, 275, 195)).toBeGreaterThan(mean(ela.map, 10, 10, 180, 110) * 1.5);
  });
  it('downsizes large inputs to ≤ 1024 px', async () => {
    const img: RGBAImage = { width: 2048, height: 1024, data: new Uint8ClampedArray(2048 * 1024 * 4).fill(128) };
    const ela = await errorLevelAnalysis(img, sharpCodec);
    expect([ela.map.width, ela.map.height]).toEqual([1024, 512]);
  });
});
