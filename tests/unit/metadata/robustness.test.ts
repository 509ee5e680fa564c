import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { NS } from '../../../utils/metadata/xmp';
import type { ImageFormat } from '../../../utils/types';
import {
  app11Jumbf, app1Exif, app1Xmp, ascii, chunk, heif, iTXt, jpegWith, manifest, manifestStore, plainPng, pngWith, tEXt, tiff, vp8x, webp, xmpPacket, zTXt,
} from './builders';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

describe('readMetadata on hostile input', () => {
  // (How long each file takes is measured by `npm run fuzz`, not asserted here: no test depends on the clock.)
  it('never throws on mutated and truncated files of every container', async () => {
    const exif = tiff({ ifd0: { 0x010f: ascii('Canon'), 0x0131: ascii('GIMP 2.10') }, exif: { 0x9003: ascii('2020:01:01 00:00:00') }, thumbnail: Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]) });
    const xmp = xmpPacket('xmp:CreatorTool="x"', '<TC260:AIGC>{&quot;Label&quot;:&quot;1&quot;}</TC260:AIGC>', { xmp: NS.xmp, TC260: NS.tc260 });
    const store = manifestStore(manifest({ generator: 'G', actions: [{ action: 'c2pa.created' }], signer: { O: 'O', CN: 'C' } }));
    const files: [Uint8Array, ImageFormat][] = [
      [await jpegWith([app1Exif(exif), app1Xmp(xmp), ...app11Jumbf(store, 200)]), 'jpeg'],
      [pngWith(await plainPng(), [tEXt('parameters', 'Steps: 1, Sampler: x'), iTXt('XML:com.adobe.xmp', xmp, true), chunk('eXIf', exif), chunk('caBX', store)], [zTXt('AIGC', '{"Label":"1"}')]), 'png'],
      [webp([{ type: 'VP8X', data: vp8x(4, 4) }, { type: 'EXIF', data: exif }, { type: 'XMP ', data: new TextEncoder().encode(xmp) }, { type: 'C2PA', data: store }]), 'webp'],
      [heif({ exifTiff: exif, xmp, c2pa: store }), 'heic'],
      [exif, 'tiff'],
    ];
    const r = rng(42);
    for (const [file, format] of files) {
      for (let i = 0; i < 60; i++) {
        const f = file.slice();
        const n = 1 + Math.floor(r() * 8);
        for (let k = 0; k < n; k++) f[Math.floor(r() * f.length)] = Math.floor(r() * 256);
        const cut = r() < 0.3 ? f.subarray(0, Math.floor(r() * f.length)) : f;
        const res = await readMetadata(cut, format);
        expect(res.summary.format).toBe(format);
        expect(Array.isArray(res.signals)).toBe(true);
      }
    }
  });
  it('handles empty and tiny inputs for every format', async () => {
    for (const format of ['jpeg', 'png', 'webp', 'heic', 'avif', 'tiff', 'gif', 'bmp', 'unknown'] as ImageFormat[]) {
      for (const b of [new Uint8Array(), Uint8Array.from([0xff]), new Uint8Array(64).fill(0xff)]) {
        await expect(readMetadata(b, format)).resolves.toMatchObject({ summary: { format } });
      }
    }
  });
});
