import { afterAll, describe, expect, it } from 'vitest';
import { fillMessage, setLookup, t } from '../../utils/i18n';
import { mergeFragments } from '../../scripts/locales';
import { decideVerdict } from '../../utils/verdict';

const zh = mergeFragments().zh_CN;
setLookup((k) => zh[k]?.message.replace(/\$\$/g, '$') ?? '');
afterAll(() => setLookup(() => ''));

describe('t()', () => {
  it('fills named params and translates machine words in them', () => {
    expect(t('why_variant', { variant: 'resize+crop' })).toBe('买家图经过了变换：缩放 + 裁剪。');
    expect(t('err_http_status', { status: 404 })).toContain('404');
    expect(t('no_such_key')).toBe('no_such_key');
  });
  it('counts the edits as the localisation found them: one region per edit', () => {
    const regions: [number, number, number, number][] = [[100, 100, 220, 190], [900, 900, 950, 950]];
    const { level, reasons } = decideVerdict({
      signals: [],
      match: { referenceId: 'r', referenceName: 'r.jpg', confidence: 0.9, distance: 10, method: 'keypoints' },
      localisation: { regions, changedShare: 0.02, edited: true },
      size: { width: 1200, height: 1000 },
    });
    expect(level).toBe('derived-edited');
    expect(reasons.find((r) => r.code === 'why_local_edit')?.params?.count).toBe(2);
  });
  it('picks the singular in English, drops optional parts whose value is missing', () => {
    const en = mergeFragments().en;
    const look = (k: string) => en[k]?.message.replace(/\$\$/g, '$') ?? '';
    expect(fillMessage('why_local_edit', { count: 1, percent: 2 }, look)).toBe('1 region was changed, 2% of the picture — see the marked area.');
    expect(fillMessage('why_local_edit', { count: 3, percent: 2 }, look)).toBe('3 regions were changed, 2% of the picture — see the marked areas.');
    const ai = fillMessage('sig_aigc_label_1', { producer: '91110108MA01KP2T6U', produceId: '7f0a', propagator: '—', where: 'JPEG APP1 XMP' }, look);
    expect(ai).toContain('91110108MA01KP2T6U');
    expect(ai).not.toMatch(/—|propagated|\[\[|APP1/);
  });
});
