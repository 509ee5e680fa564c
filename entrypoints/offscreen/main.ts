/**
 * Offscreen document (Chrome): the service worker has no WebCodecs ImageDecoder, a dedicated
 * worker has. This page only starts that worker and hands it the port on which the service worker
 * posts decode jobs (utils/image/decode-remote.ts). It closes itself when idle.
 */
import { DECODER_KEEP, DECODER_PORT, parsePortHandover } from '@/utils/image/decode-remote';
import DecoderWorker from './decoder-worker?worker';

/** Close after this long without a job (the service worker opens it again on the next check). */
const IDLE_CLOSE_MS = 5 * 60_000;

const worker = new DecoderWorker();
let idle: ReturnType<typeof setTimeout> | undefined;
const rest = () => {
  clearTimeout(idle);
  idle = setTimeout(() => window.close(), IDLE_CLOSE_MS);
};
rest();
worker.onmessage = rest; // the worker says when it takes a job

navigator.serviceWorker.onmessage = (e: MessageEvent) => {
  // only our own service worker can post here; still, nothing but these two is taken
  if ((e.data as { type?: unknown } | null)?.type === DECODER_KEEP) return rest();
  const port = parsePortHandover(e.data, e.ports);
  if (!port) return;
  rest();
  worker.postMessage({ type: DECODER_PORT }, [port]);
};
