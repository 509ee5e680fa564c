/**
 * In-page behaviour on heavy, changing pages: lazy loading and SPA updates get buttons, the
 * page cannot reach into the UI, and a 200-image page pays no noticeable cost.
 */
import { demoTicketHtml } from '../../fixtures/demo';
import { expect, test } from '../registry';

const EVIDENCE = /<section class="evidence">[\s\S]*<\/section>/;

test('lazy-loaded and SPA-added photos get buttons; closed shadow roots keep the page out', async (_b, s) => {
  s.routes.set('/spa-page', {
    type: 'text/html; charset=utf-8',
    body: demoTicketHtml().replace(EVIDENCE, `<section class="evidence"><h3>退款凭证</h3><div id="list">
      <img id="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/doctored.jpg" width="200" height="150">
    </div></section>`),
  });
  const page = await _b.context.newPage();
  await page.goto(s.url + '/spa-page');
  await page.waitForTimeout(600);
  expect((await page.locator('[data-refundlens="check"]').count()) === 0, 'no button on a placeholder');
  // The lazy loader swaps in the real source; an SPA route adds a new photo.
  await page.evaluate(() => {
    const lazy = document.getElementById('lazy') as HTMLImageElement;
    lazy.src = lazy.dataset.src!;
    const img = document.createElement('img');
    img.src = '/unrelated.jpg';
    img.width = 200;
    img.height = 150;
    document.getElementById('list')!.append(img);
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-refundlens="check"]').length === 2, null, { timeout: 5000 });
  // Page scripts see the host but not what is inside it.
  const inside = await page.evaluate(() => {
    const h = document.querySelector('[data-refundlens="check"]')!;
    return { shadow: h.shadowRoot, text: h.textContent };
  });
  expect(inside.shadow === null && inside.text === '', 'closed shadow root: page sees nothing inside');
  // Changing the host's data-src does not redirect the check to another URL.
  await page.evaluate(() => document.querySelector('[data-refundlens="check"]')!.setAttribute('data-src', 'http://127.0.0.1:1/evil.jpg'));
  await page.locator('[data-refundlens="check"]').first().dispatchEvent('click');
  await page.locator('[data-refundlens="result"][data-verdict]').first().waitFor({ timeout: 30_000 });
  const r = page.locator('[data-refundlens="result"]').first();
  expect(/\/doctored\.jpg$/.test((await r.getAttribute('data-src')) ?? ''), 'the check used the image the extension found');
  expect((await r.getAttribute('data-verdict')) !== 'error', 'and it worked');
  await page.close();
});

test('a page with 200 photos: buttons on all, no long task from the extension, scrolling stays smooth', async (b, s) => {
  const imgs = Array.from({ length: 200 }, (_, i) => `<img src="/${i % 2 ? 'doctored' : 'unrelated'}.jpg?n=${i}" width="120" height="90">`).join('');
  s.routes.set('/heavy-page', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(EVIDENCE, `<section class="evidence"><h3>退款凭证</h3><div id="list">${imgs}</div></section>`) });
  const page = await b.context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __long: number[] }).__long = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => (window as unknown as { __long: number[] }).__long.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(s.url + '/heavy-page');
  await page.waitForFunction(() => document.querySelectorAll('[data-refundlens="check"]').length >= 200, null, { timeout: 20_000 });
  const before = await page.evaluate(() => (window as unknown as { __long: number[] }).__long.length);
  // 100 SPA-style updates that add and remove unrelated nodes: the observer must stay cheap.
  const ms = await page.evaluate(async () => {
    const t = performance.now();
    for (let i = 0; i < 100; i++) {
      const d = document.createElement('div');
      d.textContent = 'row ' + i;
      document.body.append(d);
      await new Promise((r) => requestAnimationFrame(r));
      d.remove();
    }
    return performance.now() - t;
  });
  await page.waitForTimeout(500);
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  console.log(`    200 buttons; 100 frames of DOM churn took ${ms.toFixed(0)} ms; long tasks: ${long.length} (${long.map((x) => x.toFixed(0)).join(', ')} ms)`);
  expect(long.length - before <= 1, `at most one long task after the first scan, got ${long.length - before}`);
  await page.close();
});

test('a page of 500 photos with a carousel changing src every 100 ms: the content script uses under 5 % of the main thread', async (b, s) => {
  const imgs = Array.from({ length: 500 }, (_, i) => `<img src="/${i % 2 ? 'doctored' : 'unrelated'}.jpg?n=${i}" width="60" height="45">`).join('');
  const carousel = `<div class="carousel"><img id="slide" src="/unrelated.jpg?slide=0" width="300" height="200"></div>`;
  s.routes.set('/carousel-page', { type: 'text/html; charset=utf-8', body: demoTicketHtml().replace(EVIDENCE, `${carousel}<section class="evidence"><h3>退款凭证</h3><div id="list">${imgs}</div></section>`) });
  const page = await b.context.newPage();
  await page.goto(s.url + '/carousel-page');
  await page.waitForFunction(() => document.querySelectorAll('[data-refundlens="check"]').length >= 500, null, { timeout: 30_000 });
  await page.waitForTimeout(500);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  // 50 slides, one every 100 ms (a page's carousel: only the src attribute changes)
  const wall = await page.evaluate(
    () =>
      new Promise<number>((done) => {
        const t0 = performance.now();
        let n = 0;
        const slide = document.getElementById('slide') as HTMLImageElement;
        const id = setInterval(() => {
          slide.src = `/unrelated.jpg?slide=${++n}`;
          if (n === 50) {
            clearInterval(id);
            setTimeout(() => done(performance.now() - t0), 600);
          }
        }, 100);
      }),
  );
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { url: string }; children?: number[] }[]; samples: number[]; timeDeltas: number[] } };
  await cdp.detach();
  // a sample counts for the extension when any frame on its stack is the extension's script
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ext = new Map<number, boolean>();
  const isExt = (id: number): boolean => {
    if (ext.has(id)) return ext.get(id)!;
    const n = byId.get(id)!;
    const v = /^(chrome|moz)-extension:/.test(n.callFrame.url) || (parent.has(id) && isExt(parent.get(id)!));
    ext.set(id, v);
    return v;
  };
  let extUs = 0;
  for (let i = 0; i < profile.samples.length; i++) if (isExt(profile.samples[i])) extUs += profile.timeDeltas[i + 1] ?? 0;
  const share = extUs / 1000 / wall;
  console.log(`    500 photos, 50 carousel slides in ${wall.toFixed(0)} ms: content script main-thread time ${(extUs / 1000).toFixed(1)} ms = ${(share * 100).toFixed(2)} %`);
  expect(share < 0.05, `content script main-thread share ${(share * 100).toFixed(2)} % (goal < 5 %)`);
  await page.close();
});
