/**
 * `npx tsx scripts/shots.ts <out-dir> [--en] [--dark] [--only ticket,report,pdf,options,popup,label]`:
 * screenshots of every screen a merchant and a reviewer see, on the built extension and the demo
 * ticket (for looking at them; nothing is asserted here — the e2e suites assert).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAll, importReferences, launchWithExtension, startServer } from '../tests/e2e/harness';
import { demoImages, demoRoutes } from '../tests/fixtures/demo';

const out = process.argv[2] ?? 'tmp/shots';
const en = process.argv.includes('--en');
const dark = process.argv.includes('--dark');
const onlyArg = process.argv.indexOf('--only');
const only = new Set((onlyArg > 0 ? process.argv[onlyArg + 1] : 'ticket,report,pdf,options,popup').split(','));
const tag = `${en ? 'en' : 'zh'}-${dark ? 'dark' : 'light'}`;
mkdirSync(out, { recursive: true });

const server = await startServer(await demoRoutes());
const b = await launchWithExtension({ lang: en ? 'en-US' : 'zh-CN' });
const scheme = async (p: import('playwright-core').Page) => p.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
const { saved } = await demoImages();

if (only.has('options')) {
  // many photos so that the page is seen in the middle of the import
  const sharp = (await import('sharp')).default;
  const files = await Promise.all(Array.from({ length: 24 }, async (_, i) => ({
    name: `listing-${String(i + 1).padStart(2, '0')}.jpg`,
    buffer: await sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: (i * 37) % 255, g: (i * 91) % 255, b: (i * 53) % 255 } } })
      .composite([{ input: Buffer.from(`<svg width="2400" height="1800"><rect x="${300 + i * 40}" y="400" width="900" height="700" fill="#fff"/><text x="500" y="800" font-size="200">SKU ${i}</text></svg>`) }])
      .jpeg({ quality: 90 }).toBuffer(),
    mimeType: 'image/jpeg',
  })));
  const page = await b.context.newPage();
  await scheme(page);
  await page.goto(`chrome-extension://${b.extensionId}/options.html`);
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(out, `options-empty-${tag}.png`), fullPage: true });
  await page.locator('[data-refundlens="library-import"]').setInputFiles(files);
  await page.waitForFunction(() => Number(document.querySelector('[data-refundlens="library-count"]')?.textContent) >= 6, null, { timeout: 60_000 });
  await page.screenshot({ path: join(out, `options-importing-${tag}.png`), fullPage: true });
  await page.waitForFunction(() => Number(document.querySelector('[data-refundlens="library-count"]')?.textContent) >= 24, null, { timeout: 120_000 });
  await page.close();
}

await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
const page = await b.context.newPage();
await scheme(page);
await page.goto(server.url + '/');
await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
const results = await checkAll(page);
if (only.has('ticket')) {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `ticket-${tag}.png`) });
  // the check-all summary and the doctored photo's card open
  await page.locator('[data-refundlens="check-all"]').dispatchEvent('click');
  await page.waitForFunction(() => document.querySelectorAll('[data-refundlens="result"][data-verdict]').length >= 4, null, { timeout: 60_000 });
  await page.locator('[data-refundlens="check"]').first().dispatchEvent('click');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="result"]')?.hasAttribute('data-verdict'), null, { timeout: 30_000 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(out, `ticket-cards-${tag}.png`) });
}
const id = results.find((r) => r.src.endsWith('/doctored.jpg'))?.checkId;
if (id && (only.has('report') || only.has('pdf'))) {
  const report = await b.context.newPage();
  await scheme(report);
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  await report.waitForTimeout(1500);
  if (only.has('report')) await report.screenshot({ path: join(out, `report-${tag}.png`), fullPage: true });
  if (only.has('pdf')) {
    await report.selectOption('[data-refundlens="report-export-lang"]', en ? 'en' : 'zh_CN');
    const [dl] = await Promise.all([report.waitForEvent('download'), report.click('[data-refundlens="report-export-pdf"]')]);
    const pdfPath = join(out, `report-${tag}.pdf`);
    await dl.saveAs(pdfPath);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '2', pdfPath, join(out, `pdf-${tag}`)]);
    writeFileSync(join(out, `pdf-${tag}.txt`), execFileSync('pdftotext', ['-layout', pdfPath, '-']));
  }
}
const labelId = results.find((r) => r.src.endsWith('/labelled.jpg'))?.checkId;
if (only.has('label')) {
  // the card of the photo with a visible AI label, then its report and PDF
  await page.locator('[data-refundlens="check"][data-src$="/labelled.jpg"]').dispatchEvent('click');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-refundlens="result"][data-verdict]')].some((h) => h.getAttribute('data-src')?.endsWith('/labelled.jpg')), null, { timeout: 60_000 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: join(out, `label-card-${tag}.png`) });
  if (labelId) {
    const report = await b.context.newPage();
    await scheme(report);
    await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${labelId}`);
    await report.locator('[data-refundlens="report"]').waitFor();
    await report.waitForTimeout(1500);
    await report.screenshot({ path: join(out, `label-report-${tag}.png`), fullPage: true });
    await report.selectOption('[data-refundlens="report-export-lang"]', en ? 'en' : 'zh_CN');
    const [dl] = await Promise.all([report.waitForEvent('download'), report.click('[data-refundlens="report-export-pdf"]')]);
    const pdfPath = join(out, `label-report-${tag}.pdf`);
    await dl.saveAs(pdfPath);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', pdfPath, join(out, `label-pdf-${tag}`)]);
  }
}
if (only.has('popup')) {
  const popup = await b.context.newPage();
  await scheme(popup);
  await popup.setViewportSize({ width: 380, height: 560 });
  await popup.goto(`chrome-extension://${b.extensionId}/popup.html`);
  await popup.waitForTimeout(800);
  await popup.screenshot({ path: join(out, `popup-${tag}.png`) });
}
await b.close();
await server.close();
console.log(`screenshots in ${out} (${tag})`);
