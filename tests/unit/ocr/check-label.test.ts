import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../../utils/check';
import { decodeInNode } from '../../../utils/image/decode-node';
import { ReferenceIndex } from '../../../utils/hash/index';
import { computeFingerprint } from '../../../utils/hash/fingerprint';
import { localReader, type LabelReader } from '../../../utils/ocr/remote';
import { fillMessage } from '../../../utils/i18n';
import { editRegions } from '../../../utils/regions';
import { paintCrack, productJpeg } from '../../fixtures/images';
import { stampLabel } from '../../fixtures/visible-label';
import { loadNodeReader } from '../../../scripts/eval/ocr-labels';
import zh from '../../../public/_locales/zh_CN/messages.json';
import en from '../../../public/_locales/en/messages.json';

const lookup = (m: Record<string, { message: string }>) => (k: string) => m[k]?.message ?? '';
const overlaps = (a: number[], b: number[]) => Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);

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

// The visible label through the whole check, with the real PaddleOCR models (in-process here; the
// extension runs the same reader in a worker with a time limit).
describe('visible AI label in a check', () => {
  let readLabel: LabelReader;
  beforeAll(async () => {
    readLabel = localReader((await loadNodeReader()).reader);
  }, 120_000);

  it('a label in the corner makes the verdict ai-labelled, with its position, text and box', async () => {
    const stamped = await stampLabel(await productJpeg(41, 1600, 1200, 90), { text: '豆包AI生成', place: 'bottom-right' });
    const r = await runCheck({ bytes: stamped.bytes }, { ...(await libraryOf({})), readLabel });
    expect(r.level).toBe('ai-labelled');
    expect(r.visibleLabel?.status).toBe('found');
    expect(r.visibleLabel?.text).toBe('豆包AI生成');
    // the box is in the full-size file's pixels, on the drawn text
    expect(overlaps(r.visibleLabel!.box!, stamped.box)).toBe(true);
    const reason = r.reasons.find((x) => x.code === 'sig_visible_label')!;
    expect(fillMessage(reason.code, reason.params, lookup(zh))).toContain('图片右下角有显著标识「豆包AI生成」');
    expect(fillMessage(reason.code, reason.params, lookup(en))).toContain('bottom-right corner: 「豆包AI生成」');
  }, 120_000);

  it('derived from a saved photo and labelled: both reasons; the label is not counted as an edit', async () => {
    const saved = await productJpeg(1, 1200, 900, 92);
    const deps = { ...(await libraryOf({ 'kettle.jpg': saved })), readLabel };
    const cracked = await paintCrack(saved, [0.3, 0.3, 0.5, 0.55], 90);
    const stamped = await stampLabel(cracked, { text: '即梦AI生成', place: 'top-left' });
    const r = await runCheck({ bytes: stamped.bytes }, deps);
    expect(r.level).toBe('derived-edited');
    expect(r.reasons.map((x) => x.code)).toEqual(expect.arrayContaining(['why_derived', 'why_local_edit', 'sig_visible_label']));
    const regions = editRegions(r.localisation);
    expect(regions.length).toBe(1); // the crack; the label has its own box
    expect(regions.some((b) => overlaps(b, stamped.box))).toBe(false);

    // the merchant's photo with only a label stamped on: derived (nothing else changed) and labelled
    const onlyLabel = await stampLabel(saved, { text: 'AI生成', place: 'bottom-left' });
    const r2 = await runCheck({ bytes: onlyLabel.bytes }, deps);
    expect(r2.level).toBe('derived');
    expect(r2.reasons.map((x) => x.code)).toContain('sig_visible_label');
  }, 120_000);

  it('shop text in the corner is read and is not a label', async () => {
    const stamped = await stampLabel(await productJpeg(43, 1200, 900, 90), { text: '正品保障 旗舰店', place: 'bottom-right' });
    const r = await runCheck({ bytes: stamped.bytes }, { ...(await libraryOf({})), readLabel });
    expect(r.visibleLabel?.status).toBe('none');
    expect(r.level).toBe('no-evidence');
  }, 120_000);

  it('a reader that fails or never answers leaves the check intact: "visible label not checked"', async () => {
    const stamped = await stampLabel(await productJpeg(41, 800, 600, 90));
    const deps = await libraryOf({});
    const failing: LabelReader = async () => ({ ok: false, error: 'crashed', ms: 0 });
    const r = await runCheck({ bytes: stamped.bytes }, { ...deps, readLabel: failing });
    expect(r.level).toBe('no-evidence');
    expect(r.visibleLabel).toMatchObject({ status: 'not-checked', reason: 'crashed' });
    expect(r.metadata?.signals.some((s) => s.code === 'sig_visible_label_not_checked')).toBe(true);
    const throwing: LabelReader = async () => { throw new Error('boom'); };
    expect((await runCheck({ bytes: stamped.bytes }, { ...deps, readLabel: throwing })).visibleLabel?.status).toBe('not-checked');
  }, 60_000);
});
