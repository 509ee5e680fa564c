import { describe, expect, it } from 'vitest';
import { mergeFragments } from '../../scripts/locales';

/** Every message either language shows: plural-correct English, no "—" placeholders, no leaked identifiers. */
describe('wording tables', () => {
  const all = mergeFragments();
  it('English never hedges plurals with "(s)"', () => {
    const bad = Object.entries(all.en).filter(([, m]) => /\w\(s\)/.test(m.message)).map(([k]) => k);
    expect(bad).toEqual([]);
  });
  it('messages with a {count} have a singular form in English when the noun changes', () => {
    const missing = Object.entries(all.en)
      .filter(([k, m]) => !k.endsWith('_one') && /\{count\} (regions|places|checks|changes|frames|photos|areas)\b/.test(m.message) && !all.en[k + '_one'])
      .map(([k]) => k);
    expect(missing).toEqual([]);
  });
  it('no raw machine words in the readers\' sentences', () => {
    const re = /keypoints|resize\+|jpeg-quant|\bstripped\b|check digit|\(—\)/;
    for (const lang of ['en', 'zh_CN'] as const) {
      const bad = Object.entries(all[lang]).filter(([, m]) => re.test(m.message)).map(([k]) => k);
      expect(bad, lang).toEqual([]);
    }
  });
  it('optional parts are balanced', () => {
    for (const lang of ['en', 'zh_CN'] as const) {
      for (const [k, m] of Object.entries(all[lang])) {
        expect((m.message.match(/\[\[/g) ?? []).length, `${lang} ${k}`).toBe((m.message.match(/\]\]/g) ?? []).length);
      }
    }
  });
});
