/**
 * The visible-label reader (PaddleOCR on onnxruntime-web, utils/ocr/paddle.ts) off the service
 * worker's thread, with a time limit that really stops it. Same layout as the C2PA reader:
 *
 *   service worker ──port (role 'ocr', utils/offscreen.ts)──▶ offscreen document (Chrome)
 *                                                             └─ OcrSupervisor ─▶ worker (entrypoints/ocr-worker.ts)
 *   background page (Firefox) ────────────────────────────────── OcrSupervisor ─▶ worker
 *
 * The supervisor starts the worker on the first job (the models, about 15 MB, load then, once per
 * browser session; a page showing check buttons asks for that early with a 'warm' job, so the
 * first click rarely pays it), runs one job at a time and terminates the worker when a job passes
 * its limit or the worker fails; the next job starts a fresh one. What comes back is shape-checked.
 * Any failure is "visible label not checked", never a failed check.
 *
 * Pure protocol over postMessage-like objects: tests drive it with MessageChannels and fake workers.
 */
import type { Box, RGBAImage } from '../types';
import type { OcrLine } from './label-rule';

export const OCR_JOB = 'refundlens-ocr';
export const OCR_REPLY = 'refundlens-ocr-reply';

export const OCR_LIMITS = {
  /** One read, the model load included when it is the first (load ≈ 1–2 s, a read ≈ 0.3 s). */
  timeoutMs: 10_000,
  /** Largest side sent to the reader (the analysis copy is 1024; a bigger one is refused). */
  maxSide: 2048,
  /** At most this many lines come back (a page of text is not a label). */
  maxLines: 64,
  maxTextChars: 200,
};

export type OcrFailure = 'timeout' | 'crashed' | 'unavailable' | 'too-large';
export type OcrOutcome = { ok: true; lines: OcrLine[]; ms: number } | { ok: false; error: OcrFailure; ms: number };

/** Reads the text lines of the edge bands of an image (analysis size pixels). */
export type LabelReader = (img: RGBAImage) => Promise<OcrOutcome>;

export interface OcrJob {
  type: typeof OCR_JOB;
  id: number;
  /** 'warm' only loads the models. */
  kind: 'read' | 'warm';
  width: number;
  height: number;
  pixels: ArrayBuffer;
}

export interface OcrReply {
  type: typeof OCR_REPLY;
  id: number;
  lines: OcrLine[] | null;
  error: OcrFailure | null;
}

const fail = (error: OcrFailure, ms = 0): OcrOutcome => ({ ok: false, error, ms });

export function parseOcrJob(data: unknown): OcrJob | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (d.type !== OCR_JOB || (d.kind !== 'read' && d.kind !== 'warm') || !(d.pixels instanceof ArrayBuffer)) return undefined;
  if (typeof d.id !== 'number' || !Number.isInteger(d.id)) return undefined;
  const { width, height } = d;
  if (d.kind === 'warm') return { type: OCR_JOB, id: d.id, kind: 'warm', width: 0, height: 0, pixels: d.pixels };
  if (typeof width !== 'number' || typeof height !== 'number' || !Number.isInteger(width) || !Number.isInteger(height)) return undefined;
  if (width < 1 || height < 1 || width > OCR_LIMITS.maxSide || height > OCR_LIMITS.maxSide) return undefined;
  if (d.pixels.byteLength !== width * height * 4) return undefined;
  return { type: OCR_JOB, id: d.id, kind: 'read', width, height, pixels: d.pixels };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Lines from the other side: shape-checked, boxes clamped to the image, text capped. */
export function parseLines(v: unknown, width: number, height: number): OcrLine[] | undefined {
  if (!Array.isArray(v) || v.length > OCR_LIMITS.maxLines) return undefined;
  const out: OcrLine[] = [];
  for (const l of v) {
    if (!l || typeof l !== 'object') return undefined;
    const { text, box, score } = l as Record<string, unknown>;
    if (typeof text !== 'string' || !Array.isArray(box) || box.length !== 4 || !box.every(isNum)) return undefined;
    const [x0, y0, x1, y1] = box as number[];
    const b: Box = [Math.max(0, Math.min(width, x0)), Math.max(0, Math.min(height, y0)), Math.max(0, Math.min(width, x1)), Math.max(0, Math.min(height, y1))];
    if (!(b[2] > b[0] && b[3] > b[1])) continue;
    out.push({ text: text.slice(0, OCR_LIMITS.maxTextChars), box: b, ...(isNum(score) ? { score } : {}) });
  }
  return out;
}

function parseReply(data: unknown, id: number, width: number, height: number): OcrOutcome | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const r = data as Record<string, unknown>;
  if (r.type !== OCR_REPLY || r.id !== id) return undefined;
  if (r.lines === null) {
    const e = r.error;
    return fail(e === 'timeout' || e === 'too-large' || e === 'unavailable' ? e : 'crashed');
  }
  const lines = parseLines(r.lines, width, height);
  return lines ? { ok: true, lines, ms: 0 } : fail('crashed');
}

/** What the worker side needs: the reader, loaded on first use. */
export interface WorkerOcr {
  read(img: { data: Uint8ClampedArray; width: number; height: number }): Promise<OcrLine[]>;
}

/** Worker side: answer one job (never throws). */
export async function answerOcrJob(job: OcrJob, load: () => Promise<WorkerOcr>): Promise<OcrReply> {
  try {
    const reader = await load();
    if (job.kind === 'warm') return { type: OCR_REPLY, id: job.id, lines: [], error: null };
    const lines = await reader.read({ data: new Uint8ClampedArray(job.pixels), width: job.width, height: job.height });
    return { type: OCR_REPLY, id: job.id, lines: lines.slice(0, OCR_LIMITS.maxLines), error: null };
  } catch {
    return { type: OCR_REPLY, id: job.id, lines: null, error: 'crashed' };
  }
}

export interface WorkerLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/** Pixels of a read job: a copy (the caller keeps its image), refused above the size cap. */
function jobPixels(img: RGBAImage): ArrayBuffer | undefined {
  if (img.width > OCR_LIMITS.maxSide || img.height > OCR_LIMITS.maxSide || img.data.length !== img.width * img.height * 4) return undefined;
  return img.data.slice().buffer as ArrayBuffer;
}

/** Owns the reader's worker: one job at a time, a real time limit, a fresh worker after trouble. */
export class OcrSupervisor {
  private worker?: WorkerLike;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private warmed?: Promise<OcrOutcome>;
  /** Workers started so far (for tests and the note). */
  started = 0;

  constructor(
    private spawn: () => WorkerLike,
    readonly opts: { timeoutMs?: number; onBusy?: () => void } = {},
  ) {}

  read: LabelReader = (img) => {
    const pixels = jobPixels(img);
    if (!pixels) return Promise.resolve(fail('too-large'));
    return this.enqueue('read', pixels, img.width, img.height);
  };

  /** Load the models now (a page with check buttons opened); once per worker (stop() and a failed warm forget it). */
  warm = (): Promise<OcrOutcome> => {
    if (this.warmed) return this.warmed;
    const w = (this.warmed = this.enqueue('warm', new ArrayBuffer(0), 0, 0));
    void w.then((r) => { if (!r.ok) this.warmed = undefined; });
    return w;
  };

  private enqueue(kind: OcrJob['kind'], pixels: ArrayBuffer, width: number, height: number): Promise<OcrOutcome> {
    const job = this.chain.then(() => this.run(kind, pixels, width, height));
    this.chain = job.catch(() => {});
    return job;
  }

  private run(kind: OcrJob['kind'], pixels: ArrayBuffer, width: number, height: number): Promise<OcrOutcome> {
    this.opts.onBusy?.();
    return new Promise<OcrOutcome>((resolve) => {
      let w: WorkerLike;
      try {
        w = this.worker ??= this.startWorker();
      } catch {
        resolve(fail('unavailable'));
        return;
      }
      const id = this.nextId++;
      const t0 = performance.now();
      const ms = () => Math.round(performance.now() - t0);
      const done = (v: OcrOutcome, kill: boolean) => {
        clearTimeout(timer);
        w.onmessage = null;
        w.onerror = null;
        if (kill) this.stop();
        resolve({ ...v, ms: ms() });
      };
      const timer = setTimeout(() => done(fail('timeout'), true), this.opts.timeoutMs ?? OCR_LIMITS.timeoutMs);
      w.onmessage = (e: MessageEvent) => {
        const r = parseReply(e.data, id, width, height);
        if (!r) return; // a stray or malformed message: the timer still runs
        done(r, !r.ok);
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault?.();
        done(fail('crashed'), true);
      };
      try {
        const job: OcrJob = { type: OCR_JOB, id, kind, width, height, pixels };
        w.postMessage(job, [pixels]);
      } catch {
        done(fail('unavailable'), true);
      }
    });
  }

  private startWorker(): WorkerLike {
    const w = this.spawn();
    this.started++;
    return w;
  }

  /** Terminate the worker (a stuck read stops here); the next job starts a new one. */
  stop(): void {
    try {
      this.worker?.terminate();
    } catch {
      /* already gone */
    }
    this.worker = undefined;
    this.warmed = undefined;
  }
}

// ---- between the service worker and the offscreen document (Chrome) --------------------------

interface PortLike {
  postMessage(msg: unknown, transfer?: Transferable[]): void;
}

/** Offscreen document side: take jobs from the service worker's port, answer on each job's reply port. */
export function serveOcrPort(port: MessagePort, sup: Pick<OcrSupervisor, 'read' | 'warm'>): void {
  port.onmessage = (e: MessageEvent) => {
    const job = parseOcrJob(e.data);
    const reply = e.ports?.length === 1 ? e.ports[0] : undefined;
    if (!job || !reply) return;
    const answer = (o: OcrOutcome) =>
      reply.postMessage({ type: OCR_REPLY, id: job.id, lines: o.ok ? o.lines : null, error: o.ok ? null : o.error } satisfies OcrReply);
    const work = job.kind === 'warm' ? sup.warm() : sup.read({ data: new Uint8ClampedArray(job.pixels), width: job.width, height: job.height });
    void work.then(answer, () => answer(fail('crashed')));
  };
}

/**
 * Service worker side: reading by the document's supervisor. Never throws: no document gives
 * 'unavailable', no answer (the document itself stuck or gone) gives 'timeout' after a margin over
 * the supervisor's own limit.
 */
export function remoteOcr(opts: { connect(): Promise<PortLike | undefined>; timeoutMs?: number; onLost?(): void }): { read: LabelReader; warm(): Promise<OcrOutcome> } {
  let nextId = 1;
  const send = async (kind: OcrJob['kind'], pixels: ArrayBuffer, width: number, height: number): Promise<OcrOutcome> => {
    const t0 = performance.now();
    let target: PortLike | undefined;
    try {
      target = await opts.connect();
    } catch {
      target = undefined;
    }
    if (!target) return fail('unavailable');
    const id = nextId++;
    const timeoutMs = opts.timeoutMs ?? OCR_LIMITS.timeoutMs * 2 + 2000; // a queued job waits for one ahead
    return new Promise<OcrOutcome>((resolve) => {
      const ch = new MessageChannel();
      const finish = (v: OcrOutcome) => {
        clearTimeout(timer);
        ch.port1.close();
        resolve({ ...v, ms: Math.round(performance.now() - t0) });
      };
      const timer = setTimeout(() => {
        opts.onLost?.();
        finish(fail('timeout'));
      }, timeoutMs);
      ch.port1.onmessage = (e: MessageEvent) => finish(parseReply(e.data, id, width, height) ?? fail('crashed'));
      try {
        const job: OcrJob = { type: OCR_JOB, id, kind, width, height, pixels };
        target!.postMessage(job, [ch.port2, pixels]);
      } catch {
        finish(fail('unavailable'));
      }
    });
  };
  return {
    read: (img) => {
      const pixels = jobPixels(img);
      return pixels ? send('read', pixels, img.width, img.height) : Promise.resolve(fail('too-large'));
    },
    warm: () => send('warm', new ArrayBuffer(0), 0, 0),
  };
}

/**
 * The reader on this thread (Node: eval, tests, bench), with the same shape checks as the worker
 * path. No time limit can stop it here: only for trusted runs.
 */
export function localReader(reader: WorkerOcr): LabelReader {
  return async (img) => {
    const t0 = performance.now();
    if (img.width > OCR_LIMITS.maxSide || img.height > OCR_LIMITS.maxSide) return fail('too-large');
    try {
      const data = img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length);
      const lines = parseLines((await reader.read({ data, width: img.width, height: img.height })).slice(0, OCR_LIMITS.maxLines), img.width, img.height);
      return lines ? { ok: true, lines, ms: Math.round(performance.now() - t0) } : fail('crashed', Math.round(performance.now() - t0));
    } catch {
      return fail('crashed', Math.round(performance.now() - t0));
    }
  };
}
