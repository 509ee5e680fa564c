import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { decodeProviderCode, parseAigc, usccValid } from '../../../utils/metadata/signals/aigc-label';
import { NS } from '../../../utils/metadata/xmp';
import { app1Exif, app1Xmp, ascii, iTXt, jpegWith, latin1, plainPng, pngWith, tEXt, tiff, undef, userComment, webp, vp8x, xmlEscape, xmpPacket, zTXt } from './builders';

// The JSON a GB 45438 implicit label carries (ContentProducer in the 27-character "001…" form).
const LABEL = { Label: '1', ContentProducer: '001191110108MA01KP2T5U00000', ProduceID: 'img-20250901-0001', ReservedCode1: '', ContentPropagator: '001191110108MA01KP2T5U00000', PropagateID: 'p-7', ReservedCode2: '' };
const JSON_LABEL = JSON.stringify(LABEL);
const tc260 = { TC260: NS.tc260 };

const aigc = (r: Awaited<ReturnType<typeof readMetadata>>) => r.signals.filter((s) => s.source === 'aigc-label');

describe('GB 45438 TC260:AIGC label', () => {
  it('XMP element form with XML-escaped JSON (JPEG APP1)', async () => {
    const xmp = xmpPacket('', `<TC260:AIGC>${xmlEscape(JSON_LABEL)}</TC260:AIGC>`, tc260);
    const r = await readMetadata(await jpegWith([app1Xmp(xmp)]), 'jpeg');
    const [s] = aigc(r);
    expect(s).toMatchObject({ kind: 'ai', weight: 1, code: 'sig_aigc_label_1' });
    expect(s.params).toMatchObject({ label: '1', produceId: 'img-20250901-0001', propagateId: 'p-7' });
    expect(String(s.params!.producer)).toBe('91110108MA01KP2T5U');
    expect(s.raw![0].field).toBe('JPEG APP1 XMP TC260:AIGC');
    expect(s.raw![0].value).toBe(JSON_LABEL);
  });
  it('XMP attribute form, another prefix for the same namespace (WebP XMP chunk)', async () => {
    const xmp = xmpPacket(`aigc:AIGC="${xmlEscape(JSON.stringify({ ...LABEL, Label: '2' }))}"`, '', { aigc: NS.tc260 });
    const r = await readMetadata(webp([{ type: 'VP8X', data: vp8x(10, 10) }, { type: 'XMP ', data: latin1(xmpPacket('', '', {})).subarray(0, 0) }, { type: 'XMP ', data: new TextEncoder().encode(xmp) }]), 'webp');
    expect(aigc(r)[0]).toMatchObject({ weight: 0.85, code: 'sig_aigc_label_2' });
  });
  it('PNG text keyword AIGC in tEXt, zTXt and iTXt', async () => {
    const base = await plainPng();
    for (const c of [tEXt('AIGC', JSON_LABEL), zTXt('AIGC', JSON_LABEL), iTXt('AIGC', JSON_LABEL, true)]) {
      const r = await readMetadata(pngWith(base, [c]), 'png');
      expect(aigc(r)).toHaveLength(1);
      expect(aigc(r)[0].params!.label).toBe('1');
    }
  });
  it('{"AIGC":{…}} JSON in EXIF UserComment and ImageDescription', async () => {
    const wrapped = JSON.stringify({ AIGC: LABEL });
    const a = await readMetadata(await jpegWith([app1Exif(tiff({ ifd0: {}, exif: { 0x9286: undef(userComment(wrapped, 'ASCII')) } }))]), 'jpeg');
    expect(aigc(a)[0].raw![0].field).toMatch(/UserComment$/);
    const b = await readMetadata(await jpegWith([app1Exif(tiff({ ifd0: { 0x010e: ascii(wrapped) } }))]), 'jpeg');
    expect(aigc(b)[0]).toMatchObject({ weight: 1 });
  });
  it('Label 3 (suspected) is below the AI verdict threshold; unrelated JSON is ignored', () => {
    expect(parseAigc(JSON.stringify({ ...LABEL, Label: '3' }))?.Label).toBe('3');
    expect(parseAigc('{"foo":1}')).toBeUndefined();
    expect(parseAigc('{"AIGC":"{\\"Label\\":\\"1\\"}"}')?.Label).toBe('1');
    expect(parseAigc('not json')).toBeUndefined();
  });
  it('decodes the service-provider code and checks the GB 32100 credit code', () => {
    expect(decodeProviderCode('001191330106MA2CFLDG4R10001')).toEqual({ scheme: '001', subject: '1', id: '91330106MA2CFLDG4R', idValid: usccValid('91330106MA2CFLDG4R'), service: '10001' });
    expect(usccValid('91110108MA01KP2T5U')).toBe(true);
    expect(usccValid('91110108MA01KP2T5A')).toBe(false);
    expect(decodeProviderCode('abc')).toBeUndefined();
  });
});
