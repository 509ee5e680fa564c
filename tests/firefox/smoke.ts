/**
 * Firefox smoke test: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (no browser
 * download). Installs the built Firefox extension (`.output/firefox-mv3-e2e`, the e2e flavour: localhost test pages and hooks) as a temporary add-on,
 * imports a reference photo through the real options page, checks the doctored copy on the demo
 * ticket and reads the verdict from the result host; the photo with a visible AI label is read by
 * the OCR worker (background page) as AI-labelled. Prints `N passed, N failed` as its last line.
 * Run: `npm run test:firefox` (builds first). Skips (0 passed, 0 failed) when firefox-esr is absent.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import puppeteer, { type Page } from 'puppeteer-core';
import { startServer } from '../e2e/harness';
import { demoImages, demoRoutes } from '../fixtures/demo';

const DIST = resolve('.output/firefox-mv3-e2e');
const GECKO_ID = 'refundlens@refundlens.app';
const FIREFOX = ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => existsSync(p));

async function main() {
  if (!FIREFOX) {
    console.log('firefox-esr not installed (bash scripts/install.sh installs it): skipped\n\n0 passed, 0 failed');
    return;
  }
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error('Firefox build missing: run `npm run build:firefox` first');
  const server = await startServer(await demoRoutes());
  const profile = mkdtempSync(join(tmpdir(), 'refundlens-ff-'));
  // A fixed moz-extension:// UUID, so the test knows the address of the options page.
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    protocolTimeout: 120_000,
    // Firefox 153+ lets WebDriver open moz-extension:// pages only with system access
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      'intl.locale.requested': 'zh-CN',
      'network.proxy.allow_hijacking_localhost': false,
      'extensions.manifestV3.enabled': true,
      'extensions.originControls.grantByDefault': true,
    },
  });
  let passed = 0, failed = 0;
  const step = async (name: string, fn: () => Promise<void>) => {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`✓ ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`✗ ${name}\n    ${(e as Error).stack ?? e}`);
      throw e;
    }
  };
  try {
    await step('Firefox: the built extension installs as a temporary add-on', async () => {
      const id = await browser.installExtension(DIST);
      if (id !== GECKO_ID) throw new Error(`installed as ${id}`);
    });
    const { saved, doctored } = await demoImages();
    await step('Firefox: a reference photo is imported on the options page', async () => {
      const page = await browser.newPage();
      // (the navigation's load event does not reach WebDriver for extension pages: do not wait for it)
      // On a busy machine the first navigation of a fresh profile can be lost or slow: wait, and
      // navigate once more before giving up (seen once with a benchmark running beside CI).
      const open = () => void page.goto(`moz-extension://${uuid}/options.html`, { waitUntil: 'domcontentloaded', timeout: 120_000 }).catch(() => {});
      open();
      const input = await page.waitForSelector('[data-refundlens="library-import"]', { timeout: 90_000 }).catch(async () => {
        open();
        return page.waitForSelector('[data-refundlens="library-import"]', { timeout: 120_000 });
      });
      const file = join(profile, 'ceramic-mug-listing.jpg');
      writeFileSync(file, saved);
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
      await page.waitForFunction(() => Number(document.querySelector('[data-refundlens="library-count"]')?.textContent) >= 1, { timeout: 180_000 });
      await page.close();
    });
    await step('Firefox: the doctored copy on the demo ticket is derived from it', async () => {
      const page: Page = await browser.newPage();
      await page.goto(server.url + '/');
      await page.waitForSelector('[data-refundlens="check"]', { timeout: 120_000 });
      await page.evaluate(() => {
        const host = [...document.querySelectorAll('[data-refundlens="check"]')].find((h) => h.getAttribute('data-src')?.endsWith('/doctored.jpg'));
        host?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      });
      await page.waitForFunction(() => document.querySelector('[data-refundlens="result"][data-verdict]'), { timeout: 180_000 });
      const r = await page.evaluate(() => {
        const h = document.querySelector('[data-refundlens="result"][data-verdict]')!;
        return { verdict: h.getAttribute('data-verdict'), match: h.getAttribute('data-match'), src: h.getAttribute('data-src') };
      });
      console.log(`    ${r.src} → ${r.verdict} (${r.match})`);
      if (!/^derived/.test(r.verdict ?? '') || r.match !== 'ceramic-mug-listing.jpg') throw new Error(`verdict ${JSON.stringify(r)}`);
      void doctored;
      await page.close();
    });
    await step('Firefox: the photo with a visible 「AI生成」 label is read as AI-labelled (OCR worker in the background page)', async () => {
      const page: Page = await browser.newPage();
      await page.goto(server.url + '/');
      await page.waitForSelector('[data-refundlens="check"]', { timeout: 120_000 });
      await page.evaluate(() => {
        const host = [...document.querySelectorAll('[data-refundlens="check"]')].find((h) => h.getAttribute('data-src')?.endsWith('/labelled.jpg'));
        host?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      });
      await page.waitForFunction(() => document.querySelector('[data-refundlens="result"][data-verdict]'), { timeout: 180_000 });
      const r = await page.evaluate(() => {
        const h = document.querySelector('[data-refundlens="result"][data-verdict]')!;
        return { verdict: h.getAttribute('data-verdict'), src: h.getAttribute('data-src') };
      });
      console.log(`    ${r.src} → ${r.verdict}`);
      if (r.verdict !== 'ai-labelled') throw new Error(`verdict ${JSON.stringify(r)}`);
      await page.close();
    });
  } catch {
    /* reported above */
  } finally {
    await browser.close().catch(() => {});
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
