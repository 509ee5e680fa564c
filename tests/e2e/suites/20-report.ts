/**
 * Evidence for the appeal: report page and its exports (PDF rendered with pdftoppm, PNG, JSON),
 * check history with the repeat-buyer flag, packing-video frames as references, backup → wipe →
 * restore. Independent of other suites: imports what it needs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Download, Page } from 'playwright-core';
import { checkAll, importReferences, type ExtensionBrowser, type LocalServer } from '../harness';
import { demoImages, demoTicketHtml } from '../../fixtures/demo';
import { paintCrack, productJpeg } from '../../fixtures/images';
import { expect, test } from '../registry';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const tmp = mkdtempSync(join(tmpdir(), 'refundlens-e2e-report-'));

async function saveDownload(page: Page, click: () => Promise<void>): Promise<{ bytes: Uint8Array; name: string; ms: number }> {
  const t0 = Date.now();
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }) as Promise<Download>, click()]);
  const path = join(tmp, d.suggestedFilename());
  await d.saveAs(path);
  return { bytes: new Uint8Array(readFileSync(path)), name: d.suggestedFilename(), ms: Date.now() - t0 };
}

/** A ticket page with one buyer photo and the given ticket facts. */
function ticketPage(s: LocalServer, path: string, img: string, facts: { order: string; buyer: string }) {
  const html = demoTicketHtml()
    .replace(/data-order-id="[^"]*"/, `data-order-id="${facts.order}"`)
    .replace(/data-buyer="[^"]*"/, `data-buyer="${facts.buyer}"`)
    .replace(/<section class="evidence">[\s\S]*<\/section>/, `<section class="evidence"><img src="${img}" width="240" height="180" alt="buyer photo"></section>`);
  s.routes.set(path, { type: 'text/html; charset=utf-8', body: html });
}

async function checkOne(b: ExtensionBrowser, s: LocalServer, path: string) {
  const page = await b.context.newPage();
  await page.goto(s.url + path);
  await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
  const [r] = await checkAll(page);
  await page.close();
  return r;
}

async function openReport(b: ExtensionBrowser, id: string): Promise<Page> {
  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  return report;
}

/**
 * Every store of the extension's IndexedDB, canonicalised and hashed in the page (revision
 * counter left out). Plain JS text: tsx would wrap named functions in a helper the page lacks.
 */
const DIGEST_JS = `(async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open('refundlens'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const stores = ['libraries', 'references', 'fingerprints', 'checks', 'meta'];
  const all = {};
  for (const s of stores) all[s] = await new Promise((ok) => { const r = db.transaction(s).objectStore(s).getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  all.meta = all.meta.filter((m) => m.key !== 'revision');
  function enc(v) {
    if (ArrayBuffer.isView(v)) {
      const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      let h = '';
      for (const x of u) h += x.toString(16).padStart(2, '0');
      return { $t: v.constructor.name, h };
    }
    if (Array.isArray(v)) return v.map(enc);
    if (v && typeof v === 'object') {
      const o = {};
      for (const k of Object.keys(v).sort()) o[k] = v[k] === undefined ? { $u: 1 } : enc(v[k]);
      return o;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $n: String(v) };
    return v;
  }
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(enc(all))));
  return {
    counts: Object.fromEntries(stores.map((s) => [s, all[s].length])),
    sha: [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, '0')).join(''),
  };
})()`;

/** Checks whose pictures are still being added after the verdict (CheckRecord.pending). */
const PENDING_JS = `new Promise((ok, no) => { const r = indexedDB.open('refundlens'); r.onerror = () => no(r.error);
  r.onsuccess = () => { const g = r.result.transaction('checks').objectStore('checks').getAll();
    g.onsuccess = () => { ok(g.result.filter((c) => c.pending).length); r.result.close(); }; }; })`;

/** Wait until every check has its pictures (they are added just after each verdict). */
async function settled(page: Page): Promise<void> {
  for (let i = 0; i < 100 && ((await page.evaluate(PENDING_JS)) as number) > 0; i++) await page.waitForTimeout(100);
}

async function dbDigest(page: Page): Promise<{ counts: Record<string, number>; sha: string }> {
  return page.evaluate(DIGEST_JS) as Promise<{ counts: Record<string, number>; sha: string }>;
}

test('report: check → report → export PDF (Chinese text rendered), PNG long image, JSON whose hashes match the bytes', async (b, s) => {
  const { saved, doctored } = await demoImages();
  await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
  ticketPage(s, '/report-ticket', '/doctored.jpg', { order: 'RPT-0001', buyer: '买家小李' });
  const r = await checkOne(b, s, '/report-ticket');
  expect(/^derived/.test(r.verdict), `doctored photo derived, got ${r.verdict}`);
  const report = await openReport(b, r.checkId!);
  expect(/^derived/.test((await report.locator('[data-refundlens="report"]').getAttribute('data-verdict')) ?? ''), 'report verdict');
  // Side by side, the wipe slider and the overlay toggle are there and reachable by keyboard.
  await report.locator('[data-refundlens="report-buyer"] img').first().waitFor();
  await report.locator('[data-refundlens="report-reference"] img').waitFor();
  const wipe = report.locator('[data-refundlens="report-wipe"]');
  await wipe.focus();
  await report.keyboard.press('ArrowRight');
  expect(Number(await wipe.inputValue()) > 50, 'slider moves with the keyboard');
  const toggle = report.locator('[data-refundlens="report-overlay-toggle"]');
  if (await toggle.count()) {
    await toggle.check();
    await report.locator('[data-refundlens="report-overlay"]').waitFor();
  }
  await report.selectOption('[data-refundlens="report-export-lang"]', 'zh_CN');

  // PDF: A4, Chinese text extractable, rendered by pdftoppm, reproducible.
  const pdf = await saveDownload(report, () => report.click('[data-refundlens="report-export-pdf"]'));
  expect(pdf.name.endsWith('.pdf') && pdf.name.includes('RPT-0001'), `pdf name ${pdf.name}`);
  const pdfPath = join(tmp, pdf.name);
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  expect(text.includes('退款'), 'PDF text contains 退款');
  expect(text.includes('买家小李'), 'PDF names the buyer');
  expect(text.replace(/\s+/g, '').includes(sha256(doctored)), 'PDF carries the SHA-256 of the served bytes');
  expect(/Page size:\s+595\.28 x 841\.89/.test(execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' })), 'A4');
  const fonts = execFileSync('pdffonts', [pdfPath], { encoding: 'utf8' });
  expect(/CID TrueType\s+Identity-H\s+yes/.test(fonts), `CJK font embedded: ${fonts}`);
  execFileSync('pdftoppm', ['-r', '60', '-f', '1', '-l', '1', '-png', pdfPath, join(tmp, 'page')]);
  const pagePng = join(tmp, 'page-1.png');
  expect(existsSync(pagePng), 'pdftoppm rendered page 1');
  // The title line (Chinese glyphs) has ink: dark pixels in the top strip of the rendered page.
  const { data, info } = await sharp(pagePng).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let y = Math.round(info.height * 0.04); y < Math.round(info.height * 0.09); y++) {
    for (let x = 0; x < info.width / 2; x++) if (data[y * info.width + x] < 100) dark++;
  }
  expect(dark > 150, `title glyphs drawn (${dark} dark pixels)`);
  const pdf2 = await saveDownload(report, () => report.click('[data-refundlens="report-export-pdf"]'));
  expect(sha256(pdf2.bytes) === sha256(pdf.bytes), 'PDF export is reproducible');

  // PNG long image.
  const png = await saveDownload(report, () => report.click('[data-refundlens="report-export-png"]'));
  const meta = await sharp(png.bytes).metadata();
  expect(meta.format === 'png' && meta.width === 1080 && (meta.height ?? 0) > 1500, `long PNG ${meta.width}×${meta.height}`);
  const png2 = await saveDownload(report, () => report.click('[data-refundlens="report-export-png"]'));
  expect(sha256(png2.bytes) === sha256(png.bytes), 'PNG export is reproducible');

  // JSON evidence: hashes match the bytes the server served and the exported images.
  const json = await saveDownload(report, () => report.click('[data-refundlens="report-export-json"]'));
  const ev = JSON.parse(new TextDecoder().decode(json.bytes));
  expect(ev.format === 'refundlens-evidence', 'evidence format');
  expect(ev.file.sha256 === sha256(doctored), `JSON SHA-256 ${ev.file.sha256} = served bytes ${sha256(doctored)}`);
  expect(ev.file.bytes === doctored.length, 'JSON byte count');
  expect(ev.match.reference.sha256 === sha256(saved), 'reference SHA-256 = the imported original');
  expect(ev.ticket.orderId === 'RPT-0001' && ev.language === 'zh_CN', 'ticket facts and language');
  expect(typeof ev.images.buyerAnalysisCopy.sha256 === 'string', 'image hashes');
  expect(text.replace(/\s+/g, '').includes(ev.images.buyerAnalysisCopy.sha256), 'PDF lists the same image hashes as the JSON');
  console.log(`    figures: PDF ${pdf.bytes.length} B (${pdf.ms} ms), PNG ${png.bytes.length} B ${meta.width}×${meta.height} (${png.ms} ms), JSON ${json.bytes.length} B (${json.ms} ms)`);
  await report.close();
});

test('history: filter by buyer/order/verdict, repeat-buyer flag in history and report, delete', async (b, s) => {
  const { saved, doctored } = await demoImages();
  await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
  ticketPage(s, '/hist-1', '/doctored.jpg', { order: 'HIST-A', buyer: '回头客' });
  ticketPage(s, '/hist-2', '/doctored.jpg', { order: 'HIST-B', buyer: '回头客' });
  ticketPage(s, '/hist-3', '/unrelated.jpg', { order: 'HIST-C', buyer: '新客' });
  const r1 = await checkOne(b, s, '/hist-1');
  const r2 = await checkOne(b, s, '/hist-2');
  await checkOne(b, s, '/hist-3');
  expect(/^derived/.test(r1.verdict) && /^derived/.test(r2.verdict), 'both derived');
  void doctored;

  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/options.html#history`);
  await page.locator('[data-refundlens="history"]').waitFor();
  await settled(page); // thumbnails are stored just after each verdict
  const count = async () => Number(await page.locator('[data-refundlens="history-count"]').getAttribute('data-count'));
  await page.fill('[data-refundlens="history-buyer"]', '回头');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '2', null, { timeout: 10_000 }).catch(async () => { throw new Error('history rows for 回头: ' + (await count()) + ' ' + (await page.locator('[data-refundlens="history"]').innerText()).slice(0, 600)); });
  // The repeat-buyer counts arrive after the rows: wait for them rather than read at once.
  await page.waitForFunction(() => document.querySelectorAll('[data-refundlens="history-repeat"]').length >= 2, null, { timeout: 10_000 }).catch(() => {});
  expect((await page.locator('[data-refundlens="history-repeat"]').count()) === 2, 'both rows flag the repeat buyer');
  const thumbs = await page.locator('[data-refundlens="history-row"] img').count();
  expect(thumbs === 2, `thumbnails shown (${thumbs})`);
  await page.fill('[data-refundlens="history-order"]', 'hist-b');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '1');
  await page.fill('[data-refundlens="history-order"]', '');
  await page.selectOption('[data-refundlens="history-level"]', 'no-evidence');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '0');
  await page.selectOption('[data-refundlens="history-level"]', '');
  await page.fill('[data-refundlens="history-buyer"]', '');
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await page.fill('[data-refundlens="history-from"]', '2000-01-01');
  await page.fill('[data-refundlens="history-to"]', '2000-12-31');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '0');
  await page.fill('[data-refundlens="history-to"]', day);
  await page.waitForFunction(() => Number(document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count')) >= 3);

  // The report of the second check names the repeat buyer.
  const report = await openReport(b, r2.checkId!);
  await report.locator('[data-refundlens="report-repeat-buyer"]').waitFor();
  await report.close();

  // Delete one check.
  await page.fill('[data-refundlens="history-from"]', '');
  await page.fill('[data-refundlens="history-to"]', '');
  await page.fill('[data-refundlens="history-order"]', 'HIST-C');
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '1');
  page.once('dialog', (d) => void d.accept());
  await page.locator('[data-refundlens="history-row"] button.danger').click();
  await page.waitForFunction(() => document.querySelector('[data-refundlens="history-count"]')?.getAttribute('data-count') === '0');
  // Retention setting is stored and shown again.
  await page.selectOption('[data-refundlens="history-retention"]', '365');
  await page.reload();
  await page.locator('[data-refundlens="history"]').waitFor();
  await page.waitForFunction(() => (document.querySelector('[data-refundlens="history-retention"]') as HTMLSelectElement)?.value === '365');
  await page.close();
});

test('packing video: webm frames with timestamps become references; a photo of a frame matches and the report names the frame', async (b, s) => {
  // Three scenes rendered in code, recorded as VP8 WebM by the page's own MediaRecorder.
  const scenes = [await productJpeg(41, 1280, 720), await productJpeg(42, 1280, 720), await productJpeg(43, 1280, 720)];
  scenes.forEach((img, i) => s.routes.set(`/scene${i}.jpg`, { type: 'image/jpeg', body: img }));
  s.routes.set('/rec', { type: 'text/html', body: '<!doctype html><canvas width="1280" height="720"></canvas>' });
  const rec = await b.context.newPage();
  await rec.goto(s.url + '/rec');
  const b64 = await rec.evaluate(async () => {
    const imgs = await Promise.all([0, 1, 2].map((i) => new Promise<HTMLImageElement>((ok) => {
      const im = new Image();
      im.onload = () => ok(im);
      im.src = `/scene${i}.jpg`;
    })));
    const c = document.querySelector('canvas')!;
    const ctx = c.getContext('2d')!;
    // Frames on request: headless Chromium composites too rarely for a timed capture.
    const stream = c.captureStream(0);
    const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
    const mr = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 6_000_000 });
    const parts: Blob[] = [];
    mr.ondataavailable = (e) => parts.push(e.data);
    const t0 = performance.now();
    ctx.drawImage(imgs[0], 0, 0);
    mr.start(500);
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        const t = performance.now() - t0;
        const i = Math.min(2, Math.floor(t / 3200));
        ctx.drawImage(imgs[i], 0, 0);
        // a small moving mark so the encoder keeps producing frames
        ctx.fillStyle = '#fff';
        ctx.fillRect(1200, 680, 60, 20);
        ctx.fillStyle = '#000';
        ctx.fillRect(1200 + ((t / 40) % 50), 685, 8, 8);
        track.requestFrame();
        if (t > 10_000) {
          clearInterval(timer);
          done();
        }
      }, 40);
    });
    await new Promise<void>((done) => { mr.onstop = () => done(); mr.stop(); });
    const buf = new Uint8Array(await new Blob(parts, { type: 'video/webm' }).arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return btoa(bin);
  });
  await rec.close();
  const video = Buffer.from(b64, 'base64');
  expect(video.length > 10_000, `recorded webm ${video.length} B`);
  if (process.env.REFUNDLENS_KEEP_VIDEO) writeFileSync(process.env.REFUNDLENS_KEEP_VIDEO, video);

  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/options.html#video`);
  const t0 = Date.now();
  await page.locator('[data-refundlens="video-import"]').setInputFiles({ name: 'packing-0042.webm', mimeType: 'video/webm', buffer: video });
  await page.locator('[data-refundlens="video-sampled"]').waitFor({ timeout: 120_000 });
  const sampleMs = Date.now() - t0;
  const labels = await page.locator('[data-refundlens="video-frames"] figcaption').allTextContents();
  const info = await page.locator('[data-refundlens="video"]').innerText();
  expect(labels.length >= 3, `at least 3 frames offered, got ${labels.length}: ${labels.join(' | ')} (${info.split('\n').find((l) => l.includes('packing-0042'))})`);
  expect(labels.every((l) => /\d\d:\d\d/.test(l)), 'each frame shows its timestamp');
  const picked = await page.locator('[data-refundlens="video-frames"] input[type="checkbox"]:checked').count();
  expect(picked >= 3, `first frame and scene changes preselected (${picked})`);
  await page.click('[data-refundlens="video-add"]');
  await page.locator('[data-refundlens="video-done"]').waitFor({ timeout: 60_000 });
  console.log(`    figures: 10 s 720p WebM sampled in ${sampleMs} ms, ${labels.length} frames offered, ${picked} preselected`);
  await page.close();

  // The buyer's "damage" photo: scene 2 taken from the video, cropped and with a painted crack.
  const photo = new Uint8Array(await sharp(await paintCrack(scenes[1], [0.35, 0.3, 0.6, 0.55], 88)).extract({ left: 60, top: 40, width: 1100, height: 640 }).jpeg({ quality: 80 }).toBuffer());
  s.routes.set('/frame-photo.jpg', { type: 'image/jpeg', body: photo });
  ticketPage(s, '/video-ticket', '/frame-photo.jpg', { order: 'VID-0001', buyer: '买家老张' });
  const r = await checkOne(b, s, '/video-ticket');
  expect(/^derived/.test(r.verdict), `photo of a frame is derived, got ${r.verdict}`);
  expect(/^packing-0042\.webm @ 00:0[3-6]$/.test(r.match ?? ''), `matched a frame reference, got ${r.match}`);
  const report = await openReport(b, r.checkId!);
  const body = (await report.locator('[data-refundlens="report"]').textContent()) ?? '';
  expect(/frame at 00:0\d of packing video “packing-0042\.webm” \(recorded \d{4}-\d\d-\d\d/.test(body), 'report names the frame of the packing video');
  await report.close();
});

test('packing video: a file the browser cannot decode gives a clear message', async (b) => {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/options.html#video`);
  // An MP4 header followed by garbage: no decoder can play it.
  const junk = Buffer.concat([Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0, 0x69, 0x73, 0x6f, 0x6d, 0x61, 0x76, 0x63, 0x31]), Buffer.alloc(4096, 7)]);
  await page.locator('[data-refundlens="video-import"]').setInputFiles({ name: 'phone.mp4', mimeType: 'video/mp4', buffer: junk });
  const msg = (await page.locator('[data-refundlens="video-error"]').textContent({ timeout: 40_000 })) ?? '';
  expect(/cannot play “phone\.mp4”/.test(msg) && /WebM/.test(msg), `codec message: ${msg}`);
  await page.close();
});

test('backup → wipe → restore gives identical libraries and history', async (b, s) => {
  const { saved } = await demoImages();
  await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
  ticketPage(s, '/backup-ticket', '/doctored.jpg', { order: 'BAK-1', buyer: 'backup-buyer' });
  const r = await checkOne(b, s, '/backup-ticket');
  const page = await b.context.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto(`chrome-extension://${b.extensionId}/options.html#backup`);
  await page.locator('[data-refundlens="backup"]').waitFor();
  await settled(page);
  const before = await dbDigest(page);
  expect(before.counts.references >= 1 && before.counts.checks >= 1, `something to back up: ${JSON.stringify(before.counts)}`);
  const zip = await saveDownload(page, () => page.click('[data-refundlens="backup-create"]'));
  await page.locator('[data-refundlens="backup-done"]').waitFor();
  expect(zip.name.endsWith('.zip') && zip.bytes.length > 10_000, `backup ${zip.name} ${zip.bytes.length} B`);

  // Wipe everything.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok) => { const q = indexedDB.open('refundlens'); q.onsuccess = () => ok(q.result); });
    const tx = db.transaction(['libraries', 'references', 'fingerprints', 'checks', 'meta'], 'readwrite');
    for (const n of tx.objectStoreNames) tx.objectStore(n).clear();
    await new Promise((ok) => (tx.oncomplete = ok));
    db.close();
  });
  const wiped = await dbDigest(page);
  expect(wiped.counts.references === 0 && wiped.counts.checks === 0, 'wiped');

  // A damaged file changes nothing.
  const bad = Buffer.from(zip.bytes);
  bad[Math.floor(bad.length / 2)] ^= 0xff;
  await page.locator('[data-refundlens="backup-restore"]').setInputFiles({ name: 'bad.zip', mimeType: 'application/zip', buffer: bad });
  await page.locator('[data-refundlens="backup-error"]').waitFor({ timeout: 60_000 });
  expect((await dbDigest(page)).sha === wiped.sha, 'failed restore changed nothing');

  const t0 = Date.now();
  await page.locator('[data-refundlens="backup-restore"]').setInputFiles({ name: zip.name, mimeType: 'application/zip', buffer: Buffer.from(zip.bytes) });
  await page.locator('[data-refundlens="backup-done"]').waitFor({ timeout: 60_000 });
  const after = await dbDigest(page);
  expect(JSON.stringify(after.counts) === JSON.stringify(before.counts), `counts ${JSON.stringify(after.counts)} = ${JSON.stringify(before.counts)}`);
  expect(after.sha === before.sha, 'every record and byte identical after restore');
  console.log(`    figures: backup ${zip.bytes.length} B in ${zip.ms} ms, restore ${Date.now() - t0} ms, ${JSON.stringify(after.counts)}`);
  await page.close();

  // The restored history opens in the report, and the restored library still matches.
  const report = await openReport(b, r.checkId!);
  expect(/^derived/.test((await report.locator('[data-refundlens="report"]').getAttribute('data-verdict')) ?? ''), 'restored check opens');
  await report.close();
  const again = await checkOne(b, s, '/backup-ticket');
  expect(again.match === 'ceramic-mug-listing.jpg', `restored library matches, got ${again.match}`);
});

test('report of a check whose pictures never came (worker stopped): says so and still shows the verdict', async (b) => {
  const report = await b.context.newPage();
  try {
    await report.goto(`chrome-extension://${b.extensionId}/report.html?check=00000000-0000-0000-0000-000000000000`);
    // copy the newest stored check as one recorded two minutes ago whose pictures never arrived
    const id = await report.evaluate(() => new Promise<string>((res, rej) => {
      const rq = indexedDB.open('refundlens');
      rq.onerror = () => rej(rq.error);
      rq.onsuccess = () => {
        const db = rq.result;
        const cur = db.transaction('checks').objectStore('checks').openCursor(null, 'prev');
        cur.onsuccess = () => {
          const rec = { ...cur.result!.value };
          const newId = '11111111-2222-3333-4444-555555555555';
          const at = new Date(Date.now() - 120_000).toISOString();
          rec.id = newId;
          rec.checkedAt = at;
          rec.result = { ...rec.result, id: newId, checkedAt: at };
          rec.pending = true;
          delete rec.image; delete rec.thumb; delete rec.ela;
          const w = db.transaction('checks', 'readwrite');
          w.objectStore('checks').put(rec);
          w.oncomplete = () => { db.close(); res(newId); };
          w.onerror = () => rej(w.error);
        };
      };
    }));
    await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
    await report.locator('[data-refundlens="report"]').waitFor();
    expect(await report.locator('[data-refundlens="pictures-lost"]').isVisible(), 'the lost pictures are named');
    expect(((await report.locator('[data-refundlens="report"]').getAttribute('data-verdict')) ?? 'missing') !== 'missing', 'the verdict is still shown');
    await report.evaluate((checkId) => new Promise<void>((res) => {
      const rq = indexedDB.open('refundlens');
      rq.onsuccess = () => { const w = rq.result.transaction('checks', 'readwrite'); w.objectStore('checks').delete(checkId); w.oncomplete = () => { rq.result.close(); res(); }; };
    }), id);
  } finally {
    await report.close();
  }
});
