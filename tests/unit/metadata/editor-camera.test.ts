import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { captureVsTicket } from '../../../utils/metadata/signals/camera';
import { NS } from '../../../utils/metadata/xmp';
import { app1Exif, app1Xmp, ascii, heif, jpegWith, plainPng, pngWith, tEXt, tiff, xmpPacket } from './builders';
import { decideVerdict } from '../../../utils/verdict';

const bySource = (r: Awaited<ReturnType<typeof readMetadata>>, src: string) => r.signals.filter((s) => s.source === src);

describe('editor traces', () => {
  it('EXIF Software, XMP CreatorTool and xmpMM:History name the editor; Photoshop makes the verdict "edited"', async () => {
    const hist = `<xmpMM:History><rdf:Seq><rdf:li stEvt:action="saved" stEvt:when="2024-01-02T10:00:00+08:00" stEvt:softwareAgent="美图秀秀 9.9"/></rdf:Seq></xmpMM:History>`;
    const f = await jpegWith([
      app1Exif(tiff({ ifd0: { 0x010f: ascii('HUAWEI'), 0x0131: ascii('Adobe Photoshop 25.1 (Windows)'), 0x0132: ascii('2024:01:03 09:00:00') }, exif: { 0x9003: ascii('2024:01:01 12:00:00') } })),
      app1Xmp(xmpPacket('xmp:CreatorTool="Picsart"', hist, { xmp: NS.xmp, xmpMM: NS.xmpMM, stEvt: NS.stEvt })),
    ]);
    const r = await readMetadata(f, 'jpeg');
    const eds = bySource(r, 'editor');
    expect(eds.filter((s) => s.code === 'sig_editor').map((s) => s.params!.name)).toEqual(['Adobe Photoshop', 'Picsart', 'Meitu (美图秀秀)']);
    expect(eds.find((s) => s.code === 'sig_modified_after_capture')).toMatchObject({ weight: 0.2 });
    expect(decideVerdict({ signals: r.signals }).level).toBe('edited');
  });
  it('converters are weak; camera firmware strings are nothing', async () => {
    const r = await readMetadata(pngWith(await plainPng(), [tEXt('Software', 'ImageMagick 7.1.1')]), 'png');
    expect(bySource(r, 'editor')).toEqual([expect.objectContaining({ code: 'sig_resaved_by', weight: 0.2 })]);
    const c = await readMetadata(await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('samsung'), 0x0131: ascii('G998BXXU5CVDD') } }))]), 'jpeg');
    expect(bySource(c, 'editor')).toEqual([]);
  });
});

describe('camera and capture facts', () => {
  it('make/model/time/GPS are neutral facts and fill the summary', async () => {
    const f = await jpegWith([app1Exif(tiff({ ifd0: { 0x010f: ascii('Apple'), 0x0110: ascii('iPhone 13'), 0x0112: { type: 'short', value: 6 } }, exif: { 0x9003: ascii('2024:06:01 08:30:00'), 0x9011: ascii('+08:00') }, gps: { 1: ascii('N'), 2: { type: 'rational', value: [[31, 1], [14, 1], [0, 1]] } } }))]);
    const r = await readMetadata(f, 'jpeg');
    expect(bySource(r, 'camera').map((s) => [s.code, s.weight])).toEqual([['sig_camera', 0], ['sig_capture_time', 0], ['sig_gps_present', 0]]);
    expect(r.summary).toMatchObject({ make: 'Apple', model: 'iPhone 13', captureTime: '2024-06-01T08:30:00+08:00', gps: true, orientation: 6, width: 32, height: 24 });
    expect(bySource(r, 'stripped')).toEqual([]);
  });
  it('HEIC facts come from the Exif item', async () => {
    const r = await readMetadata(heif({ exifTiff: tiff({ ifd0: { 0x010f: ascii('Apple'), 0x0110: ascii('iPhone 7') }, exif: { 0x9003: ascii('2019:10:20 18:34:30') } }) }), 'heic');
    expect(r.summary).toMatchObject({ make: 'Apple', model: 'iPhone 7', captureTime: '2019-10-20T18:34:30' });
  });
  it('captureVsTicket: before the order is strong, zone slack respected, after the refund is weaker', () => {
    const t = { orderedAt: '2024-06-10T12:00:00+08:00', refundAt: '2024-06-15T12:00:00+08:00' };
    expect(captureVsTicket({ format: 'jpeg', captureTime: '2024-05-01T10:00:00' }, t)).toMatchObject({ code: 'sig_capture_before_order', weight: 0.7, kind: 'capture', params: { days: 40 } });
    expect(captureVsTicket({ format: 'jpeg', captureTime: '2024-06-10T02:00:00' }, t)).toBeUndefined(); // within zone slack
    expect(captureVsTicket({ format: 'jpeg', captureTime: '2024-06-12T09:00:00' }, t)).toBeUndefined();
    expect(captureVsTicket({ format: 'jpeg', captureTime: '2024-06-10T03:00:00+08:00' }, t)).toMatchObject({ code: 'sig_capture_before_order' });
    expect(captureVsTicket({ format: 'jpeg', captureTime: '2024-07-20T10:00:00' }, t)).toMatchObject({ code: 'sig_capture_after_refund', weight: 0.4 });
    expect(captureVsTicket({ format: 'jpeg' }, t)).toBeUndefined();
    expect(captureVsTicket({ format: 'jpeg', captureTime: 'garbage' }, t)).toBeUndefined();
  });
});

describe('stripped metadata', () => {
  it('a JPEG without camera EXIF is a weak hint only; PNG is never flagged', async () => {
    const r = await readMetadata(await jpegWith([]), 'jpeg');
    expect(bySource(r, 'stripped')).toEqual([expect.objectContaining({ code: 'sig_metadata_stripped', kind: 'edit', weight: 0.15 })]);
    expect(decideVerdict({ signals: r.signals }).level).toBe('no-evidence');
    expect(bySource(await readMetadata(await plainPng(), 'png'), 'stripped')).toEqual([]);
  });
});
