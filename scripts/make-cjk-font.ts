/**
 * Generates public/fonts/refundlens-cjk-sc.ttf: a subset of Noto Sans CJK SC Regular
 * (SIL Open Font License 1.1; Debian package `fonts-noto-cjk`, installed by scripts/install.sh)
 * holding ASCII, Latin-1, common punctuation, CJK symbols, full-width forms, all 6763 hanzi of
 * GB 2312 and every character of the translated UI (locales/*.json). The extension cannot read
 * system fonts, so the PDF export and the PNG long image embed this file.
 *
 * Run: `npx tsx scripts/make-cjk-font.ts`. Dev only: harfbuzzjs' hb-subset WASM (npm dev
 * dependency) subsets, then otf2ttf.py (Debian python3-fonttools) converts the outlines to TrueType.
 * Output is deterministic for the same source font and locale files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';

const SOURCE = process.env.CJK_FONT ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const FACE = 'NotoSansCJKsc-Regular';
const OUT = 'public/fonts/refundlens-cjk-sc.ttf';
const LEVEL = process.env.CJK_LEVEL ?? '2';
const DROP_TABLES = (process.env.CJK_DROP ?? 'GSUB,GPOS,VORG,vhea,vmtx,BASE,JSTF,GDEF').split(',').filter(Boolean);
const tagOf = (t: string) => ((t.charCodeAt(0) << 24) | (t.charCodeAt(1) << 16) | (t.charCodeAt(2) << 8) | t.charCodeAt(3)) >>> 0;

export function subsetCodepoints(localeDir = 'locales'): number[] {
  const set = new Set<number>();
  const range = (a: number, b: number) => { for (let c = a; c <= b; c++) set.add(c); };
  range(0x20, 0x7e);
  range(0xa0, 0xff); // Latin-1 (×, ·, °, ©)
  range(0x2010, 0x2027); // dashes, quotes, bullets, ellipsis
  range(0x2030, 0x203b);
  range(0x2190, 0x2193); // arrows
  range(0x2460, 0x2473); // circled numbers
  range(0x25a0, 0x25cf); // squares, triangles, circles
  range(0x3000, 0x303f); // CJK symbols and punctuation
  range(0xff01, 0xff5e); // full-width forms
  range(0xffe0, 0xffe6);
  // GB 2312 hanzi: rows 16..87 (bytes 0xB0..0xF7), cells 0xA1..0xFE, decoded by ICU.
  const gb = new TextDecoder('gb18030');
  for (let hi = 0xb0; hi <= (LEVEL === '1' ? 0xd7 : 0xf7); hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const s = gb.decode(new Uint8Array([hi, lo]));
      const c = s.codePointAt(0)!;
      if (s.length === 1 && c >= 0x4e00 && c <= 0x9fff) set.add(c);
    }
  }
  for (const f of readdirSync(localeDir).filter((f) => f.endsWith('.json'))) {
    const frag = JSON.parse(readFileSync(join(localeDir, f), 'utf8')) as Record<string, Record<string, string>>;
    for (const texts of Object.values(frag)) for (const s of Object.values(texts)) for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (c >= 0x20 && c < 0x1f000) set.add(c);
    }
  }
  return [...set].sort((a, b) => a - b);
}

async function main() {
  const ttc = readFileSync(SOURCE);
  const coll = fontkit.create(ttc) as unknown as { fonts: { postscriptName: string }[] };
  const index = coll.fonts.findIndex((f) => f.postscriptName === FACE);
  if (index < 0) throw new Error(`${FACE} not in ${SOURCE}`);
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm'));
  const { instance } = await WebAssembly.instantiate(wasm);
  const hb = instance.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  (hb._initialize as unknown as (() => void) | undefined)?.();
  const ptr = hb.malloc(ttc.length);
  new Uint8Array(hb.memory.buffer, ptr, ttc.length).set(ttc);
  const blob = hb.hb_blob_create(ptr, ttc.length, 2 /* writable */, 0, 0);
  const face = hb.hb_face_create(blob, index);
  const input = hb.hb_subset_input_create_or_fail();
  const cps = subsetCodepoints();
  const uset = hb.hb_subset_input_unicode_set(input);
  for (const c of cps) hb.hb_set_add(uset, c);
  hb.hb_subset_input_set_flags(input, 1 /* NO_HINTING */);
  // Horizontal text only, no OpenType layout (pdf-lib and canvas place CJK glyphs one by one).
  const drop = hb.hb_subset_input_set(input, 3 /* DROP_TABLE_TAG */);
  for (const tag of DROP_TABLES) hb.hb_set_add(drop, tagOf(tag));
  const sub = hb.hb_subset_or_fail(face, input);
  if (!sub) throw new Error('hb_subset_or_fail failed');
  const outBlob = hb.hb_face_reference_blob(sub);
  const data = hb.hb_blob_get_data(outBlob, 0);
  const len = hb.hb_blob_get_length(outBlob);
  const bytes = new Uint8Array(hb.memory.buffer, data, len).slice();
  // CFF → TrueType outlines (fontkit, used by pdf-lib, subsets glyf fonts correctly, CID-keyed CFF not).
  const tmp = join(mkdtempSync(join(tmpdir(), 'rl-font-')), 'subset.otf');
  writeFileSync(tmp, bytes);
  execFileSync('/usr/bin/python3', [join(import.meta.dirname, 'otf2ttf.py'), tmp, OUT], { stdio: 'inherit' });
  console.log(JSON.stringify({ out: OUT, codepoints: cps.length, cffBytes: bytes.length, bytes: statSync(OUT).size }));
}

if (process.argv[1]?.endsWith('make-cjk-font.ts')) await main();
