/**
 * Where the photo was altered, end to end: a textured listing photo is imported; the buyer's copy
 * has one thin branching crack painted on it (an 8 px stroke with branches, as a fraud tool paints
 * it), is cropped, tilted and re-saved at JPEG quality 60. The check must say "derived and
 * locally altered", and the one edit must be one region, counted the same on the report page, in
 * the PDF and in the JSON evidence. Screenshots of the card and the report go to tmp/ to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Download, Page } from 'playwright-core';
import { checkAll, importReferences } from '../harness';
import { demoTicketHtml } from '../../fixtures/demo';
import { rng } from '../../fixtures/images';
import { expect, test } from '../registry';

const tmp = mkdtempSync(join(tmpdir(), 'refundlens-e2e-localise-'));

/** A 1200×900 textured product photo (fabric weave, print, shading), rendered in code. */
async function texturedPhoto(seed: number): Promise<Uint8Array> {
  const r = rng(seed);
  const W = 1200, H = 900;
  const shapes: string[] = [];
  for (let i = 0; i < 60; i++) {
    shapes.push(`<rect x="${r() * W}" y="${r() * H}" width="${20 + r() * 160}" height="${10 + r() * 120}" fill="hsl(${Math.floor(r() * 360)},${30 + r() * 40}%,${30 + r() * 50}%)" opacity="${0.4 + r() * 0.5}" transform="rotate(${(r() - 0.5) * 40} ${r() * W} ${r() * H})"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs><filter id="g"><feTurbulence type="fractalNoise" baseFrequency="0.35" numOctaves="3" seed="${seed}"/><feColorMatrix type="saturate" values="0"/></filter></defs>
    <rect width="${W}" height="${H}" fill="#b89a72"/>${shapes.join('')}
    <rect width="${W}" height="${H}" filter="url(#g)" opacity="0.45"/>
    <text x="80" y="160" font-size="90" font-family="sans-serif" font-weight="bold" fill="#2a2a2a">RefundLens 陶瓷杯</text></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer());
}

/** Paint one branching crack (8 px main stroke, 3 thinner branches) inside `box` (pixels); returns the bytes as a PNG. */
async function withCrack(bytes: Uint8Array, box: [number, number, number, number], seed: number): Promise<Buffer> {
  const r = rng(seed);
  const [x0, y0, x1, y1] = box;
  const pts: [number, number][] = [];
  for (let i = 0; i <= 10; i++) pts.push([x0 + ((x1 - x0) * i) / 10 + (r() - 0.5) * 18, y0 + ((y1 - y0) * i) / 10 + (r() - 0.5) * 18]);
  const path = (p: [number, number][]) => 'M ' + p.map(([x, y]) => `${x.toFixed(1)} ${y.toFixed(1)}`).join(' L ');
  const branches: string[] = [];
  for (const k of [3, 5, 8]) {
    const [bx, by] = pts[k];
    const b: [number, number][] = [[bx, by]];
    for (let j = 1; j <= 3; j++) b.push([bx + j * 22 * (r() < 0.5 ? 1 : -1) * 0.6, by + j * 20]);
    branches.push(`<path d="${path(b)}" stroke="#141414" stroke-width="3.5" fill="none" stroke-linecap="round"/>`);
  }
  const meta = await sharp(bytes).metadata();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${meta.width}" height="${meta.height}">
    <path d="${path(pts)}" stroke="#111" stroke-width="8" fill="none" stroke-linejoin="round" stroke-linecap="round"/>${branches.join('')}</svg>`;
  return sharp(bytes).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
}

async function saveDownload(page: Page, click: () => Promise<void>): Promise<Uint8Array> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }) as Promise<Download>, click()]);
  const path = join(tmp, d.suggestedFilename());
  await d.saveAs(path);
  return new Uint8Array(readFileSync(path));
}

test('localisation: a thin branching crack on a cropped, tilted q60 copy is one marked region, counted alike on card, report, PDF and JSON', async (b, s) => {
  const saved = await texturedPhoto(11);
  await importReferences(b, [{ name: 'mug-listing-textured.jpg', bytes: saved }]);
  // crack across the lower right, then 8 % crop, 2° tilt, JPEG q60
  const painted = await withCrack(saved, [640, 430, 1000, 760], 5);
  const tilted = await sharp(painted).rotate(2, { background: '#ffffff' }).toBuffer();
  const tm = await sharp(tilted).metadata();
  const cw = Math.round(tm.width! * 0.92), ch = Math.round(tm.height! * 0.92);
  const doctored = new Uint8Array(await sharp(tilted).extract({ left: Math.round((tm.width! - cw) / 2), top: Math.round((tm.height! - ch) / 2), width: cw, height: ch }).jpeg({ quality: 60 }).toBuffer());
  s.routes.set('/crack.jpg', { type: 'image/jpeg', body: doctored });
  const html = demoTicketHtml()
    .replace(/data-order-id="[^"]*"/, 'data-order-id="LOC-0013"')
    .replace(/<section class="evidence">[\s\S]*<\/section>/, '<section class="evidence"><img src="/crack.jpg" width="320" height="240" alt="buyer photo"></section>');
  s.routes.set('/localise-ticket', { type: 'text/html; charset=utf-8', body: html });

  const page = await b.context.newPage();
  await page.goto(s.url + '/localise-ticket');
  await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
  const [r] = await checkAll(page);
  expect(r.verdict === 'derived-edited', `thin crack: derived-edited, got ${r.verdict}`);
  expect(r.match === 'mug-listing-textured.jpg', `matched the listing photo, got ${r.match}`);
  const shots = join('tmp', 'e2e-shots');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'localise-card.png') });
  await page.close();

  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${r.checkId}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  await report.locator('[data-refundlens="report-buyer"] img').first().waitFor();
  await report.screenshot({ path: join(shots, 'localise-report.png'), fullPage: true });

  // JSON evidence: exactly one region, around the painted crack (in full-size query pixels)
  const ev = JSON.parse(new TextDecoder().decode(await saveDownload(report, () => report.click('[data-refundlens="report-export-json"]'))));
  const regions: number[][] = ev.localisation?.regions ?? [];
  expect(regions.length === 1, `JSON: one region for the one crack, got ${JSON.stringify(regions)}`);
  // the crack's box in the doctored copy: roughly the lower right quarter
  const [x0, y0, x1, y1] = regions[0];
  expect(x0 > cw * 0.4 && y0 > ch * 0.35 && x1 < cw && y1 < ch && (x1 - x0) > cw * 0.2 && (y1 - y0) > ch * 0.25, `region covers the crack: ${regions[0]} in ${cw}×${ch}`);

  // the same count on the report page and in the PDF (zh and en wording: "1 处" / "1 place", "1 change" …)
  const counts = (text: string) => [...text.matchAll(/(\d+)\s*(?:处|(?:places?|areas?|regions?|edits?|changes?)\b)/g)].map((m) => Number(m[1]));
  const pageCounts = counts(await report.locator('[data-refundlens="report"]').innerText());
  expect(pageCounts.length > 0 && pageCounts.every((n) => n === 1), `report page counts ${pageCounts}`);
  await report.selectOption('[data-refundlens="report-export-lang"]', 'zh_CN');
  const pdf = await saveDownload(report, () => report.click('[data-refundlens="report-export-pdf"]'));
  const pdfPath = join(tmp, 'localise.pdf');
  writeFileSync(pdfPath, pdf);
  const pdfCounts = counts(execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }));
  expect(pdfCounts.length > 0 && pdfCounts.every((n) => n === 1), `PDF counts ${pdfCounts}`);
  execFileSync('pdftoppm', ['-r', '60', '-f', '1', '-l', '1', '-png', pdfPath, join(shots, 'localise-pdf')]);
  await report.close();
});
