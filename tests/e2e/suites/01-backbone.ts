/** Backbone: library import, the demo ticket, bad inputs. */
import { checkAll, importReferences, type Route } from '../harness';
import { demoImages, demoTicketHtml } from '../../fixtures/demo';
import { bigStream, pngClaiming } from '../../fixtures/bad';
import { expect, test } from '../registry';

test('library import through the options page counts photos and skips duplicates', async (b) => {
  const { saved } = await demoImages();
  const n1 = await importReferences(b, [{ name: 'ceramic-mug-listing.jpg', bytes: saved }]);
  expect(n1 === 1, `1 photo after import, got ${n1}`);
  const n2 = await importReferences(b, [{ name: 'again.jpg', bytes: saved }]);
  expect(n2 === 1, `duplicate skipped, still 1, got ${n2}`);
});

test('demo ticket: doctored photo is derived from the right reference, unrelated is not, AI labels read (metadata and visible), broken is an error', async (b, s) => {
  const page = await b.context.newPage();
  await page.goto(s.url + '/');
  await page.locator('[data-refundlens="check"]').nth(4).waitFor({ timeout: 15_000 });
  expect((await page.locator('[data-refundlens="check"]').count()) === 5, 'exactly 5 buttons (product thumbnail and icon skipped)');
  const results = await checkAll(page);
  const by = (name: string) => results.find((r) => r.src.endsWith(name))!;
  expect(/^derived/.test(by('/doctored.jpg').verdict), `doctored derived, got ${by('/doctored.jpg').verdict}`);
  expect(by('/doctored.jpg').match === 'ceramic-mug-listing.jpg', `matched the listing photo, got ${by('/doctored.jpg').match}`);
  expect(!/^derived/.test(by('/unrelated.jpg').verdict), `unrelated not derived, got ${by('/unrelated.jpg').verdict}`);
  expect(by('/broken.jpg').verdict === 'error', `broken is error, got ${by('/broken.jpg').verdict}`);
  expect(by('/ai.jpg').verdict === 'ai-labelled', `GB 45438 label read, got ${by('/ai.jpg').verdict}`);
  // the visible 「豆包AI生成」 in the corner, read by the OCR worker (no metadata in that file)
  expect(by('/labelled.jpg').verdict === 'ai-labelled', `visible label read, got ${by('/labelled.jpg').verdict}`);
  // The report of the doctored check opens from the stored history.
  const id = by('/doctored.jpg').checkId;
  expect(id, 'check id on the result host');
  const report = await b.context.newPage();
  await report.goto(`chrome-extension://${b.extensionId}/report.html?check=${id}`);
  await report.locator('[data-refundlens="report"]').waitFor();
  expect(/^derived/.test((await report.locator('[data-refundlens="report"]').getAttribute('data-verdict')) ?? ''), 'report shows the verdict');
  await report.close();
  await page.close();
});

test('bad inputs give clear errors and leave the other buttons working', async (b, s) => {
  const { doctored } = await demoImages();
  const bad: Record<string, Route> = {
    '/missing.jpg': { status: 404, type: 'text/html', body: '<html>not found</html>' },
    '/page.jpg': { type: 'text/html', body: '<!doctype html><html><body>login first</body></html>' },
    '/huge.jpg': { type: 'image/jpeg', body: bigStream(60) },
    '/bomb.png': { type: 'image/png', body: pngClaiming(100000, 100000) },
    '/good.jpg': { type: 'image/jpeg', body: doctored },
  };
  for (const [k, v] of Object.entries(bad)) s.routes.set(k, v);
  const imgs = Object.keys(bad).map((k) => `<img src="${k}" width="200" height="150" data-refundlens-photo>`).join('');
  s.routes.set('/bad', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(/<section class="evidence">[\s\S]*<\/section>/, `<section>${imgs}</section>`) });
  const page = await b.context.newPage();
  await page.goto(s.url + '/bad');
  await page.locator('[data-refundlens="check"]').nth(4).waitFor({ timeout: 15_000 });
  const results = await checkAll(page, 90_000);
  const by = (name: string) => results.find((r) => r.src.endsWith(name))!;
  for (const k of ['/missing.jpg', '/page.jpg', '/huge.jpg', '/bomb.png']) expect(by(k).verdict === 'error', `${k} is error, got ${by(k).verdict}`);
  expect(/^derived/.test(by('/good.jpg').verdict), `good image still checked, got ${by('/good.jpg').verdict}`);
  // Each error has its own translated sentence (read from the report of each check).
  const texts: Record<string, string> = {};
  for (const k of ['/missing.jpg', '/page.jpg', '/huge.jpg', '/bomb.png']) {
    const rp = await b.context.newPage();
    await rp.goto(`chrome-extension://${b.extensionId}/report.html?check=${by(k).checkId}`);
    await rp.locator('[data-refundlens="report"]').waitFor();
    texts[k] = (await rp.locator('ul').first().textContent()) ?? '';
    await rp.close();
  }
  expect(/404/.test(texts['/missing.jpg']), `404 named: ${texts['/missing.jpg']}`);
  expect(/web page/.test(texts['/page.jpg']), `HTML named: ${texts['/page.jpg']}`);
  expect(/50 MB/.test(texts['/huge.jpg']), `size cap named: ${texts['/huge.jpg']}`);
  expect(/100000 × 100000/.test(texts['/bomb.png']), `pixel cap named: ${texts['/bomb.png']}`);
  await page.close();
});

