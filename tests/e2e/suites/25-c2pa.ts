/**
 * Content Credentials in the built extension: files signed in code with the test chain
 * (tests/fixtures/c2pa.ts) and copies tampered after signing, checked on a ticket page. The
 * official reader runs in the offscreen document's worker; the verdict and the report say what it
 * found. Also prints what validation adds to a check of a 2–5 MB signed JPEG (nothing is asserted
 * on time: the machine may be busy).
 */
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { demoTicketHtml } from '../../fixtures/demo';
import { productJpeg } from '../../fixtures/images';
import { signWithTestCert, tamperClaim, tamperPixels } from '../../fixtures/c2pa';
import { checkAll, type ExtensionBrowser } from '../harness';
import { app11Jumbf, jpegWith } from '../../unit/metadata/builders';
import { expect, test } from '../registry';

const EVIDENCE = /<section class="evidence">[\s\S]*<\/section>/;
const page = (imgs: string[]) => demoTicketHtml().replace(EVIDENCE, `<section class="evidence"><h3>退款凭证</h3>${imgs.map((src) => `<img src="${src}" width="240" height="180">`).join('')}</section>`);

/** A 4000×3000 photo-like JPEG of 2–5 MB (fine noise over gradients, as a phone photo). */
async function bigPhoto(seed: number): Promise<Uint8Array> {
  const W = 4000, H = 3000;
  const raw = Buffer.alloc(W * H * 3);
  let s = seed;
  for (let i = 0; i < raw.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const px = i / 3;
    raw[i] = (((px % W) >> 4) + ((px / W) >> 3) * (1 + (i % 3))) & 255 ^ ((s >>> 24) & 31);
  }
  return new Uint8Array(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 88 }).toBuffer());
}

/** The stored check (IndexedDB 'checks'), read from an extension page. */
async function record(p: Page, id: string): Promise<{ timings?: Record<string, number>; metadata?: { c2pa?: { valid: boolean | null; outcome: string; codes: string[]; ms?: number } } }> {
  return p.evaluate(async (key) => {
    const db = await new Promise<IDBDatabase>((ok, no) => {
      const r = indexedDB.open('refundlens');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const rec = await new Promise<unknown>((ok) => {
      const r = db.transaction('checks').objectStore('checks').get(key);
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    const x = rec as { result?: unknown } & Record<string, unknown>;
    return JSON.parse(JSON.stringify(x?.result ?? x ?? {}, (_k, v) => (v instanceof Uint8Array || ArrayBuffer.isView(v) ? undefined : v)));
  }, id);
}

/** Hostile stores: the signed file's JUMBF with random bytes, and 3000 nested boxes under a store label. */
async function hostile(signed: Uint8Array): Promise<{ fuzzed: Uint8Array; deep: Uint8Array }> {
  const fuzzed = signed.slice();
  let o = 2, seed = 99;
  while (o + 4 <= fuzzed.length && fuzzed[o + 1] !== 0xda) {
    const len = (fuzzed[o + 2] << 8) | fuzzed[o + 3];
    if (fuzzed[o + 1] === 0xeb) for (let k = 0; k < 40; k++) fuzzed[o + 12 + ((seed = (seed * 1103515245 + 12345) >>> 0) % (len - 12))] = seed >>> 24;
    o += 2 + len;
  }
  const box = (type: string, ...c: Uint8Array[]) => {
    const n = 8 + c.reduce((x, y) => x + y.length, 0);
    const out = new Uint8Array(n);
    new DataView(out.buffer).setUint32(0, n);
    out.set(new TextEncoder().encode(type), 4);
    let p = 8;
    for (const x of c) (out.set(x, p), (p += x.length));
    return out;
  };
  const STORE = Uint8Array.from([0x63, 0x32, 0x70, 0x61, 0, 0x11, 0, 0x10, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
  const jumd = (label: string) => box('jumd', STORE, Uint8Array.of(3), new TextEncoder().encode(label + '\0'));
  let inner = box('jumb', jumd('c2pa.claim'));
  for (let d = 0; d < 3000; d++) inner = box('jumb', jumd('n' + d), inner);
  return { fuzzed, deep: await jpegWith(app11Jumbf(box('jumb', jumd('c2pa'), inner)), { width: 640, height: 480 }) };
}

async function openReport(b: ExtensionBrowser, id: string): Promise<Page> {
  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  return report;
}

test('C2PA: a signed photo verifies; changed after signing → "edited" naming the signer; a forged claim is not ai-labelled', async (b, s) => {
  const camera = await signWithTestCert(await productJpeg(31, 1600, 1200), { generator: { name: 'Test Phone Camera', version: '14' }, sourceType: 'digitalCapture' });
  const firefly = await signWithTestCert(await productJpeg(32, 1024, 1024), { generator: { name: 'Adobe_Firefly', version: '3' }, sourceType: 'trainedAlgorithmicMedia' });
  const bad = await hostile(camera);
  const files: Record<string, Uint8Array> = {
    '/c2pa-fuzzed.jpg': bad.fuzzed,
    '/c2pa-deep.jpg': bad.deep,
    '/c2pa-camera.jpg': camera,
    '/c2pa-changed.jpg': tamperPixels(camera),
    '/c2pa-firefly.jpg': firefly,
    '/c2pa-forged.jpg': tamperClaim(firefly, 'Adobe_Firefly', 'Adobe_Forgery'),
  };
  for (const [path, body] of Object.entries(files)) s.routes.set(path, { type: 'image/jpeg', body });
  s.routes.set('/c2pa-ticket', { type: 'text/html; charset=utf-8', body: page(Object.keys(files)) });
  const p = await b.context.newPage();
  await p.goto(s.url + '/c2pa-ticket');
  await p.waitForFunction(() => document.querySelectorAll('[data-refundlens="check"]').length >= 6, null, { timeout: 15_000 });
  const results = await checkAll(p, 90_000);
  await p.locator('[data-refundlens="result"][data-src$="c2pa-changed.jpg"]').screenshot({ path: 'tmp/e2e-c2pa-card.png' }).catch(() => {});
  await p.close();
  const by = (name: string) => results.find((r) => r.src.endsWith(name))!;
  console.log('    verdicts: ' + results.map((r) => `${r.src.split('/').pop()} ${r.verdict}`).join(', '));
  expect(by('c2pa-changed.jpg').verdict === 'edited', `changed after signing → edited (got ${by('c2pa-changed.jpg').verdict})`);
  expect(by('c2pa-firefly.jpg').verdict === 'ai-labelled', `validated AI label → ai-labelled (got ${by('c2pa-firefly.jpg').verdict})`);
  expect(by('c2pa-forged.jpg').verdict === 'edited', `forged claim → edited, not ai-labelled (got ${by('c2pa-forged.jpg').verdict})`);
  expect(!['edited', 'ai-labelled', 'error'].includes(by('c2pa-camera.jpg').verdict), `the untouched signed photo is not flagged (got ${by('c2pa-camera.jpg').verdict})`);
  // hostile stores: a verdict like any other file, and the reader went on serving the files after them
  for (const f of ['c2pa-fuzzed.jpg', 'c2pa-deep.jpg']) expect(by(f).verdict !== 'error', `${f} checked (got ${by(f).verdict})`);

  const report = await openReport(b, by('c2pa-changed.jpg').checkId!);
  const changed = report.locator('[data-refundlens="report-signal"][data-code="sig_c2pa_changed"]');
  await changed.waitFor();
  const text = (await changed.locator('p').first().textContent()) ?? '';
  expect(/Changed after signing/.test(text) && /RefundLens Test Signer/.test(text) && /Test Phone Camera 14/.test(text), `plain reason names signer and generator: ${text}`);
  // raw c2pa-rs codes only in the report's collapsed technical details
  const fold = report.locator('details[data-refundlens="report-tech"]');
  expect((await fold.getAttribute('open')) === null, 'the raw fields are folded');
  expect(!(await report.getByText('assertion.dataHash.mismatch').isVisible()), 'raw codes not visible until unfolded');
  await fold.locator('summary').click();
  expect(await report.getByText(/assertion\.dataHash\.mismatch/).first().isVisible(), 'raw codes in the unfolded details');
  await changed.screenshot({ path: 'tmp/e2e-c2pa-changed.png' }).catch(() => {});
  const rec = await record(report, by('c2pa-changed.jpg').checkId!);
  expect(rec.metadata?.c2pa?.valid === false && rec.metadata.c2pa.codes.includes('assertion.dataHash.mismatch'), `stored: ${JSON.stringify(rec.metadata?.c2pa)}`);
  const ok = await record(report, by('c2pa-camera.jpg').checkId!);
  expect(ok.metadata?.c2pa?.valid === true, `signed photo validated in the browser: ${JSON.stringify(ok.metadata?.c2pa)}`);
  for (const f of ['c2pa-fuzzed.jpg', 'c2pa-deep.jpg']) {
    const h = (await record(report, by(f).checkId!)).metadata?.c2pa;
    console.log(`    ${f}: ${JSON.stringify(h)}`);
    expect(h && h.valid !== true, `${f}: never valid`);
  }
  await report.close();
});

test('C2PA: what validation adds to a check of a 2–5 MB signed JPEG; nothing for the same photo unsigned', async (b, s) => {
  const plain = await bigPhoto(41);
  const rounds = 5;
  const paths: string[] = [];
  let size = 0;
  for (let i = 0; i < rounds; i++) {
    // distinct files each round: signed anew (another instance id), the plain copy with a comment
    const signed = await signWithTestCert(plain, { title: `IMG_${i}.jpg`, generator: { name: 'Test Phone Camera', version: '14' } });
    size = signed.length;
    expect(signed.length > 2e6 && signed.length < 5e6, `a 2–5 MB JPEG (${signed.length} bytes)`);
    const tag = new TextEncoder().encode(`round ${i}`);
    const unsigned = new Uint8Array(plain.length + tag.length + 4);
    unsigned.set(plain.subarray(0, 2));
    unsigned.set([0xff, 0xfe, 0, tag.length + 2], 2);
    unsigned.set(tag, 6);
    unsigned.set(plain.subarray(2), 6 + tag.length);
    for (const [kind, body] of [['signed', signed], ['plain', unsigned]] as const) {
      const path = `/c2pa-big-${kind}-${i}.jpg`;
      s.routes.set(path, { type: 'image/jpeg', body });
      paths.push(path);
    }
  }
  const rows: { kind: string; total: number; reader?: number; valid?: boolean | null }[] = [];
  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=none`);
  // the first signed check starts cold: offscreen document, reader worker and its WASM all new
  await b.worker.evaluate('chrome.offscreen.closeDocument().catch(() => {})');
  for (const path of paths) {
    s.routes.set('/c2pa-big-ticket', { type: 'text/html; charset=utf-8', body: page([path]) });
    const p = await b.context.newPage();
    await p.goto(s.url + '/c2pa-big-ticket');
    await p.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
    const [r] = await checkAll(p, 90_000);
    await p.close();
    const rec = await record(report, r.checkId!);
    const total = Object.values(rec.timings ?? {}).reduce((a, x) => a + x, 0);
    rows.push({ kind: path.includes('signed') ? 'signed' : 'plain', total, reader: rec.metadata?.c2pa?.ms, valid: rec.metadata?.c2pa?.valid });
  }
  await report.close();
  const med = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
  const sg = rows.filter((r) => r.kind === 'signed');
  const pl = rows.filter((r) => r.kind === 'plain');
  expect(sg.every((r) => r.valid === true), `every signed copy validated: ${JSON.stringify(sg)}`);
  expect(pl.every((r) => r.valid === undefined), 'the unsigned copies never reached the reader');
  console.log(
    `    ${size} B signed JPEG: checks ${sg.map((r) => Math.round(r.total)).join('/')} ms, reader ${sg.map((r) => r.reader).join('/')} ms (the first cold: document, worker and WASM started); ` +
      `unsigned ${pl.map((r) => Math.round(r.total)).join('/')} ms; warm median added ${Math.round(med(sg.slice(1).map((r) => r.total)) - med(pl.slice(1).map((r) => r.total)))} ms, warm median reader ${med(sg.slice(1).map((r) => r.reader ?? 0))} ms`,
  );
});
