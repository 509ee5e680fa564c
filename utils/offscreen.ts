/**
 * The offscreen document whose workers decode JPEGs and make a check's pictures for the service
 * worker (entrypoints/offscreen, utils/image/decode-remote.ts). Chrome only: where `offscreen` is missing (Firefox) the caller
 * decodes locally.
 */
import { browser } from 'wxt/browser';
import { DECODER_KEEP, DECODER_PORT, WORKER_ROLES, type WorkerRole } from './image/decode-remote';

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
export async function offscreenDocument(): Promise<ClientLike | undefined> {
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

type Ports = Record<WorkerRole, MessagePort>;
let link: { clientId: string; ports: Ports } | undefined;
let verifying: Promise<Ports | undefined> | undefined;

/**
 * The ports the offscreen document's workers take jobs on (decode, pictures), handed over once per
 * document (a reopened document has another client id and gets new ones).
 *
 * `verify` looks the document up (opening it if it was closed) and keeps it from closing for
 * idleness; a check does that as it starts, while its photo downloads, so that its decode can take
 * the port without a lookup (a client lookup took about 40 ms during a download). Without
 * `verify`, known ports are returned at once, else the lookup in flight is awaited.
 */
export function offscreenPorts(opts: { verify?: boolean } = {}): Promise<Ports | undefined> {
  if (!opts.verify) {
    if (verifying) return verifying;
    if (link) return Promise.resolve(link.ports);
  }
  verifying ??= (async () => {
    const doc = await offscreenDocument();
    if (!doc) return undefined;
    if (link?.clientId === doc.id) {
      doc.postMessage({ type: DECODER_KEEP }, []);
      return link.ports;
    }
    forgetOffscreenPorts();
    const ports = {} as Ports;
    for (const role of WORKER_ROLES) {
      const ch = new MessageChannel();
      doc.postMessage({ type: DECODER_PORT, role }, [ch.port2]);
      ports[role] = ch.port1;
    }
    link = { clientId: doc.id, ports };
    return ports;
  })().finally(() => (verifying = undefined));
  return verifying;
}

/** Forget the ports (their document did not answer): the next call looks the document up again. */
export function forgetOffscreenPorts(): void {
  if (link) for (const p of Object.values(link.ports)) p.close();
  link = undefined;
}
