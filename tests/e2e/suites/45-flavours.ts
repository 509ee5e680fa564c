/**
 * Build flavours (issue 17, findings 2 and 3; ../shared/CONTRACTS.md). In the e2e build a click
 * dispatched on a check host starts the check and the result host carries verdict, match and
 * check id. In the shipped build (`npm run build`) a page script's synthetic clicks start nothing
 * and, after the merchant's own (trusted) "check all", the page can read neither the verdict nor
 * the matched reference's name. The shipped build has no localhost, so its page is a real seller
 * host mapped to this machine (as in 30-platforms; skipped when port 443 cannot be bound).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'playwright-core';
import { importReferences, launchWithExtension, SHIPPED_DIR, startServer, type Route } from '../harness';
import { demoImages, demoTicketHtml } from '../../fixtures/demo';
import { PAGES } from '../../fixtures/sites/pages';
import { expect, session, test } from '../registry';

const REF_NAME = 'private-listing-photo.jpg';

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

/** Checks stored in the extension's IndexedDB (read in its service worker, not through the page). */
function storedChecks(worker: Worker): Promise<{ level: string; name: string | null }[]> {
  return worker.evaluate(() => new Promise((ok, fail) => {
    const r = indexedDB.open('refundlens');
    r.onerror = () => fail(r.error);
    r.onsuccess = () => {
      const all = r.result.transaction('checks').objectStore('checks').getAll();
      all.onsuccess = () => ok((all.result as { level: string; result: { match?: { referenceName?: string } } }[]).map((c) => ({ level: c.level, name: c.result.match?.referenceName ?? null })));
      all.onerror = () => fail(all.error);
    };
  }));
}

test('e2e build: a click dispatched on the check host starts the check; the result host carries verdict, match and id', async (b, s) => {
  const { saved } = await demoImages();
  await importReferences(b, [{ name: 'listing.jpg', bytes: saved }]);
  s.routes.set('/flavour-e2e', { type: 'text/html; charset=utf-8', body: demoTicketHtml() });
  const page = await b.context.newPage();
  await page.goto(s.url + '/flavour-e2e');
  await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
  await page.evaluate(() => document.querySelector('[data-refundlens="check"]')!.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  const result = page.locator('[data-refundlens="result"][data-verdict]').first();
  await result.waitFor({ timeout: 60_000 });
  const id = await result.getAttribute('data-check-id');
  expect(/^[0-9a-f-]{36}$/.test(id ?? ''), `check id hook, got ${id}`);
  expect((await result.getAttribute('data-verdict')) !== null, 'verdict hook');
  await page.close();
});

test('shipped build: synthetic clicks start nothing; after a real "check all" the page reads no verdict and no match name', async () => {
  const page0 = PAGES.find((p) => p.adapter === 'taobao')!;
  const { doctored, saved } = await demoImages();
  const img: Route = { type: 'image/jpeg', body: doctored };
  const pageUrl = new URL(page0.url);
  let server;
  try {
    server = await startServer(new Map(), 443, (path, host) => {
      if (host.replace(/:443$/, '') === pageUrl.host && path === pageUrl.pathname) return { type: 'text/html; charset=utf-8', body: `<!doctype html><meta charset="utf-8"><body>${page0.html}</body>` };
      return /\.(jpe?g|png|webp|gif)$|getAvatar|\.do$/.test(path) ? img : undefined;
    }, selfSigned());
  } catch (e) {
    console.log(`    (skipped: ${(e as Error).message.split('\n')[0]})`);
    return;
  }
  const hosts = new Set<string>([pageUrl.host]);
  for (const m of page0.html.matchAll(/(?:src|data-src)="(?:https?:)?\/\/([^/"]+)/g)) hosts.add(m[1]);
  const b = await launchWithExtension({
    extensionDir: SHIPPED_DIR,
    proxy: session.proxy,
    args: ['--ignore-certificate-errors', `--host-resolver-rules=${[...hosts].map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`, '--proxy-bypass-list=' + [...hosts, '127.0.0.1'].join(';')],
  });
  try {
    await importReferences(b, [{ name: REF_NAME, bytes: saved }]);
    const page = await b.context.newPage();
    await page.goto(page0.url);
    const want = Object.keys(page0.photos).length;
    await page.waitForFunction((n) => document.querySelectorAll('refundlens-check').length >= n, want, { timeout: 15_000 });
    await page.locator('refundlens-check-all').waitFor({ timeout: 5_000 });
    // A page script clicks everything it can find, in every way it can.
    const started = await page.evaluate(() => {
      for (const h of document.querySelectorAll<HTMLElement>('refundlens-check, refundlens-check-all')) {
        h.click();
        h.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
        h.dispatchEvent(new PointerEvent('pointerenter'));
      }
      return document.querySelectorAll('refundlens-result').length;
    });
    expect(started === 0, `synthetic clicks started ${started} checks`);
    expect((await storedChecks(b.worker)).length === 0, 'no check recorded from synthetic clicks');
    // No hook attributes at all on what the page can see.
    const attrs = await page.evaluate(() => [...document.querySelectorAll('refundlens-check, refundlens-check-all')].flatMap((h) => h.getAttributeNames()));
    expect(!attrs.some((a) => a.startsWith('data-')), `no data attributes on the hosts: ${JSON.stringify(attrs)}`);

    // The merchant's own click on "check all" (trusted) checks every photo, calling each check directly.
    await page.locator('refundlens-check-all').click();
    await page.waitForFunction((n) => document.querySelectorAll('refundlens-result').length >= n, want, { timeout: 10_000 });
    let checks: { level: string; name: string | null }[] = [];
    for (let i = 0; i < 240 && checks.length < want; i++) {
      checks = await storedChecks(b.worker);
      if (checks.length < want) await page.waitForTimeout(500);
    }
    expect(checks.length === want, `check all ran ${checks.length} of ${want} checks`);
    expect(checks.some((c) => c.name === REF_NAME), `the photos matched the saved reference: ${JSON.stringify(checks)}`);
    // Everything the page can read: the DOM, every attribute, the shadow roots (closed → null).
    const seen = await page.evaluate(() => {
      const hosts = [...document.querySelectorAll('refundlens-result, refundlens-check, refundlens-check-all')];
      return {
        html: document.documentElement.outerHTML,
        attrs: hosts.flatMap((h) => h.getAttributeNames().map((n) => `${n}=${h.getAttribute(n)}`)),
        shadows: hosts.filter((h) => h.shadowRoot !== null).length,
        text: hosts.map((h) => h.textContent).join(''),
      };
    });
    expect(!seen.html.includes(REF_NAME) && !seen.text.includes(REF_NAME), 'the page cannot read the matched reference name');
    expect(!/data-verdict|data-match|data-check-id/.test(seen.html), 'no verdict, match or check id in the page DOM');
    expect(!/derived|no-evidence|ai-labelled/.test(seen.attrs.join(' ')), `no verdict in attributes: ${JSON.stringify(seen.attrs)}`);
    expect(seen.shadows === 0, 'shadow roots are closed');
    await page.close();
  } finally {
    await b.close();
    await server.close();
  }
});
