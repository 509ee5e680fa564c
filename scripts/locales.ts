/**
 * Merge the translation fragments in locales/*.json (one per area, owned by that area's code)
 * into public/_locales/{en,zh_CN}/messages.json, the format browsers read.
 * `tsx scripts/locales.ts --check` exits 1 when the generated files are stale.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const LANGS = ['en', 'zh_CN'] as const;
type Fragment = Record<string, Record<string, string>>;

export function mergeFragments(dir = 'locales'): Record<(typeof LANGS)[number], Record<string, { message: string }>> {
  const out = { en: {}, zh_CN: {} } as Record<(typeof LANGS)[number], Record<string, { message: string }>>;
  const seen = new Map<string, string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const frag = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fragment;
    for (const [key, texts] of Object.entries(frag)) {
      if (!/^[A-Za-z0-9_]+$/.test(key)) throw new Error(`${f}: bad key ${key}`);
      if (seen.has(key)) throw new Error(`${f}: key ${key} also in ${seen.get(key)}`);
      seen.set(key, f);
      for (const l of LANGS) {
        if (typeof texts[l] !== 'string' || !texts[l]) throw new Error(`${f}: ${key} has no ${l} text`);
        // Chrome treats $ as a placeholder marker: escape it.
        out[l][key] = { message: texts[l].replace(/\$/g, '$$$$') };
      }
    }
  }
  return out;
}

if (process.argv[1]?.endsWith('locales.ts')) {
  const merged = mergeFragments();
  let stale = false;
  for (const l of LANGS) {
    const dir = join('public', '_locales', l);
    const file = join(dir, 'messages.json');
    const text = JSON.stringify(merged[l], null, 1) + '\n';
    if (process.argv.includes('--check')) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale = true;
    } else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, text);
    }
  }
  if (stale) {
    console.error('public/_locales is stale: run `npx tsx scripts/locales.ts`');
    process.exit(1);
  }
}
