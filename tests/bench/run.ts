/**
 * `npm run bench` — speed figures as ratios against a baseline measured in the same run.
 * In headless Chromium with the built extension:
 *   checkVsDecode   full check of a 12 MP JPEG (click → verdict, library of 1k references; each
 *                   check alone: the next click waits for the previous record to be complete)
 *                   ÷ Chromium's own decode of the same file (fetch + createImageBitmap) in the SW.
 *                   Back-to-back checks are timed too and printed on stderr.
 *   doctoredVsDecode  the same for a doctored derived 12 MP query (painted crack, 8 % crop, 2° tilt,
 *                   JPEG q80) ÷ Chromium's decode of that file: alignment and local difference timed
 *   firstCheckVsDecode  the browser closed and started again on the same profile (the 1k library
 *                   in IndexedDB, nothing warm): the first click's check ÷ the warm decode-only
 *   importPerSecond photos per second through the real library page (the 1k filler import)
 *   importPhonePerSecond  12 MP phone JPEGs (~3 MB each) through the library page, per second
 *   contentScriptGzipBytes  gzip -9 of what the manifest's content scripts load before any click
 * In Node (pure parts): lookupMs at 1k / 10k / 100k (and 1M: a child process with a larger heap,
 * skipped with --no-million), bytesPerReference (resident index + entries, at the largest size measured).
 * Last line: the JSON of ../shared/CONTRACTS.md.
 * Options: --refs N (default 1000), --runs N (default 5), --phones N (default 8), --no-build, --no-million.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { importReferences, launchWithExtension, startServer, type ExtensionBrowser } from '../e2e/harness';
import { demoTicketHtml } from '../fixtures/demo';
import { fillerJpegs, phoneJpeg } from './phone';
import { contentScriptGzipBytes as contentScriptGzipBytesOf } from './content-size';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const REFS = arg('--refs', 1000);
const RUNS = arg('--runs', 5);
const PHONES = arg('--phones', 8);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s: string) => process.stderr.write(s + '\n');

if (!process.argv.includes('--no-build')) execSync('npm run build && npm run build:e2e', { stdio: ['ignore', 'ignore', 'inherit'] });

log('rendering the 12 MP photo and the filler library…');
const photo = await phoneJpeg();
const fillers = await fillerJpegs(REFS - 1);
const reference = { name: 'listing-12mp.jpg', bytes: photo };
const doctored = await doctor(photo);
log(`12 MP JPEG: ${(photo.length / 1e6).toFixed(1)} MB; doctored copy ${(doctored.length / 1e6).toFixed(1)} MB; filler: ${fillers.length} photos`);

const server = await startServer(new Map([
  ['/photo.jpg', { type: 'image/jpeg', body: photo }],
  ['/doctored.jpg', { type: 'image/jpeg', body: doctored }],
  ['/', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(/<section class="evidence">[\s\S]*<\/section>/, '<section>退款凭证<img src="/photo.jpg" width="400" height="300" data-refundlens-photo></section>') }],
  ['/doctored', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(/<section class="evidence">[\s\S]*<\/section>/, '<section>退款凭证<img src="/doctored.jpg" width="400" height="300" data-refundlens-photo></section>') }],
]));
const profile = mkdtempSync(join(tmpdir(), 'refundlens-bench-'));
let b = await launchWithExtension({ userDataDir: profile });
try {
  // Import: the real library page, all photos in one go (progress bar, one transaction per photo).
  const t0 = performance.now();
  const count = await importReferences(b, [reference, ...fillers], 900_000);
  const importSeconds = (performance.now() - t0) / 1000;
  const importPerSecond = count / importSeconds;
  log(`imported ${count} photos in ${importSeconds.toFixed(1)} s → ${importPerSecond.toFixed(1)} photos/s`);

  // Baseline: Chromium's own full decode of the same file, in the same service worker.
  const decodeMs = await decodeRuns(b, server.url + '/photo.jpg', RUNS);
  const doctoredDecodeMs = await decodeRuns(b, server.url + '/doctored.jpg', RUNS);

  // Full check: click the check host, wait for the verdict of a NEW check each time. Each check is
  // timed alone: the next click waits until the previous check's record is complete (its pictures
  // are made after the verdict, on another thread), so no check pays for the one before it.
  const exact = await openTicket(b, server.url + '/');
  const checkMs: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const ms = await exact.click();
    if (i) {
      checkMs.push(ms);
      if (exact.lastId) ids.push(exact.lastId);
    }
    await complete(b, exact.lastId);
  }
  const verdict = exact.verdict;
  // Also back to back (a merchant's "check all"): pictures of earlier checks share the CPU.
  const burstMs: number[] = [];
  for (let i = 0; i < RUNS; i++) burstMs.push(await exact.click());
  await complete(b, exact.lastId); // their pictures (one after another) must not share the CPU with what follows
  const checkVsDecode = median(checkMs) / median(decodeMs);
  log(`decode-only median ${median(decodeMs).toFixed(0)} ms; full check median ${median(checkMs).toFixed(0)} ms (verdict ${verdict}) with ${count} refs`);
  log(`  runs: decode ${decodeMs.map((x) => x.toFixed(0)).join(' ')}; check ${checkMs.map((x) => x.toFixed(0)).join(' ')}`);
  log(`  back to back: median ${median(burstMs).toFixed(0)} ms (${(median(burstMs) / median(decodeMs)).toFixed(2)}× decode); runs ${burstMs.map((x) => x.toFixed(0)).join(' ')}`);
  const stages = await stageTimings(b, ids);

  // The doctored copy: alignment, the fine change map and the regions are on this path.
  const doc = await openTicket(b, server.url + '/doctored');
  const doctoredMs: number[] = [];
  const docIds: string[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const ms = await doc.click();
    if (i) { doctoredMs.push(ms); if (doc.lastId) docIds.push(doc.lastId); }
    await complete(b, doc.lastId);
  }
  const doctoredVsDecode = median(doctoredMs) / median(doctoredDecodeMs);
  log(`doctored copy: decode-only median ${median(doctoredDecodeMs).toFixed(0)} ms; check median ${median(doctoredMs).toFixed(0)} ms (verdict ${doc.verdict}, ${doc.match ?? 'no match'}); runs ${doctoredMs.map((x) => x.toFixed(0)).join(' ')}`);
  const docStages = await stageTimings(b, docIds);
  log(`pipeline stages, median ms — exact copy: ${stages}; doctored: ${docStages}`);

  // First check after a fresh start: the same profile (library in IndexedDB), nothing warm.
  await b.close();
  b = await launchWithExtension({ userDataDir: profile });
  const cold = await openTicket(b, server.url + '/');
  const firstMs = await cold.click();
  const firstCheckVsDecode = firstMs / median(decodeMs);
  log(`first check after a fresh start: ${firstMs.toFixed(0)} ms (verdict ${cold.verdict}) = ${firstCheckVsDecode.toFixed(2)}× the warm decode`);
  await complete(b, cold.lastId);

  // 12 MP phone photos through the library page.
  const phones: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < PHONES; i++) phones.push({ name: `phone-${i}.jpg`, bytes: await phoneJpeg(900 + i) });
  const t1 = performance.now();
  const after = await importReferences(b, phones, 600_000);
  const phoneSeconds = (performance.now() - t1) / 1000;
  const importPhonePerSecond = (after - count) / phoneSeconds;
  log(`imported ${after - count} phone photos (12 MP, ${(phones.reduce((a, p) => a + p.bytes.length, 0) / phones.length / 1e6).toFixed(1)} MB each) in ${phoneSeconds.toFixed(1)} s → ${importPhonePerSecond.toFixed(2)} photos/s`);

  // What the content script costs every seller page before a click.
  // the shipped build when it is there (what merchants load), else the e2e one
  const contentScriptGzipBytes = await contentScriptGzipBytesOf(existsSync('.output/chrome-mv3/manifest.json') ? '.output/chrome-mv3' : '.output/chrome-mv3-e2e');
  log(`content script before a click: ${contentScriptGzipBytes} bytes gzip -9`);

  // Lookup in the index (pure TS, Node); a million references in a child process with room for them.
  const { benchLookup } = await import('./node');
  const lookupMs: Record<string, number> = await benchLookup([1000, 10000, 100000]);
  // resident bytes per reference in a child process with --expose-gc (at 1M, or 100k with --no-million)
  const bytesAt = process.argv.includes('--no-million') ? 100_000 : 1_000_000;
  let bytesPerRef: number | null = null;
  try {
    const out = execFileSync(process.execPath, ['--max-old-space-size=16000', '--expose-gc', '--import', 'tsx', 'tests/bench/million.ts', '--refs', String(bytesAt)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000 });
    const m = JSON.parse(out.trim().split('\n').pop()!);
    if (bytesAt === 1_000_000) lookupMs['1000000'] = m.lookupMs;
    bytesPerRef = m.bytesPerReference;
  } catch (e) {
    log(`${bytesAt} references could not be measured: ${(e as Error).message.split('\n')[0]}`);
  }
  log(`lookup: ${JSON.stringify(lookupMs)}; resident bytes per reference at ${bytesAt}: ${bytesPerRef}`);

  console.log(JSON.stringify({
    checkVsDecode: round(checkVsDecode, 3),
    doctoredVsDecode: round(doctoredVsDecode, 3),
    firstCheckVsDecode: round(firstCheckVsDecode, 3),
    lookupMs,
    bytesPerReference: bytesPerRef,
    importPerSecond: round(importPerSecond, 2),
    importPhonePerSecond: round(importPhonePerSecond, 2),
    contentScriptGzipBytes,
  }));
} finally {
  await b.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}

function round(x: number, d: number) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Chromium's own fetch + full decode of a file in the service worker, ms per run (the first warms up). */
async function decodeRuns(br: ExtensionBrowser, url: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const ms = await br.worker.evaluate(async (u) => {
      const t = performance.now();
      const blob = await (await fetch(u, { cache: 'no-store' })).blob();
      const bmp = await createImageBitmap(blob);
      bmp.close();
      return performance.now() - t;
    }, url);
    if (i) out.push(ms);
  }
  return out;
}

/** A ticket page with one photo; click() times one check (click → verdict of a new check). */
async function openTicket(br: ExtensionBrowser, url: string) {
  const page = await br.context.newPage();
  await page.goto(url);
  const host = page.locator('[data-refundlens="check"]').first();
  await host.waitFor({ timeout: 30_000 });
  const state = {
    lastId: null as string | null,
    verdict: '',
    match: null as string | null,
    async click(): Promise<number> {
      const t = performance.now();
      await host.dispatchEvent('click');
      await page.waitForFunction(
        (prev) => {
          const r = document.querySelector('[data-refundlens="result"][data-verdict]');
          return r && r.getAttribute('data-check-id') !== prev ? r.getAttribute('data-check-id') : null;
        },
        state.lastId,
        { timeout: 120_000, polling: 5 },
      );
      const ms = performance.now() - t;
      const result = page.locator('[data-refundlens="result"]');
      state.lastId = await result.getAttribute('data-check-id');
      state.verdict = (await result.getAttribute('data-verdict')) ?? '';
      state.match = await result.getAttribute('data-match');
      return ms;
    },
  };
  return state;
}

/** Wait until a check's record is complete (its pictures are made after the verdict). */
async function complete(br: ExtensionBrowser, id: string | null): Promise<void> {
  for (let i = 0; i < 200 && id; i++) {
    const pending = await br.worker.evaluate(
      (checkId) => new Promise<boolean>((res) => {
        const rq = indexedDB.open('refundlens');
        rq.onsuccess = () => {
          const g = rq.result.transaction('checks').objectStore('checks').get(checkId);
          g.onsuccess = () => { res(!g.result || !!g.result.pending); rq.result.close(); };
          g.onerror = () => res(true);
        };
        rq.onerror = () => res(true);
      }),
      id,
    );
    if (!pending) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Median of runCheck's own stage timings over stored checks, as text. */
async function stageTimings(br: ExtensionBrowser, list: string[]): Promise<string> {
  await new Promise((r) => setTimeout(r, 1000));
  const stages = (await br.worker.evaluate(
    (l) => Promise.all(l.map((id) => new Promise((res) => {
      const rq = indexedDB.open('refundlens');
      rq.onsuccess = () => {
        const g = rq.result.transaction('checks').objectStore('checks').get(id);
        g.onsuccess = () => { res(g.result?.result?.timings ?? {}); rq.result.close(); };
        g.onerror = () => res({});
      };
      rq.onerror = () => res({});
    }))),
    list,
  )) as Record<string, number>[];
  const keys = [...new Set(stages.flatMap((x) => Object.keys(x)))];
  return keys.map((k) => `${k} ${median(stages.map((x) => x[k] ?? 0)).toFixed(0)}`).join(', ');
}

/**
 * The doctored query of the contract: a branching crack painted on the 12 MP photo, turned 2°,
 * 8 % cropped (4 % off each side), saved at JPEG quality 80.
 */
async function doctor(bytes: Uint8Array): Promise<Uint8Array> {
  const m = await sharp(bytes).metadata();
  const W = m.width!, H = m.height!;
  const crack = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><path d="M${W * 0.38} ${H * 0.33} L${W * 0.43} ${H * 0.43} L${W * 0.41} ${H * 0.5} L${W * 0.48} ${H * 0.6} M${W * 0.43} ${H * 0.43} L${W * 0.47} ${H * 0.45}" stroke="#1b1b1b" stroke-width="${Math.round(W / 300)}" fill="none" stroke-linecap="round"/></svg>`;
  const painted = await sharp(bytes).composite([{ input: Buffer.from(crack) }]).jpeg({ quality: 95 }).toBuffer();
  const turned = await sharp(painted).rotate(2, { background: '#ffffff' }).jpeg({ quality: 95 }).toBuffer();
  const t = await sharp(turned).metadata();
  const cw = Math.round(t.width! * 0.92), ch = Math.round(t.height! * 0.92);
  return new Uint8Array(await sharp(turned).extract({ left: Math.round((t.width! - cw) / 2), top: Math.round((t.height! - ch) / 2), width: cw, height: ch }).jpeg({ quality: 80 }).toBuffer());
}
