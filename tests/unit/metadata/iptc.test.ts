import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { NS } from '../../../utils/metadata/xmp';
import { app1Xmp, concat, iTXt, jpegWith, latin1, plainPng, pngWith, segment, xmpPacket } from './builders';

const DST = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const iptc = (r: Awaited<ReturnType<typeof readMetadata>>) => r.signals.filter((s) => s.source === 'iptc-source-type');

/** APP13 Photoshop 3.0 block with an IPTC-IIM 0x0404 resource holding datasets 2:xx. */
function app13(datasets: [number, string][]): Uint8Array {
  const iim = concat(...datasets.map(([ds, v]) => { const b = new TextEncoder().encode(v); return concat([0x1c, 2, ds, b.length >> 8, b.length & 255], b); }));
  const res = concat(latin1('8BIM'), [0x04, 0x04, 0, 0], [(iim.length >>> 24) & 255, (iim.length >> 16) & 255, (iim.length >> 8) & 255, iim.length & 255], iim, iim.length % 2 ? [0] : []);
  return segment(0xed, concat(latin1('Photoshop 3.0\0'), res));
}

describe('IPTC digital source type and AI credit lines', () => {
  it('Iptc4xmpExt:DigitalSourceType trainedAlgorithmicMedia (attribute) and composite (element)', async () => {
    const a = await readMetadata(pngWith(await plainPng(), [iTXt('XML:com.adobe.xmp', xmpPacket(`Iptc4xmpExt:DigitalSourceType="${DST}trainedAlgorithmicMedia"`, '', { Iptc4xmpExt: NS.iptcExt }))]), 'png');
    expect(iptc(a)).toEqual([expect.objectContaining({ kind: 'ai', weight: 1, code: 'sig_iptc_ai_generated' })]);
    const b = await readMetadata(await jpegWith([app1Xmp(xmpPacket('', `<Iptc4xmpExt:DigitalSourceType>${DST}compositeWithTrainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>`, { Iptc4xmpExt: NS.iptcExt }))]), 'jpeg');
    expect(iptc(b)[0]).toMatchObject({ weight: 0.9, params: { type: 'compositeWithTrainedAlgorithmicMedia' } });
    const c = await readMetadata(await jpegWith([app1Xmp(xmpPacket(`Iptc4xmpExt:DigitalSourceType="${DST}digitalCapture"`, '', { Iptc4xmpExt: NS.iptcExt }))]), 'jpeg');
    expect(iptc(c)[0]).toMatchObject({ kind: 'camera', weight: 0 });
  });
  it('"Made with Google AI" in photoshop:Credit or IIM Credit; "Edited with Google AI"; Apple Image Playground', async () => {
    const a = await readMetadata(await jpegWith([app1Xmp(xmpPacket('photoshop:Credit="Made with Google AI"', '', { photoshop: NS.photoshop }))]), 'jpeg');
    expect(iptc(a)[0]).toMatchObject({ weight: 1, code: 'sig_credit_ai_made', raw: [{ field: 'JPEG APP1 XMP photoshop:Credit', value: 'Made with Google AI' }] });
    const b = await readMetadata(await jpegWith([app13([[110, 'Edited with Google AI']])]), 'jpeg');
    expect(iptc(b)[0]).toMatchObject({ weight: 0.9, code: 'sig_credit_ai_edited', raw: [{ field: 'IPTC Credit' }] });
    const c = await readMetadata(await jpegWith([app1Xmp(xmpPacket('xmp:CreatorTool="Image Playground"', '', { xmp: NS.xmp }))]), 'jpeg');
    expect(iptc(c)[0]).toMatchObject({ weight: 1, params: { tool: 'Apple Image Playground' } });
  });
});
