/**
 * The offscreen decoder (utils/image/decode-remote.ts + decode-scaled.ts in the offscreen
 * document's worker) gives the same pixels as the service worker's own createImageBitmap decode,
 * for all eight EXIF orientations, and is what checks use.
 */
import sharp from 'sharp';
import { startServer } from '../harness';
import { expect, test } from '../registry';

/** 1600×1200 scene whose quadrants differ, so a wrong turn or flip cannot pass. */
async function orientedJpegs(): Promise<Map<string, { type: string; body: Uint8Array }>> {
  const W = 1600, H = 1200;
  const raw = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      raw[o] = x < W / 2 ? 220 : 30;
      raw[o + 1] = y < H / 2 ? 200 : 40;
      raw[o + 2] = Math.round((x / W) * 255);
    }
  }
  const routes = new Map<string, { type: string; body: Uint8Array }>();
  for (let o = 1; o <= 8; o++) {
    routes.set(`/o${o}.jpg`, { type: 'image/jpeg', body: new Uint8Array(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: o }).toBuffer()) });
  }
  return routes;
}

test('offscreen decoder: same size and pixels as createImageBitmap for all 8 EXIF orientations', async (b) => {
  const server = await startServer(await orientedJpegs());
  try {
    const out = (await b.worker.evaluate(`(async (base) => {
      const exists = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
      if (!exists.length) await chrome.offscreen.createDocument({ url: '/offscreen.html', reasons: ['WORKERS'], justification: 'test' });
      const doc = (await clients.matchAll({ includeUncontrolled: true, type: 'all' })).find((c) => new URL(c.url).pathname === '/offscreen.html');
      // our own port to the decoder worker, as utils/offscreen.ts gets one
      const link = new MessageChannel();
      doc.postMessage({ type: 'refundlens-decoder-port', role: 'decode' }, [link.port2]);
      const rows = [];
      for (let o = 1; o <= 8; o++) {
        const bytes = await (await fetch(base + '/o' + o + '.jpg')).arrayBuffer();
        const remote = await new Promise((res) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = (e) => res(e.data);
          const copy = bytes.slice(0);
          link.port1.postMessage({ type: 'refundlens-decode', bytes: copy, maxSide: 1024 }, [ch.port2, copy]);
        });
        const turned = o >= 5;
        const fw = turned ? 768 : 1024, fh = turned ? 1024 : 768;
        const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }), { imageOrientation: 'from-image', resizeWidth: fw, resizeHeight: fh, resizeQuality: 'medium' });
        const c = new OffscreenCanvas(fw, fh);
        const x = c.getContext('2d');
        x.drawImage(bmp, 0, 0);
        const local = x.getImageData(0, 0, fw, fh).data;
        const px = new Uint8ClampedArray(remote.data ?? new ArrayBuffer(0));
        let sum = 0;
        if (px.length === local.length) for (let i = 0; i < px.length; i += 4) sum += Math.abs(px[i] - local[i]) + Math.abs(px[i + 1] - local[i + 1]) + Math.abs(px[i + 2] - local[i + 2]);
        rows.push({ o, ok: remote.ok, w: remote.imageWidth, h: remote.imageHeight, fullW: remote.width, fullH: remote.height, fw, fh, mad: px.length === local.length ? sum / (px.length / 4 * 3) : -1 });
      }
      // a job posted to the document itself is not taken (only port handovers are)
      const ignored = await new Promise((res) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => res(false);
        const copy = new ArrayBuffer(8);
        doc.postMessage({ type: 'refundlens-decode', bytes: copy, maxSide: 1024 }, [ch.port2, copy]);
        setTimeout(() => res(true), 500);
      });
      rows.push({ o: 0, ignored });
      return rows;
    })(${JSON.stringify(server.url)})`)) as { o: number; ok: boolean; w: number; h: number; fullW: number; fullH: number; fw: number; fh: number; mad: number; ignored?: boolean }[];
    expect(out.pop()?.ignored === true, 'the document ignores jobs posted to it directly');
    for (const r of out) {
      expect(r.ok && r.w === r.fw && r.h === r.fh, `orientation ${r.o}: analysis size ${r.w}×${r.h}, want ${r.fw}×${r.fh}`);
      expect(r.fullW === (r.o >= 5 ? 1200 : 1600) && r.fullH === (r.o >= 5 ? 1600 : 1200), `orientation ${r.o}: full size ${r.fullW}×${r.fullH}`);
      expect(r.mad >= 0 && r.mad < 4, `orientation ${r.o}: mean difference ${r.mad.toFixed(2)} grey levels`);
    }
  } finally {
    await server.close();
  }
});

test('a page showing check buttons gets the decoder ready before any click (prepare message)', async (b, s) => {
  await b.worker.evaluate(`chrome.offscreen.closeDocument().catch(() => {})`);
  const count = () => b.worker.evaluate(`chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] }).then((c) => c.length)`) as Promise<number>;
  expect((await count()) === 0, 'decoder document closed');
  const page = await b.context.newPage();
  try {
    await page.goto(s.url + '/');
    await page.locator('[data-refundlens="check"]').first().waitFor({ timeout: 15_000 });
    let n = 0;
    for (let i = 0; i < 50 && n === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      n = await count();
    }
    expect(n === 1, 'the decoder document was opened without a click');
  } finally {
    await page.close();
  }
});
