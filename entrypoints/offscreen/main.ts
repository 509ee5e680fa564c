/**
 * Offscreen document (Chrome): the service worker has no WebCodecs ImageDecoder, a dedicated
 * worker has, and a service worker cannot start workers. This page starts two workers (one
 * decodes, one makes a check's pictures), supervises the C2PA and visible-label readers' workers, and
 * hands each the port on which the service worker posts its jobs (utils/image/decode-remote.ts).
 * It closes itself when idle.
 */
import { DECODER_KEEP, DECODER_PORT, parsePortHandover, WORKER_ROLES, type WorkerRole } from '@/utils/image/decode-remote';
import DecoderWorker from './decoder-worker?worker';
import { C2paSupervisor, serveC2paPort } from '@/utils/metadata/c2pa-remote';
import MetadataWorker from './metadata-worker?worker';
import { OcrSupervisor, serveOcrPort } from '@/utils/ocr/remote';
import { metadataRelay, parseMetadataHandover, parseMetadataJob } from '@/utils/metadata/remote';

/** Close after this long without a job (the service worker opens it again on the next check). */
const IDLE_CLOSE_MS = 5 * 60_000;

let idle: ReturnType<typeof setTimeout> | undefined;
const rest = () => {
  clearTimeout(idle);
  idle = setTimeout(() => window.close(), IDLE_CLOSE_MS);
};
rest();
const workers = new Map<WorkerRole, Worker>();
// the C2PA reader's worker starts on the first file with a manifest, and is terminated at its time limit
const c2pa = new C2paSupervisor(() => new Worker('/c2pa-worker.js'), { onBusy: rest });
// the visible-label reader's worker starts on the first check (or a 'warm' job), and is terminated at its time limit
const ocr = new OcrSupervisor(() => new Worker('/ocr-worker.js'), { onBusy: rest });
for (const role of WORKER_ROLES) {
  if (role === 'c2pa' || role === 'ocr') continue;
  const w = new DecoderWorker({ name: role });
  w.onmessage = rest; // a worker says when it takes a job
  workers.set(role, w);
}

// Metadata of untrusted files: timed here, the worker terminated and replaced when a file is too complex.
const metadata = metadataRelay({ spawn: () => new MetadataWorker({ name: 'metadata' }) });

navigator.serviceWorker.onmessage = (e: MessageEvent) => {
  // only our own service worker can post here; still, nothing but these messages is taken
  if ((e.data as { type?: unknown } | null)?.type === DECODER_KEEP) return rest();
  const metadataPort = parseMetadataHandover(e.data, e.ports);
  if (metadataPort) {
    rest();
    metadataPort.onmessage = (m: MessageEvent) => {
      const j = parseMetadataJob(m.data, m.ports);
      if (j) {
        rest();
        metadata.handle(j.job, j.port);
      }
    };
    return;
  }
  const got = parsePortHandover(e.data, e.ports);
  if (!got) return;
  rest();
  if (got.role === 'c2pa') return serveC2paPort(got.port, c2pa.validate);
  if (got.role === 'ocr') return serveOcrPort(got.port, ocr);
  workers.get(got.role)!.postMessage({ type: DECODER_PORT, role: got.role }, [got.port]);
};
