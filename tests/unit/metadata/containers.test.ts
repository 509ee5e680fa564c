import { describe, expect, it } from 'vitest';
import { buildContext, readMetadata } from '../../../utils/metadata/read';
import { NS, xmpValues } from '../../../utils/metadata/xmp';
import {
  app11Jumbf, app1Exif, app1ExtendedXmp, app1Xmp, ascii, com, concat, heif, iTXt, jpegWith, latin1, manifest, manifestStore,
  plainPng, pngWith, segment, tEXt, tiff, vp8x, webp, xmpPacket, zTXt, zlibSync,
} from './builders';

describe('JPEG walker', () => {
  it('reads EXIF, XMP, COM and the size', async () => {
    const f = await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Apple'), 0x0110: ascii('iPhone 13') } })), app1Xmp(xmpPacket('xmp:CreatorTool="Snapseed 2.0"', '', { xmp: NS.xmp })), com('hello')]);
    const ctx = buildContext(f, 'jpeg');
    expect(ctx.exif.Make).toBe('Apple');
    expect(ctx.exifWhere).toBe('JPEG APP1 Exif');
    expect(xmpValues(ctx.xmp[0], NS.xmp, 'CreatorTool')).toEqual(['Snapseed 2.0']);
    expect(ctx.texts).toContainEqual({ key: 'Comment', value: 'hello', where: 'JPEG COM' });
    expect([ctx.width, ctx.height]).toEqual([32, 24]);
  });
  it('reassembles Extended XMP chunks sent out of order', async () => {
    const ext = xmpPacket('', `<dc:description><rdf:Alt><rdf:li>${'x'.repeat(3000)} END</rdf:li></rdf:Alt></dc:description>`, { dc: NS.dc });
    const guid = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
    const chunks = app1ExtendedXmp(ext, guid, 1000);
    const main = app1Xmp(xmpPacket(`xmpNote:HasExtendedXMP="${guid}"`, '', { xmpNote: 'http://ns.adobe.com/xmp/note/' }));
    const f = await jpegWith([main, ...chunks.reverse()]);
    const ctx = buildContext(f, 'jpeg');
    const vals = ctx.xmp.flatMap((d) => xmpValues(d, NS.dc, 'description'));
    expect(vals[0]).toMatch(/x{3000} END$/);
  });
  it('reassembles a C2PA manifest store split over several APP11 segments', async () => {
    const store = manifestStore(manifest({ generator: 'Test Tool 1.0', actions: [{ action: 'c2pa.created', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' }], signer: { O: 'Camera Co', CN: 'Camera Signer' } }));
    const segs = app11Jumbf(store, 100);
    expect(segs.length).toBeGreaterThan(3);
    const ctx = buildContext(await jpegWith(segs), 'jpeg');
    expect(ctx.c2pa).toHaveLength(1);
    expect(ctx.c2pa[0].store.active?.claimGenerator).toBe('Test Tool 1.0');
    expect(ctx.c2pa[0].store.active?.signer).toBe('Camera Co / Camera Signer');
  });
  it('keeps going on a truncated segment and on garbage', async () => {
    const good = await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Nikon') } }))]);
    const cut = good.subarray(0, 40);
    const r = await readMetadata(cut, 'jpeg');
    expect(r.warnings.length).toBeGreaterThan(0);
    const lying = concat([0xff, 0xd8], segment(0xe1, latin1('Exif\0\0MM\0*')).subarray(0, 4), [0xff, 0xff]);
    await expect(readMetadata(lying, 'jpeg')).resolves.toBeDefined();
  });
});

describe('PNG walker', () => {
  it('reads tEXt, zTXt after IDAT, compressed and plain iTXt, XMP in iTXt, eXIf', async () => {
    const base = await plainPng();
    const exif = tiff({ ifd0: { 0x010f: ascii('Canon') }, littleEndian: true });
    const f = pngWith(
      base,
      [tEXt('Title', 'plain'), iTXt('Comment', '中文 comment', true, 'zh', '注释'), iTXt('XML:com.adobe.xmp', xmpPacket('xmp:CreatorTool="GIMP 2.10"', '', { xmp: NS.xmp })), chunkOf('eXIf', exif)],
      [zTXt('parameters', 'a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512')],
    );
    const ctx = buildContext(f, 'png');
    expect(ctx.texts.map((t) => [t.where, t.key, t.value.slice(0, 6)])).toEqual([
      ['PNG tEXt', 'Title', 'plain'],
      ['PNG iTXt', 'Comment', '中文 com'],
      ['PNG zTXt', 'parameters', 'a cat\n'],
    ]);
    expect(ctx.xmp).toHaveLength(1);
    expect(ctx.exif.Make).toBe('Canon');
    expect([ctx.width, ctx.height]).toEqual([16, 12]);
  });
  it('caps a zTXt decompression bomb', async () => {
    const bomb = chunkOf('zTXt', concat(latin1('parameters'), [0, 0], zlibSync(new Uint8Array(20_000_000).fill(65), { level: 9 })));
    const f = pngWith(await plainPng(), [bomb]);
    const ctx = buildContext(f, 'png');
    expect(ctx.texts[0].value.length).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
  it('reads ImageMagick "Raw profile type exif" hex text', async () => {
    const exif = concat(latin1('Exif\0\0'), tiff({ ifd0: { 0x010f: ascii('Sony') } }));
    const hexStr = Array.from(exif, (b) => b.toString(16).padStart(2, '0')).join('').replace(/(.{72})/g, '$1\n');
    const f = pngWith(await plainPng(), [zTXt('Raw profile type exif', `\nexif\n${String(exif.length).padStart(8)}\n${hexStr}\n`)]);
    expect(buildContext(f, 'png').exif.Make).toBe('Sony');
  });
});

function chunkOf(type: string, data: Uint8Array) {
  // eXIf and caBX are ordinary chunks.
  const td = concat(latin1(type), data);
  return concat([0, 0, (data.length >> 8) & 255, data.length & 255], td, [0, 0, 0, 0]);
}

describe('WebP walker', () => {
  it('reads VP8X size, EXIF (with or without the Exif\\0\\0 prefix), XMP and C2PA chunks', () => {
    const exif = tiff({ ifd0: { 0x0131: ascii('Picsart') }, littleEndian: true });
    const store = manifestStore(manifest({ generator: 'G', actions: [{ action: 'c2pa.created' }] }));
    for (const e of [exif, concat(latin1('Exif\0\0'), exif)]) {
      const f = webp([{ type: 'VP8X', data: vp8x(300, 200) }, { type: 'EXIF', data: e }, { type: 'XMP ', data: latin1(xmpPacket('xmp:CreatorTool="Canva"', '', { xmp: NS.xmp })) }, { type: 'C2PA', data: store }]);
      const ctx = buildContext(f, 'webp');
      expect([ctx.width, ctx.height]).toEqual([300, 200]);
      expect(ctx.exif.Software).toBe('Picsart');
      expect(ctx.xmp).toHaveLength(1);
      expect(ctx.c2pa[0].where).toBe('WebP C2PA');
    }
  });
});

describe('ISOBMFF (HEIF/AVIF) walker', () => {
  it('reads the Exif item through iloc base_offset, XMP from mdat or idat, the C2PA uuid box', () => {
    const exifTiff = tiff({ ifd0: { 0x010f: ascii('Apple'), 0x0110: ascii('iPhone 15') }, exif: { 0x9003: ascii('2024:05:01 10:00:00') } });
    const xmp = xmpPacket('xmp:CreatorTool="Lightroom Mobile"', '', { xmp: NS.xmp });
    for (const idatXmp of [false, true]) {
      const ctx = buildContext(heif({ exifTiff, xmp, idatXmp }), 'heic');
      expect(ctx.exif.Model).toBe('iPhone 15');
      expect(ctx.exif.DateTimeOriginal).toBe('2024:05:01 10:00:00');
      expect(xmpValues(ctx.xmp[0], NS.xmp, 'CreatorTool')).toEqual(['Lightroom Mobile']);
      expect([ctx.width, ctx.height]).toEqual([640, 480]);
    }
    const store = manifestStore(manifest({ generator: 'AVIF maker', actions: [{ action: 'c2pa.created' }] }));
    const ctx = buildContext(heif({ exifTiff, brand: 'avif', c2pa: store }), 'avif');
    expect(ctx.c2pa[0].store.active?.claimGenerator).toBe('AVIF maker');
  });
  it('survives lying box sizes', () => {
    const f = heif({ exifTiff: tiff({ ifd0: { 0x010f: ascii('X') } }) });
    for (const at of [0, 26, 40, 60, 100, 140]) {
      const bad = f.slice();
      bad.set([0xff, 0xff, 0xff, 0xf0], at);
      expect(() => buildContext(bad, 'heic')).not.toThrow();
    }
  });
});
