import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mergeFragments } from '../../scripts/locales';
import { ERROR_CODES } from '../../utils/errors';

describe('translations', () => {
  const merged = mergeFragments();
  it('every key has English and Chinese text with the same {params}', () => {
    for (const [key, { message }] of Object.entries(merged.en)) {
      const zh = merged.zh_CN[key]?.message;
      expect(zh, key).toBeTruthy();
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(params(zh), key).toEqual(params(message));
    }
  });
  it('every error code has a message', () => {
    for (const c of ERROR_CODES) expect(merged.en[c], c).toBeDefined();
  });
  it('public/_locales is generated from the fragments (run `npx tsx scripts/locales.ts`)', () => {
    for (const l of ['en', 'zh_CN'] as const) {
      expect(JSON.parse(readFileSync(`public/_locales/${l}/messages.json`, 'utf8'))).toEqual(merged[l]);
    }
  });
});
