/**
 * The offscreen document whose worker decodes JPEGs for the service worker (entrypoints/offscreen,
 * utils/image/decode-remote.ts). Chrome only: where `offscreen` is missing (Firefox) the caller
 * decodes locally.
 */
import { browser } from 'wxt/browser';
import { DECODER_KEEP, DECODER_PORT } from './image/decode-remote';

const PATH = '/offscreen.html';

interface ClientLike {
  id: string;
  url: string;
  postMessage(msg: unknown, transfer: Transferable[]): void;
}
interface SwGlobal {
  clients?: { matchAll(o: { includeUncontrolled: boolean; type: 'all' }): Promise<ClientLike[]> };
}

let creating: Promise<void> | undefined;

async function findDocument(): Promise<ClientLike | undefined> {
  const clients = (globalThis as unknown as SwGlobal).clients;
  if (!clients) return undefined;
  const all = await clients.matchAll({ includeUncontrolled: true, type: 'all' });
  return all.find((c) => new URL(c.url).pathname === PATH);
}

/** The offscreen document's client, opened first if needed; undefined when it cannot be. */
async function offscreenDocument(): Promise<ClientLike | undefined> {
  const open = await findDocument();
  if (open) return open;
  const api = (browser as unknown as { offscreen?: { createDocument(o: { url: string; reasons: string[]; justification: string }): Promise<void> } }).offscreen;
  if (!api) return undefined;
  creating ??= api
    .createDocument({
      url: PATH,
      reasons: ['WORKERS'],
      justification: 'Decode photos in a worker with WebCodecs ImageDecoder, which service workers lack.',
    })
    .catch(() => {}) // already open (another caller won the race) or not allowed: findDocument tells
    .finally(() => (creating = undefined));
  await creating;
  return findDocument();
}

let link: { clientId: string; port: MessagePort } | undefined;
let verifying: Promise<MessagePort | undefined> | undefined;

/**
 * The port the offscreen document's decoder worker takes jobs on, handed over once per document
 * (a reopened document has another client id and gets a new one).
 *
 * `verify` looks the document up (opening it if it was closed) and keeps it from closing for
 * idleness; a check does that as it starts, while its photo downloads, so that its decode can take
 * the port without a lookup (a client lookup took about 40 ms during a download). Without
 * `verify`, a known port is returned at once, else the lookup in flight is awaited.
 */
export function offscreenDecoderPort(opts: { verify?: boolean } = {}): Promise<MessagePort | undefined> {
  if (!opts.verify) {
    if (verifying) return verifying;
    if (link) return Promise.resolve(link.port);
  }
  verifying ??= (async () => {
    const doc = await offscreenDocument();
    if (!doc) return undefined;
    if (link?.clientId === doc.id) {
      doc.postMessage({ type: DECODER_KEEP }, []);
      return link.port;
    }
    link?.port.close();
    const ch = new MessageChannel();
    doc.postMessage({ type: DECODER_PORT }, [ch.port2]);
    link = { clientId: doc.id, port: ch.port1 };
    return ch.port1;
  })().finally(() => (verifying = undefined));
  return verifying;
}

/** Forget the port (its document did not answer): the next call looks the document up again. */
export function forgetDecoderPort(): void {
  link?.port.close();
  link = undefined;
}
