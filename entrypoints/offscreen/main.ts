/**
 * Offscreen document (Chrome): the service worker has no WebCodecs ImageDecoder, a dedicated
 * worker has. This page only starts that worker and hands it the service worker's decode jobs
 * (each carries its own reply port, so pixels go straight back). It closes itself when idle.
 */
import { parseDecodeJob } from '@/utils/image/decode-remote';
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

navigator.serviceWorker.onmessage = (e: MessageEvent) => {
  // only our own service worker can post here; its jobs are still checked before use
  const got = parseDecodeJob(e.data, e.ports);
  if (!got) return;
  rest();
  worker.postMessage(got.job, [got.port, got.job.bytes]);
};
