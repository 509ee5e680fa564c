/**
 * The platform adapters in a real browser: each seller-centre test page (tests/fixtures/sites) is
 * served under its real host name (Chromium's host resolver maps the seller and CDN hosts to this
 * machine, port 443, a throw-away self-signed certificate accepted by this test browser only), so
 * the manifest's content-script matches, the adapter, the full-size URL rewrite, the host
 * permission for the CDN and the check all run for real.
 * Skipped (with a note) when port 443 cannot be bound or openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importReferences, launchWithExtension, startServer, type Route } from '../harness';
import { demoImages } from '../../fixtures/demo';
import { PAGES, type SitePage } from '../../fixtures/sites/pages';
import { expect, session, test } from '../registry';


const toHttps = (u: string) => u.replace(/^\/\//, 'https://');

function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rl-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=refundlens-test', '-days', '1',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('seller-centre pages: buttons on exactly the evidence photos, full-size URLs, checks through the CDN permission', async () => {
  const { doctored, saved } = await demoImages();
  const pages = new Map<string, SitePage>(PAGES.map((p) => [new URL(p.url).host + new URL(p.url).pathname, p]));
  const img: Route = { type: 'image/jpeg', body: doctored };
  let server;
  try {
    server = await startServer(new Map(), 443, (path, host) => {
      const p = pages.get(host.replace(/:443$/, '') + path);
      if (p) return { type: 'text/html; charset=utf-8', body: `<!doctype html><meta charset="utf-8"><body>${p.html}</body>` };
      return /\.(jpe?g|png|webp|gif)$|getAvatar|\.do$/.test(path) ? img : undefined;
    }, selfSigned());
  } catch (e) {
    console.log(`    (skipped: ${(e as Error).message.split('\n')[0]})`);
    return;
  }
  const hosts = new Set<string>();
  for (const p of PAGES) {
    hosts.add(new URL(p.url).host);
    for (const m of p.html.matchAll(/(?:src|data-src)="(?:https?:)?\/\/([^/"]+)/g)) hosts.add(m[1]);
  }
  const b = await launchWithExtension({
    proxy: session.proxy,
    args: ['--ignore-certificate-errors', `--host-resolver-rules=${[...hosts].map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`, '--proxy-bypass-list=' + [...hosts, '127.0.0.1'].join(';')],
  });
  try {
    await importReferences(b, [{ name: 'listing.jpg', bytes: saved }]);
    const page = await b.context.newPage();
    for (const p of PAGES) {
      await page.goto(p.url);
      const want = Object.values(p.photos).map(toHttps).sort();
      await page.waitForFunction((n) => document.querySelectorAll('[data-refundlens="check"]').length >= n, want.length, { timeout: 15_000 }).catch(() => {});
      const got = (await page.$$eval('[data-refundlens="check"]', (els) => els.map((e) => e.getAttribute('data-src') ?? ''))).sort();
      expect(JSON.stringify(got) === JSON.stringify(want), `${p.adapter}: buttons on ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      await page.locator('[data-refundlens="check"]').first().dispatchEvent('click');
      await page.locator('[data-refundlens="result"][data-verdict]').first().waitFor({ timeout: 30_000 });
      const verdict = await page.locator('[data-refundlens="result"]').first().getAttribute('data-verdict');
      expect(/^derived/.test(verdict ?? ''), `${p.adapter}: evidence photo checked through the CDN, got ${verdict}`);
    }
    await page.close();
  } finally {
    await b.close();
    await server.close();
  }
});
