/**
 * `npm run stress` — 50 checks at once: the queue keeps the background bounded.
 * A ticket page with 50 buyer photos (2 MP each), every button clicked in the same instant;
 * samples the resident memory of the extension's process (where the service worker runs) while
 * they run (Linux /proc).
 * Last line: {"checks":50,"errors":N,"derived":N,"peakRssMB":…,"baselineRssMB":…,"seconds":…}
 */
import { execSync } from 'node:child_process';
import sharp from 'sharp';
import { readdirSync, readFileSync } from 'node:fs';
import { importReferences, launchWithExtension, startServer, type Route } from '../e2e/harness';
import { demoTicketHtml } from '../fixtures/demo';
import { paintCrack, productJpeg } from '../fixtures/images';

const N = Number(process.argv[process.argv.indexOf('--checks') + 1]) || 50;
if (!process.argv.includes('--no-build')) execSync('npm run build:e2e', { stdio: ['ignore', 'ignore', 'inherit'] });

const routes = new Map<string, Route>();
const saved = await productJpeg(77, 1600, 1200);
const imgs: string[] = [];
for (let i = 0; i < N; i++) {
  const bytes = i % 2 ? await paintCrack(saved, [0.2 + (i % 5) * 0.1, 0.3, 0.45 + (i % 5) * 0.1, 0.6], 70 + (i % 20)) : await productJpeg(500 + i, 1600, 1200, 80);
  routes.set(`/p${i}.jpg`, { type: 'image/jpeg', body: bytes });
  imgs.push(`<img src="/p${i}.jpg" width="120" height="90" data-refundlens-photo>`);
}
routes.set('/', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(/<section class="evidence">[\s\S]*<\/section>/, `<section>退款凭证 ${imgs.join('')}</section>`) });
const server = await startServer(routes);
const b = await launchWithExtension();
try {
  await importReferences(b, [{ name: 'listing.jpg', bytes: new Uint8Array(await sharp(saved).toBuffer()) }]);
  /** Resident memory of Chromium's extension process(es) of this profile, bytes. */
  const heap = async () => {
    let total = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes('--extension-process') || !cmd.includes(b.userDataDir)) continue;
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) total += Number(m[1]) * 1024;
      } catch {
        /* process ended */
      }
    }
    return total;
  };
  const baseline = await heap();
  const page = await b.context.newPage();
  await page.goto(server.url + '/');
  await page.locator('[data-refundlens="check"]').nth(N - 1).waitFor({ timeout: 30_000 });
  let peak = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await heap().catch(() => 0));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  await page.evaluate(() => document.querySelectorAll('[data-refundlens="check"]').forEach((h) => h.dispatchEvent(new MouseEvent('click'))));
  await page.waitForFunction((n) => document.querySelectorAll('[data-refundlens="result"][data-verdict]').length >= n, N, { timeout: 300_000 });
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  const verdicts = await page.$$eval('[data-refundlens="result"]', (els) => els.map((e) => e.getAttribute('data-verdict')));
  const errors = verdicts.filter((v) => v === 'error').length;
  const derived = verdicts.filter((v) => v?.startsWith('derived')).length;
  const mb = (x: number) => Math.round((x / 1048576) * 10) / 10;
  process.stderr.write(`${N} checks in ${seconds.toFixed(1)} s, ${derived} derived, ${errors} errors; extension process RSS ${mb(baseline)} → peak ${mb(peak)} MB\n`);
  console.log(JSON.stringify({ checks: N, errors, derived, peakRssMB: mb(peak), baselineRssMB: mb(baseline), seconds: Math.round(seconds * 10) / 10 }));
} finally {
  await b.close();
  await server.close();
}
