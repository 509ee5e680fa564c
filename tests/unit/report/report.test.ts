import { beforeAll, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { CheckService } from '../../../utils/service';
import { addReference, closeLibraryDb, ensureDefaultLibrary, getCheck, getReference, openLibraryDb, type CheckRecord } from '../../../utils/library/db';
import { prepareReference } from '../../../utils/library/prepare';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import { sha256Hex } from '../../../utils/image/sha256';
import { buildReportModel, regionsOnImage, type ReportModel, type ReportImages } from '../../../utils/report/model';
import { buildReportPdf, coverText } from '../../../utils/report/pdf';
import { evidenceBytes } from '../../../utils/report/evidence';
import { fileRows, frameText, reportBlocks, verdictSentences } from '../../../utils/report/document';
import { makeTranslate, exportLangFor, type Messages } from '../../../utils/report/translate';
import { LABEL_COLOUR, layoutBlocks, paginate, wrapText } from '../../../utils/report/layout';
import { exportStem, formatBytes, formatTime } from '../../../utils/report/format';
import { mergeFragments } from '../../../scripts/locales';
import { demoImages } from '../../fixtures/demo';

const FONT = new Uint8Array(readFileSync('public/fonts/refundlens-cjk-sc.ttf'));
const merged = mergeFragments();
const zh = makeTranslate(merged.zh_CN as Messages);
const en = makeTranslate(merged.en as Messages);
const hasTool = (t: string) => existsSync(`/usr/bin/${t}`);

let rec: CheckRecord;
let model: ReportModel;
let images: ReportImages;

beforeAll(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
  const db = await openLibraryDb();
  const lib = await ensureDefaultLibrary(db, '我的图库');
  const { saved, doctored } = await demoImages();
  const platform = { decode: decodeInNode, encode: encodeInNode };
  await addReference(db, await prepareReference(saved, 'ceramic-mug-listing.jpg', lib.id, platform, {
    kind: 'video-frame', video: '打包 0042.webm', timeMs: 12_400, recordedAt: '2026-11-20T01:12:00.000Z',
  }));
  const svc = new CheckService({ db: () => openLibraryDb(), ...platform });
  const result = await svc.check(doctored, {
    sourceUrl: 'http://127.0.0.1/doctored.jpg',
    pageUrl: 'http://127.0.0.1/',
    ticket: { orderId: 'DEMO-20261120-0042', buyer: '买家小王', orderedAt: '2026-11-20T09:12:00+08:00', refundAt: '2026-11-23T21:40:00+08:00' },
  });
  await svc.recorded(result.id);
  rec = (await getCheck(db, result.id))!;
  const ref = await getReference(db, result.match!.referenceId);
  ({ model, images } = await buildReportModel({ check: rec, reference: ref, libraryName: lib.name, repeatBuyerCount: 2, version: '0.1.0' }));
}, 60_000);

describe('report model', () => {
  it('carries the file hash, image hashes and the frame of the packing video', async () => {
    const { doctored } = await demoImages();
    expect(model.file?.sha256).toBe(await sha256Hex(doctored));
    expect(model.images.buyer?.sha256).toBe(await sha256Hex(rec.image!));
    expect(model.images.buyer?.type).toBe('image/jpeg');
    expect(model.images.reference?.width).toBeGreaterThan(0);
    expect(model.repeatBuyer).toEqual({ buyer: '买家小王', count: 2 });
    expect(frameText(model, en, 480)).toBe('frame at 00:12 of packing video “打包 0042.webm” (recorded 2026-11-20 09:12:00 UTC+08:00)');
    expect(frameText(model, zh, 480)).toContain('00:12');
  });

  it('scales regions from full-size query pixels to the stored analysis image', () => {
    const m = { file: { width: 2000 } as ReportModel['file'], localisation: { regions: [[200, 100, 400, 300]], changedShare: 0.1, edited: true } } as ReportModel;
    expect(regionsOnImage(m, { width: 1000 })).toEqual([[100, 50, 200, 150]]);
    // One box per edit as the localisation found it: drawn as they are, none merged or dropped …
    const cells = { file: { width: 1000, height: 500 } as ReportModel['file'], localisation: { regions: [[0, 0, 10, 10], [12, 0, 20, 10], [500, 400, 510, 410]], changedShare: 0.1, edited: true } } as ReportModel;
    expect(regionsOnImage(cells, { width: 1000 })).toEqual([[0, 0, 10, 10], [12, 0, 20, 10], [500, 400, 510, 410]]);
    // … and none when the differences were not called an alteration.
    expect(regionsOnImage({ ...cells, localisation: { ...cells.localisation!, edited: false } }, { width: 1000 })).toEqual([]);
  });

  it('says the verdict in plain words in both languages', () => {
    const z = verdictSentences(model, zh, 480).join(' ');
    expect(z).toMatch(/商家自己的商品图/);
    expect(z).toMatch(/打包视频/);
    expect(z).toMatch(/买家小王/);
    expect(verdictSentences(model, en).join(' ')).toMatch(/merchant's own product photo/);
  });
});

describe('visible AI label in the report', () => {
  const labelled = (): ReportModel => ({
    ...model,
    visibleLabel: { status: 'found', text: '豆包AI生成', box: [model.file!.width! - 300, model.file!.height! - 80, model.file!.width! - 20, model.file!.height! - 20], position: 'bottom_right' },
  });

  it('draws the label box (dashed purple, scaled to the analysis copy) on the buyer picture of the PDF and PNG layout', () => {
    const m = labelled();
    const buyer = m.images.buyer!;
    const s = buyer.width / m.file!.width!;
    const rows = layoutBlocks(reportBlocks(m, zh), 500, (t, size) => t.length * size * 0.6);
    const rects = rows.flatMap((r) => r.ops).filter((o) => o.t === 'rect' && o.stroke === LABEL_COLOUR);
    expect(rects).toHaveLength(1);
    const r = rects[0] as Extract<(typeof rects)[number], { t: 'rect' }>;
    expect(r.dash).toBeGreaterThan(0);
    // 280 × 60 full-size pixels, drawn at the picture's scale: same aspect
    expect(r.w / r.h).toBeCloseTo(280 / 60, 1);
    expect(s).toBeGreaterThan(0);
    const text = rows.flatMap((x) => x.ops).filter((o) => o.t === 'text').map((o) => (o as { text: string }).text).join('');
    expect(text).toContain('紫色虚线框');
    // none without a label
    const plain = layoutBlocks(reportBlocks(model, zh), 500, (t, size) => t.length * size * 0.6);
    expect(plain.flatMap((x) => x.ops).filter((o) => o.t === 'rect' && o.stroke === LABEL_COLOUR)).toHaveLength(0);
  });

  it('says in the conclusion where the label is and what it reads', () => {
    const m = { ...labelled(), level: 'ai-labelled' as const };
    expect(verdictSentences(m, zh).join(' ')).toContain('图片右下角印有显著标识「豆包AI生成」');
    expect(verdictSentences(m, en).join(' ')).toContain('visible label “豆包AI生成” in its bottom-right corner');
    // derived and labelled: both are said
    const both = verdictSentences({ ...labelled() }, zh).join(' ');
    expect(both).toMatch(/商家自己的商品图/);
    expect(both).toContain('「豆包AI生成」');
  });

  it('states the label in the file facts and the evidence JSON, in both languages', () => {
    const m = labelled();
    expect(fileRows(m, zh)).toContainEqual({ k: '显著 AI 标识', v: '「豆包AI生成」 · 右下角' });
    expect(fileRows(m, en).find((r) => r.k === 'Visible AI label')?.v).toMatch(/豆包AI生成.*bottom-right corner/);
    expect(fileRows({ ...m, visibleLabel: { status: 'none' } }, zh)).toContainEqual({ k: '显著 AI 标识', v: '边缘和角落均未发现' });
    expect(fileRows({ ...m, visibleLabel: { status: 'not-checked' } }, en).find((r) => r.k === 'Visible AI label')?.v).toMatch(/not checked/);
    // checks made before labels were read: no line at all
    expect(fileRows({ ...m, visibleLabel: undefined }, zh).some((r) => r.k === '显著 AI 标识')).toBe(false);
    const j = JSON.parse(new TextDecoder().decode(evidenceBytes(m, zh, 'zh_CN', 480)));
    expect(j.visibleLabel).toMatchObject({ status: 'found', text: '豆包AI生成', box: m.visibleLabel!.box, position: 'bottom_right' });
    expect(JSON.parse(new TextDecoder().decode(evidenceBytes(model, zh, 'zh_CN', 480))).visibleLabel).toBeNull();
  });
});

describe('layout', () => {
  const measure = (s: string, size: number) => [...s].length * size * 0.6;
  it('breaks CJK anywhere, Latin at spaces, long hashes inside', () => {
    expect(wrapText('退款图片核验报告', 24.1, 10, measure)).toEqual(['退款图片', '核验报告']);
    expect(wrapText('hello big world', 10 * 6 * 0.6 + 0.1, 6, measure)).toEqual(['hello big', 'world']);
    const hash = 'a'.repeat(64);
    const lines = wrapText(hash, 20 * 6, 10, measure);
    expect(lines.join('')).toBe(hash);
    expect(lines.length).toBe(4);
    expect(wrapText('a\nb', 100, 10, measure)).toEqual(['a', 'b']);
  });
  it('paginates without losing rows and keeps headings with what follows', () => {
    const rows = layoutBlocks(reportBlocks(model, zh), 500, measure);
    const pages = paginate(rows, 300);
    const kept = pages.flat().filter((r) => r.ops.length).length;
    expect(kept).toBe(rows.filter((r) => r.ops.length).length);
    for (const p of pages) expect(p[p.length - 1].keepWithNext).not.toBe(true);
  });
});

describe('exports', () => {
  it('PDF: A4, reproducible byte for byte, Chinese text extractable and rendered', async () => {
    const t0 = performance.now();
    const a = await buildReportPdf(model, images, FONT, zh, { offsetMin: 480, lang: 'zh_CN' });
    const ms = performance.now() - t0;
    const b = await buildReportPdf(model, images, FONT, zh, { offsetMin: 480, lang: 'zh_CN' });
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(new TextDecoder().decode(a.subarray(0, 5))).toBe('%PDF-');
    console.log(`PDF ${a.length} bytes in ${Math.round(ms)} ms`);
    if (hasTool('pdftotext')) {
      const dir = mkdtempSync(join(tmpdir(), 'rl-pdf-'));
      const f = process.env.REPORT_PDF_OUT ?? join(dir, 'r.pdf');
      writeFileSync(f, a);
      const text = execFileSync('/usr/bin/pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
      expect(text).toContain('退款图片核验报告');
      expect(text).toContain('买家小王');
      expect(text.replace(/\s+/g, '')).toContain(model.file!.sha256);
      expect(text).toContain('00:12');
      const info = execFileSync('/usr/bin/pdfinfo', [f], { encoding: 'utf8' });
      expect(info).toMatch(/Page size:\s+595.28 x 841.89/);
      const fonts = execFileSync('/usr/bin/pdffonts', [f], { encoding: 'utf8' });
      expect(fonts).toMatch(/CID TrueType\s+Identity-H\s+yes \w+\s+yes/);
    }
  });

  it('JSON: reproducible, carries the SHA-256 of the checked bytes and of every image', async () => {
    const a = evidenceBytes(model, zh, 'zh_CN', 480);
    expect(evidenceBytes(model, zh, 'zh_CN', 480)).toEqual(a);
    const j = JSON.parse(new TextDecoder().decode(a));
    expect(j.format).toBe('refundlens-evidence');
    expect(j.file.sha256).toBe(model.file!.sha256);
    expect(j.images.buyerAnalysisCopy.sha256).toBe(await sha256Hex(images.buyer!));
    expect(j.images.referenceWorkingCopy.sha256).toBe(await sha256Hex(images.reference!));
    expect(j.match.reference.source).toEqual({ kind: 'video-frame', video: '打包 0042.webm', timeMs: 12_400, recordedAt: '2026-11-20T01:12:00.000Z' });
    expect(j.check.reasons[0].text).toMatch(/ceramic-mug-listing/);
  });

  it('PDF can carry the evidence JSON as an attachment', async () => {
    const json = evidenceBytes(model, en, 'en');
    const pdf = await buildReportPdf(model, images, FONT, en, { evidenceJson: json });
    if (hasTool('pdfdetach')) {
      const f = join(mkdtempSync(join(tmpdir(), 'rl-pdf-')), 'a.pdf');
      writeFileSync(f, pdf);
      expect(execFileSync('/usr/bin/pdfdetach', ['-list', f], { encoding: 'utf8' })).toContain('evidence.json');
    }
  });
});

describe('font and formatting', () => {
  it('the bundled font covers every character of the Chinese and English UI text', () => {
    const font = fontkit.create(Buffer.from(FONT)) as unknown as { hasGlyphForCodePoint(c: number): boolean };
    const missing = new Set<string>();
    for (const l of ['en', 'zh_CN'] as const) {
      for (const { message } of Object.values(merged[l])) {
        for (const ch of message) if (ch.codePointAt(0)! >= 0x20 && !font.hasGlyphForCodePoint(ch.codePointAt(0)!) && !/\p{Extended_Pictographic}/u.test(ch)) missing.add(ch);
      }
    }
    expect([...missing].join(''), 'regenerate with `npx tsx scripts/make-cjk-font.ts`').toBe('');
  });
  it('replaces characters outside the font instead of dropping them', () => {
    expect(coverText('a𠀀b\u0001', (c) => c < 0x1000)).toBe('a□b ');
  });
  it('formats times with an explicit offset, sizes exactly, stems safely', () => {
    expect(formatTime('2026-11-23T13:40:05.000Z', 480)).toBe('2026-11-23 21:40:05 UTC+08:00');
    expect(formatTime('2026-11-23T13:40:05.000Z', -300)).toBe('2026-11-23 08:40:05 UTC-05:00');
    expect(formatTime('garbage')).toBe('garbage');
    expect(formatBytes(1234567)).toBe('1 234 567 B (1.18 MB)');
    expect(exportStem(['DEMO/0042', '2026-11-23'])).toBe('refundlens-DEMO-0042-2026-11-23');
    expect(exportLangFor('zh-CN')).toBe('zh_CN');
    expect(exportLangFor('en-US')).toBe('en');
  });
  it('translates with params and un-escapes $$ like Chrome', () => {
    const tr = makeTranslate({ a: { message: 'pay $$5 for {x}' } });
    expect(tr('a', { x: 'y' })).toBe('pay $5 for y');
    expect(tr('missing')).toBe('missing');
  });
});
