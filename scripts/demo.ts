/**
 * `npm run demo`: build the extension, serve the bundled demo refund ticket on localhost,
 * pre-load the demo library through the real options page, and open Chromium on the ticket.
 * Without a display (or with --headless) it presses every button, prints each verdict and
 * saves a screenshot to tmp/demo.png.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { checkAll, importReferences, launchWithExtension, startServer } from '../tests/e2e/harness';
import { demoImages, demoRoutes } from '../tests/fixtures/demo';

const headless = process.argv.includes('--headless') || !process.env.DISPLAY;
const lang = process.argv.includes('--en') ? 'en-US' : 'zh-CN';

if (!process.argv.includes('--no-build')) execSync('npm run build:e2e', { stdio: 'inherit' });
const server = await startServer(await demoRoutes(), Number(process.env.DEMO_PORT ?? 0));
const b = await launchWithExtension({ headless, lang });
const { saved } = await demoImages();
const count = await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
console.log(`demo library: ${count} reference photo(s)`);
const page = await b.context.newPage();
await page.goto(server.url + '/');
await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });

if (headless) {
  const t0 = Date.now();
  const results = await checkAll(page);
  for (const r of results) console.log(`${r.src.padEnd(40)} → ${r.verdict}${r.match ? ` (from ${r.match})` : ''}`);
  console.log(`all checks done in ${Date.now() - t0} ms`);
  mkdirSync('tmp', { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'tmp/demo.png', fullPage: true });
  console.log('screenshot: tmp/demo.png');
  await b.close();
  await server.close();
} else {
  console.log(`demo ticket: ${server.url}/ — press 「检测此图」 next to a buyer photo. Ctrl+C to quit.`);
  await new Promise<void>((ok) => b.context.on('close', () => ok()));
  await server.close();
}
