/**
 * The official C2PA reader off the service worker's thread, with a time limit that really stops it.
 *
 *   service worker ──port (role 'c2pa', utils/offscreen.ts)──▶ offscreen document (Chrome)
 *                                                              └─ C2paSupervisor ─▶ worker (entrypoints/c2pa-worker.ts)
 *   background page (Firefox) ─────────────────────────────────── C2paSupervisor ─▶ worker
 *
 * The supervisor owns the worker: it starts it on the first job (the 8 MB WASM is loaded only
 * when a file carries a manifest), runs one job at a time, and terminates it when a job passes
 * C2PA_LIMITS.timeoutMs, when the reader crashed (a Rust panic leaves the instance unusable) or when
 * its WASM memory grew past C2PA_LIMITS.maxMemoryBytes; the next job starts a fresh one.
 * Everything that arrives from the other side is shape-checked (parseValidation).
 *
 * Pure protocol over postMessage-like objects: tests drive it with MessageChannels and fake workers.
 */
import type { ImageFormat } from '../types';
import { C2PA_LIMITS, failed, parseValidation, precheck, type C2paValidation, type C2paValidator } from './c2pa-validate';

export const C2PA_JOB = 'refundlens-c2pa';
export const C2PA_REPLY = 'refundlens-c2pa-reply';

const FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'heic', 'avif', 'tiff', 'gif'];

export interface C2paJob {
  type: typeof C2PA_JOB;
  id: number;
  bytes: ArrayBuffer;
  format: ImageFormat;
  manifestBytes: number;
}

export interface C2paReply {
  type: typeof C2PA_REPLY;
  id: number;
  result: C2paValidation;
  /** The worker's WASM memory after the job. */
  memoryBytes: number;
  /** The worker asks to be replaced (its reader crashed or could not load). */
  restart: boolean;
}

export function parseC2paJob(data: unknown): C2paJob | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== C2PA_JOB || !(d.bytes instanceof ArrayBuffer) || !FORMATS.includes(d.format as ImageFormat)) return undefined;
  if (typeof d.id !== 'number' || !Number.isInteger(d.id)) return undefined;
  const mb = typeof d.manifestBytes === 'number' && Number.isFinite(d.manifestBytes) && d.manifestBytes >= 0 ? d.manifestBytes : 0;
  return { type: C2PA_JOB, id: d.id, bytes: d.bytes, format: d.format as ImageFormat, manifestBytes: mb };
}

function parseReply(data: unknown, id: number): C2paReply | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const r = data as Record<string, unknown>;
  if (r.type !== C2PA_REPLY || r.id !== id) return undefined;
  const result = parseValidation(r.result);
  if (!result) return undefined;
  const memoryBytes = typeof r.memoryBytes === 'number' && Number.isFinite(r.memoryBytes) ? r.memoryBytes : 0;
  return { type: C2PA_REPLY, id, result, memoryBytes, restart: r.restart === true };
}

/** What the worker side needs: the reader (loaded on first use) and its memory size. */
export interface WorkerReader {
  validate: C2paValidator;
  memoryBytes(): number;
}

/** Worker side: answer one job (never throws). */
export async function answerC2paJob(job: C2paJob, load: () => Promise<WorkerReader>): Promise<C2paReply> {
  let result: C2paValidation;
  let memoryBytes = 0;
  try {
    const reader = await load();
    result = await reader.validate(new Uint8Array(job.bytes), job.format, job.manifestBytes);
    memoryBytes = reader.memoryBytes();
  } catch {
    result = failed('unavailable');
  }
  const restart = result.outcome === 'failed' && (result.error === 'crashed' || result.error === 'unavailable');
  return { type: C2PA_REPLY, id: job.id, result, memoryBytes, restart };
}

export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

export interface SupervisorOptions {
  timeoutMs?: number;
  maxMemoryBytes?: number;
  /** Called as each job starts (the offscreen document stays open). */
  onBusy?: () => void;
}

/** Owns the reader's worker: one job at a time, a real time limit, a fresh worker after trouble. */
export class C2paSupervisor {
  private worker?: WorkerLike;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** Workers started so far (for tests and the note). */
  started = 0;

  constructor(
    private spawn: () => WorkerLike,
    /** (mutable: tests shorten one job's limit) */
    readonly opts: SupervisorOptions = {},
  ) {}

  validate: C2paValidator = (bytes, format, manifestBytes = 0) => {
    const pre = precheck(bytes, format, manifestBytes);
    if (pre) return Promise.resolve(pre);
    const copy = bytes.slice().buffer; // the caller keeps its bytes
    const job = this.chain.then(() => this.run(copy, format, manifestBytes));
    this.chain = job.catch(() => {});
    return job;
  };

  private run(bytes: ArrayBuffer, format: ImageFormat, manifestBytes: number): Promise<C2paValidation> {
    this.opts.onBusy?.();
    return new Promise<C2paValidation>((resolve) => {
      let w: WorkerLike;
      try {
        w = this.worker ??= this.startWorker();
      } catch {
        resolve(failed('unavailable'));
        return;
      }
      const id = this.nextId++;
      const t0 = performance.now();
      const done = (v: C2paValidation, kill: boolean) => {
        clearTimeout(timer);
        w.onmessage = null;
        w.onerror = null;
        if (kill) this.stop();
        resolve(v);
      };
      const timer = setTimeout(() => done({ ...failed('timeout'), ms: Math.round(performance.now() - t0) }, true), this.opts.timeoutMs ?? C2PA_LIMITS.timeoutMs);
      w.onmessage = (e: MessageEvent) => {
        const r = parseReply(e.data, id);
        if (!r) return; // a stray or malformed message: the timer still runs
        done(r.result, r.restart || r.memoryBytes > (this.opts.maxMemoryBytes ?? C2PA_LIMITS.maxMemoryBytes));
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault?.();
        done(failed('crashed'), true);
      };
      try {
        const job: C2paJob = { type: C2PA_JOB, id, bytes, format, manifestBytes };
        w.postMessage(job, [bytes]);
      } catch {
        done(failed('unavailable'), true);
      }
    });
  }

  private startWorker(): WorkerLike {
    const w = this.spawn();
    this.started++;
    return w;
  }

  /** Terminate the worker (a hung reader stops here); the next job starts a new one. */
  stop(): void {
    try {
      this.worker?.terminate();
    } catch {
      /* already gone */
    }
    this.worker = undefined;
  }
}

// ---- between the service worker and the offscreen document (Chrome) --------------------------

interface PortLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
}

/** Offscreen document side: take jobs from the service worker's port, answer on each job's reply port. */
export function serveC2paPort(port: MessagePort, validate: C2paValidator): void {
  port.onmessage = (e: MessageEvent) => {
    const job = parseC2paJob(e.data);
    const reply = e.ports?.length === 1 ? e.ports[0] : undefined;
    if (!job || !reply) return;
    void validate(new Uint8Array(job.bytes), job.format, job.manifestBytes).then(
      (result) => reply.postMessage({ type: C2PA_REPLY, id: job.id, result, memoryBytes: 0, restart: false }),
      () => reply.postMessage({ type: C2PA_REPLY, id: job.id, result: failed('unavailable'), memoryBytes: 0, restart: false }),
    );
  };
}

/**
 * Service worker side: validation by the document's supervisor. Never throws: no document gives
 * 'unavailable', no answer (the document itself stuck or gone) gives 'timeout' after a margin
 * over the supervisor's own limit.
 */
export function remoteC2pa(opts: { connect(): Promise<PortLike | undefined>; timeoutMs?: number; onLost?(): void }): C2paValidator {
  let nextId = 1;
  return async (bytes, format, manifestBytes = 0) => {
    const pre = precheck(bytes, format, manifestBytes);
    if (pre) return pre;
    let target: PortLike | undefined;
    try {
      target = await opts.connect();
    } catch {
      target = undefined;
    }
    if (!target) return failed('unavailable');
    const id = nextId++;
    const copy = bytes.slice().buffer;
    const timeoutMs = opts.timeoutMs ?? C2PA_LIMITS.timeoutMs * 2 + 2000; // a queued job waits for one ahead
    return new Promise<C2paValidation>((resolve) => {
      const ch = new MessageChannel();
      const finish = (v: C2paValidation) => {
        clearTimeout(timer);
        ch.port1.close();
        resolve(v);
      };
      const timer = setTimeout(() => {
        opts.onLost?.();
        finish(failed('timeout'));
      }, timeoutMs);
      ch.port1.onmessage = (e: MessageEvent) => finish(parseReply(e.data, id)?.result ?? failed('crashed'));
      try {
        const job: C2paJob = { type: C2PA_JOB, id, bytes: copy, format, manifestBytes };
        target.postMessage(job, [ch.port2, copy]);
      } catch {
        finish(failed('unavailable'));
      }
    });
  };
}
