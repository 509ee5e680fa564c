/** Nothing is lost: browser restart and extension reload keep libraries and history. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAll, importReferences, launchWithExtension } from '../harness';
import { demoImages } from '../../fixtures/demo';
import { expect, session, test } from '../registry';

async function countsIn(b: Awaited<ReturnType<typeof launchWithExtension>>) {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/options.html`);
  await page.locator('[data-refundlens="library-count"]').waitFor();
  await page.waitForTimeout(300);
  const photos = Number(await page.locator('[data-refundlens="library-count"]').textContent());
  const checks = await page.evaluate(() => new Promise<number>((ok, fail) => {
    const r = indexedDB.open('refundlens');
    r.onsuccess = () => { const c = r.result.transaction('checks').objectStore('checks').count(); c.onsuccess = () => { ok(c.result); r.result.close(); }; };
    r.onerror = () => fail(r.error);
  }));
  await page.close();
  return { photos, checks };
}

test('browser restart and service-worker restarts lose no library photo and no check', async (_b, s) => {
  const dir = mkdtempSync(join(tmpdir(), 'refundlens-persist-'));
  try {
    let b = await launchWithExtension({ userDataDir: dir, proxy: session.proxy });
    const { saved, unrelated } = await demoImages();
    await importReferences(b, [{ name: 'a.jpg', bytes: saved }, { name: 'b.jpg', bytes: unrelated }]);
    const page = await b.context.newPage();
    await page.goto(s.url + '/');
    await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
    await checkAll(page);
    const before = await countsIn(b);
    expect(before.photos === 2 && before.checks === 5, `2 photos and 5 checks before, got ${JSON.stringify(before)}`);
    await b.context.close();

    b = await launchWithExtension({ userDataDir: dir, proxy: session.proxy });
    const afterRestart = await countsIn(b);
    expect(JSON.stringify(afterRestart) === JSON.stringify(before), `same after restart, got ${JSON.stringify(afterRestart)}`);

    // The MV3 service worker is stopped by the browser whenever it idles (and on update): stop it
    // by force, then check again — the library is read back from IndexedDB, nothing is lost.
    const probe = await b.context.newPage();
    await probe.goto(s.url + '/');
    const cdp = await b.context.newCDPSession(probe);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await probe.reload();
    await probe.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
    const again = await checkAll(probe);
    expect(again.some((r) => r.match === 'a.jpg'), `matches after the worker restarted: ${JSON.stringify(again)}`);
    await probe.close();
    const afterStop = await countsIn(b);
    expect(afterStop.photos === before.photos && afterStop.checks === before.checks + again.length, `nothing lost after the worker stopped, got ${JSON.stringify(afterStop)}`);
    // (chrome.runtime.reload() of a --load-extension extension does not come back in this headless
    // Chromium, so an update is represented by the restart above: same profile, same IndexedDB.)
    await b.context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
