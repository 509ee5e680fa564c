import { afterAll, describe, expect, it } from 'vitest';
import { setLookup, t } from '../../utils/i18n';
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
  it('counts a chain of boxes along one crack as one changed area', () => {
    const chain: [number, number, number, number][] = Array.from({ length: 12 }, (_, i) => [100 + i * 10, 100 + i * 8, 112 + i * 10, 110 + i * 8]);
    const { level, reasons } = decideVerdict({
      signals: [],
      match: { referenceId: 'r', referenceName: 'r.jpg', confidence: 0.9, distance: 10, method: 'keypoints' },
      localisation: { regions: [...chain, [900, 900, 950, 950]], changedShare: 0.02, edited: true },
      size: { width: 1200, height: 1000 },
    });
    expect(level).toBe('derived-edited');
    expect(reasons.find((r) => r.code === 'why_local_edit')?.params?.count).toBe(2);
  });
});
