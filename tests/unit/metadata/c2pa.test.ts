import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../../utils/metadata/read';
import { app11Jumbf, app1Xmp, chunk, heif, jpegWith, manifest, manifestStore, plainPng, pngWith, vp8x, webp, xmpPacket } from './builders';
import { NS } from '../../../utils/metadata/xmp';

const DST = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const c2 = (r: Awaited<ReturnType<typeof readMetadata>>) => r.signals.filter((s) => s.source === 'c2pa');

describe('C2PA', () => {
  it('an AI generator manifest (created, trainedAlgorithmicMedia) is an AI label, present but not validated', async () => {
    const store = manifestStore(manifest({ generator: 'Image Maker/1.0 c2pa-rs/0.30', actions: [{ action: 'c2pa.created', digitalSourceType: DST + 'trainedAlgorithmicMedia' }], signer: { O: 'Maker Inc.', CN: 'Maker C2PA' } }));
    const r = await readMetadata(await jpegWith(app11Jumbf(store)), 'jpeg');
    const present = c2(r).find((s) => s.code === 'sig_c2pa_present')!;
    expect(present).toMatchObject({ kind: 'c2pa', weight: 0.3 });
    expect(present.params).toMatchObject({ generator: 'Image Maker/1.0 c2pa-rs/0.30', signer: 'Maker Inc. / Maker C2PA', where: 'JPEG APP11 JUMBF' });
    expect(c2(r).find((s) => s.code === 'sig_c2pa_ai_generated')).toMatchObject({ kind: 'c2pa', weight: 1 });
  });
  it('a generative edit (compositeWithTrainedAlgorithmicMedia, claim v2, actions.v2) is AI-edited', async () => {
    const store = manifestStore(manifest({ claimV2: true, generatorInfo: { name: 'Photo Editor', version: '26.0' }, actionsLabel: 'c2pa.actions.v2', actions: [{ action: 'c2pa.opened' }, { action: 'c2pa.edited', digitalSourceType: DST + 'compositeWithTrainedAlgorithmicMedia' }] }));
    const r = await readMetadata(pngWith(await plainPng(), [chunk('caBX', store)]), 'png');
    expect(c2(r).find((s) => s.code === 'sig_c2pa_ai_edited')).toMatchObject({ weight: 0.9, params: { generator: 'Photo Editor 26.0' } });
  });
  it('an AI ingredient in an earlier manifest counts; a plain edit is an edit, not AI', async () => {
    const ing = manifest({ label: 'urn:uuid:aaaa', generator: 'Gen AI', actions: [{ action: 'c2pa.created', digitalSourceType: DST + 'trainedAlgorithmicMedia' }] });
    const act = manifest({ label: 'urn:uuid:bbbb', generator: 'Editor', actions: [{ action: 'c2pa.opened' }, { action: 'c2pa.placed' }], ingredients: [{ title: 'gen.png', relationship: 'componentOf', manifest: 'urn:uuid:aaaa' }] });
    const r = await readMetadata(webp([{ type: 'VP8X', data: vp8x(8, 8) }, { type: 'C2PA', data: manifestStore(ing, act) }]), 'webp');
    expect(c2(r).find((s) => s.code === 'sig_c2pa_ai_ingredient')).toMatchObject({ weight: 0.8 });
    const plain = manifest({ generator: 'Editor', actions: [{ action: 'c2pa.opened' }, { action: 'c2pa.color_adjustments', softwareAgent: 'Editor 2' }] });
    const p = await readMetadata(await jpegWith(app11Jumbf(manifestStore(plain))), 'jpeg');
    expect(c2(p).map((s) => s.code).sort()).toEqual(['sig_c2pa_edited', 'sig_c2pa_present']);
    expect(c2(p).find((s) => s.code === 'sig_c2pa_edited')).toMatchObject({ kind: 'edit', weight: 0.6, params: { software: 'Editor 2' } });
  });
  it('HEIF/AVIF uuid box', async () => {
    const store = manifestStore(manifest({ generator: 'G', actions: [{ action: 'c2pa.created', digitalSourceType: DST + 'digitalCapture' }] }));
    const r = await readMetadata(heif({ brand: 'avif', c2pa: store }), 'avif');
    expect(c2(r).map((s) => s.code)).toEqual(['sig_c2pa_present', 'sig_c2pa_capture']);
  });
  it('an XMP provenance reference without an embedded manifest is only a hint', async () => {
    const x = xmpPacket('dcterms:provenance="self#jumbf=/c2pa/urn:uuid:1/c2pa.claim"', '', { dcterms: NS.dcterms });
    const r = await readMetadata(await jpegWith([app1Xmp(x)]), 'jpeg');
    expect(c2(r)).toEqual([expect.objectContaining({ kind: 'info', code: 'sig_c2pa_reference_only', weight: 0.1 })]);
  });
  it('garbage in the JUMBF never throws', async () => {
    const store = manifestStore(manifest({ generator: 'G', actions: [{ action: 'c2pa.created' }], signer: { O: 'O', CN: 'C' } }));
    for (let i = 0; i < 200; i++) {
      const bad = store.slice();
      const at = (i * 7919) % bad.length;
      bad[at] ^= 0xff;
      bad[(at * 31) % bad.length] = 0x9f;
      const r = await readMetadata(await jpegWith(app11Jumbf(bad)), 'jpeg');
      expect(r.summary.format).toBe('jpeg');
    }
  });
});
