/**
 * Metadata of untrusted files read where a timer can really stop it (issue 17). Parsing is
 * synchronous: a time budget in the same thread cannot interrupt it. So the bytes go to a
 * dedicated worker; the side that owns the worker (the offscreen document in Chrome, a
 * worker_thread in Node) runs a timer, and when it fires the worker is terminated, a fresh one
 * started, and the check goes on with the warning 'metadata_too_complex' ("metadata not read:
 * too complex") instead of stalling.
 *
 *   service worker ──METADATA_JOB (bytes, reply port)──▶ relay (offscreen document)
 *                                                          │ forwards to its worker, times it;
 *                                                          │ on timeout: terminate + respawn
 *                  ◀────────────── MetadataResult ─────────┘
 *
 * Pure protocol over postMessage-like objects: tests drive it with MessageChannels and fake
 * workers in Node.
 */
import type { ImageFormat, MetadataResult } from '../types';
import { readMetadata } from './read';

export const METADATA_JOB = 'refundlens-metadata';
/** Hands the relay (offscreen document) the port metadata jobs arrive on. */
export const METADATA_PORT = 'refundlens-metadata-port';
/** Budget for one file's metadata inside the worker (a linear parser reads any capped file in far less). */
export const METADATA_TIMEOUT_MS = 5_000;
export const TOO_COMPLEX = 'metadata_too_complex';

const FORMATS = new Set<ImageFormat>(['jpeg', 'png', 'webp', 'heic', 'avif', 'tiff', 'gif', 'bmp', 'unknown'] as ImageFormat[]);

export interface MetadataJob {
  type: typeof METADATA_JOB;
  bytes: ArrayBuffer;
  format: ImageFormat;
}

interface PortLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
}

/** What the check goes on with when the metadata could not be read in time. */
export function tooComplex(format: ImageFormat): MetadataResult {
  return { summary: { format }, signals: [], warnings: [TOO_COMPLEX] };
}

function onlyPort(ports: readonly MessagePort[] | undefined): MessagePort | undefined {
  return ports?.length === 1 ? ports[0] : undefined;
}

export function parseMetadataJob(data: unknown, ports: readonly MessagePort[] | undefined): { job: MetadataJob; port: MessagePort } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== METADATA_JOB || !(d.bytes instanceof ArrayBuffer) || !FORMATS.has(d.format as ImageFormat)) return undefined;
  const port = onlyPort(ports);
  return port ? { job: { type: METADATA_JOB, bytes: d.bytes, format: d.format as ImageFormat }, port } : undefined;
}

/** The port of a METADATA_PORT handover, or undefined for anything else. */
export function parseMetadataHandover(data: unknown, ports: readonly MessagePort[] | undefined): MessagePort | undefined {
  if (!data || typeof data !== 'object' || (data as Record<string, unknown>).type !== METADATA_PORT) return undefined;
  return onlyPort(ports);
}

/** Worker side: read one file's metadata and answer on the job's port (never throws). */
export async function answerMetadataJob(job: MetadataJob, port: PortLike, read: typeof readMetadata = readMetadata): Promise<void> {
  let r: MetadataResult;
  try {
    r = await read(new Uint8Array(job.bytes), job.format);
  } catch {
    r = { summary: { format: job.format }, signals: [], warnings: ['metadata_failed'] };
  }
  port.postMessage({ ok: true, result: r });
}

/** A reply as received from our own worker, its shape checked before use. */
export function parseMetadataReply(data: unknown): MetadataResult | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.ok === false && d.reason === TOO_COMPLEX) return undefined;
  const r = d.result as Record<string, unknown> | undefined;
  if (d.ok !== true || !r || typeof r !== 'object') return undefined;
  if (!r.summary || typeof r.summary !== 'object' || !Array.isArray(r.signals) || !Array.isArray(r.warnings)) return undefined;
  if (!r.warnings.every((w) => typeof w === 'string')) return undefined;
  if (!r.signals.every((s) => s && typeof s === 'object' && typeof (s as Record<string, unknown>).code === 'string' && typeof (s as Record<string, unknown>).weight === 'number')) return undefined;
  if (r.thumbnail !== undefined && !(r.thumbnail instanceof Uint8Array)) return undefined;
  return r as unknown as MetadataResult;
}

/** A worker the relay can stop for good (Worker in browsers, worker_threads' Worker in Node). */
export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  terminate(): unknown;
}

/**
 * Relay side (the owner of the worker): each job is forwarded to the worker with its own reply
 * channel and timed; a job not answered within `timeoutMs` gets TOO_COMPLEX, and the worker is
 * terminated and replaced (the jobs queued behind it go to the new one). One job at a time.
 */
export function metadataRelay(opts: {
  spawn: () => WorkerLike;
  timeoutMs?: number;
  channel?: () => { port1: MessagePort; port2: MessagePort };
  onRestart?: () => void;
}): { handle(job: MetadataJob, reply: PortLike): void; close(): void } {
  const timeoutMs = opts.timeoutMs ?? METADATA_TIMEOUT_MS;
  const channel = opts.channel ?? (() => new MessageChannel());
  let worker: WorkerLike | undefined;
  let chain: Promise<void> = Promise.resolve();
  const run = (job: MetadataJob, reply: PortLike) =>
    new Promise<void>((done) => {
      worker ??= opts.spawn();
      const ch = channel();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (msg: unknown) => {
        clearTimeout(timer);
        ch.port1.onmessage = null;
        ch.port1.close();
        try {
          reply.postMessage(msg);
        } catch {
          /* the asker is gone */
        }
        done();
      };
      timer = setTimeout(() => {
        try {
          worker?.terminate();
        } catch {
          /* already gone */
        }
        worker = undefined; // the next job gets a fresh worker
        opts.onRestart?.();
        finish({ ok: false, reason: TOO_COMPLEX });
      }, timeoutMs);
      ch.port1.onmessage = (e: MessageEvent) => finish(e.data);
      try {
        worker.postMessage(job, [ch.port2, job.bytes]);
      } catch {
        finish({ ok: false, reason: 'metadata_failed' });
      }
    });
  return {
    handle(job, reply) {
      chain = chain.then(() => run(job, reply));
    },
    close() {
      try {
        worker?.terminate();
      } catch {
        /* gone */
      }
      worker = undefined;
    },
  };
}

/**
 * Service side: metadata read by the remote relay. Falls back to reading here only when there is
 * no relay at all (Firefox, tests); a relay that answers TOO_COMPLEX — or does not answer within
 * `timeoutMs` — gives tooComplex(), never a second try on this thread.
 */
export function remoteMetadata(opts: {
  connect(): Promise<PortLike | undefined>;
  /** Backstop when the relay itself is silent (longer than its own budget). */
  timeoutMs?: number;
  onLost?(): void;
  fallback?: typeof readMetadata;
}): (bytes: Uint8Array, format: ImageFormat) => Promise<MetadataResult> {
  const timeoutMs = opts.timeoutMs ?? METADATA_TIMEOUT_MS * 2 + 2_000;
  const fallback = opts.fallback ?? readMetadata;
  return async (bytes, format) => {
    let target: PortLike | undefined;
    try {
      target = await opts.connect();
    } catch {
      target = undefined;
    }
    if (!target) return fallback(bytes, format);
    const copy = bytes.slice().buffer as ArrayBuffer; // the check keeps its bytes
    const job: MetadataJob = { type: METADATA_JOB, bytes: copy, format };
    const reply = await new Promise<MetadataResult | 'too-complex' | 'failed' | 'lost'>((resolve) => {
      const ch = new MessageChannel();
      const done = (r: MetadataResult | 'too-complex' | 'failed' | 'lost') => {
        clearTimeout(timer);
        ch.port1.close();
        resolve(r);
      };
      const timer = setTimeout(() => done('lost'), timeoutMs);
      ch.port1.onmessage = (e: MessageEvent) => {
        const d = e.data as Record<string, unknown> | null;
        if (d && d.ok === false) return done(d.reason === TOO_COMPLEX ? 'too-complex' : 'failed');
        done(parseMetadataReply(e.data) ?? 'failed');
      };
      try {
        target!.postMessage(job, [ch.port2, copy]);
      } catch {
        done('lost');
      }
    });
    if (reply === 'lost') {
      opts.onLost?.();
      return tooComplex(format);
    }
    if (reply === 'failed') return { summary: { format }, signals: [], warnings: ['metadata_failed'] };
    return reply === 'too-complex' ? tooComplex(format) : reply;
  };
}
