/**
 * Shared by the e2e suite, the demo and the bench: a tiny local web server for ticket pages and
 * images, and Debian's Chromium (via playwright-core) with the built extension loaded.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

/** The e2e build (`npm run build:e2e`): demo/test pages on localhost and every CONTRACTS.md hook. */
export const EXTENSION_DIR = resolve('.output/chrome-mv3-e2e');
/** What ships to merchants (`npm run build`): no localhost, no hooks; used to prove exactly that. */
export const SHIPPED_DIR = resolve('.output/chrome-mv3');

export interface Route {
  status?: number;
  type?: string;
  body: Uint8Array | string | (() => AsyncIterable<Uint8Array>);
  headers?: Record<string, string>;
}

export interface LocalServer {
  url: string;
  routes: Map<string, Route>;
  /** Every request this server answered, as "METHOD /path". */
  log: string[];
  close(): Promise<void>;
}

/**
 * A proxy that answers nothing and remembers every request sent to it. Chromium is launched
 * with it as its proxy, so any request to anything but loopback (which Chromium never proxies)
 * from any extension context, page or service worker lands in `seen`.
 */
export async function startEgressTrap(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(403);
    res.end();
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }) };
}

export async function startServer(
  routes = new Map<string, Route>(),
  port = 0,
  fallback?: (path: string, host: string) => Route | undefined,
  tls?: { key: string; cert: string },
): Promise<LocalServer> {
  const log: string[] = [];
  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    log.push(`${req.method} ${path}`);
    const r = routes.get(path) ?? fallback?.(path, req.headers.host ?? '');
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'application/octet-stream', 'cache-control': 'no-store', ...r.headers });
    if (typeof r.body === 'function') {
      for await (const chunk of r.body()) {
        if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
        if (res.destroyed) break;
      }
      res.end();
    } else {
      res.end(r.body);
    }
  };
  const server: Server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const addr = server.address() as { port: number };
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${addr.port}`,
    routes,
    log,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

export function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]) {
    if (existsSync(p)) return p;
  }
  throw new Error('Chromium not found: install the Debian package `chromium` (README) or set CHROMIUM_PATH');
}

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  userDataDir: string;
  close(): Promise<void>;
}

/** Chromium with the unpacked extension. `headless: false` only when a display is there. */
export async function launchWithExtension(
  opts: { headless?: boolean; userDataDir?: string; lang?: string; proxy?: string; args?: string[]; extensionDir?: string } = {},
): Promise<ExtensionBrowser> {
  const dir = opts.extensionDir ?? EXTENSION_DIR;
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`extension not built: run \`npm run ${dir === EXTENSION_DIR ? 'build:e2e' : 'build'}\` first`);
  const userDataDir = opts.userDataDir ?? mkdtempSync(join(tmpdir(), 'refundlens-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: opts.headless ?? true,
    locale: opts.lang ?? 'en-US',
    args: [
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...(opts.lang ? [`--lang=${opts.lang}`] : []),
      ...(opts.args ?? []),
    ],
    viewport: { width: 1280, height: 900 },
    ...(opts.proxy ? { proxy: { server: opts.proxy, bypass: '127.0.0.1,localhost' } } : {}),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    userDataDir,
    close: async () => {
      await context.close().catch(() => {});
      if (!opts.userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Add photos to the current library through the real options page UI. */
export async function importReferences(b: ExtensionBrowser, files: { name: string; bytes: Uint8Array }[], timeout = 60_000): Promise<number> {
  const page = await b.context.newPage();
  await page.goto(`chrome-extension://${b.extensionId}/options.html`);
  const input = page.locator('[data-refundlens="library-import"]');
  await input.waitFor({ state: 'attached' });
  const before = Number(await page.locator('[data-refundlens="library-count"]').textContent());
  await input.setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'image/jpeg', buffer: Buffer.from(f.bytes) })));
  await page.locator('[data-refundlens="import-done"]').waitFor({ timeout });
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-refundlens="library-count"]')?.textContent) >= n,
    before + 1,
    { timeout: 2_000 }, // the count refreshes just after 'done'; nothing new when all were duplicates
  ).catch(() => {});
  const count = Number(await page.locator('[data-refundlens="library-count"]').textContent());
  await page.close();
  return count;
}

/** Click every check host on the page (as CONTRACTS.md allows) and wait for every verdict. */
export async function checkAll(page: Page, timeout = 60_000): Promise<{ src: string; verdict: string; match: string | null; checkId: string | null }[]> {
  const hosts = page.locator('[data-refundlens="check"]');
  const n = await hosts.count();
  for (let i = 0; i < n; i++) await hosts.nth(i).dispatchEvent('click');
  await page.waitForFunction(
    (count) => document.querySelectorAll('[data-refundlens="result"][data-verdict]').length >= count,
    n,
    { timeout },
  );
  return page.$$eval('[data-refundlens="result"]', (els) =>
    els.map((e) => ({ src: e.getAttribute('data-src') ?? '', verdict: e.getAttribute('data-verdict') ?? '', match: e.getAttribute('data-match'), checkId: e.getAttribute('data-check-id') })),
  );
}
