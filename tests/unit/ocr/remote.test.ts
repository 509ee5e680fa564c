/**
 * The OCR supervisor and its ports, driven by fake workers: a read that never ends is stopped by
 * the time limit and the next read gets a fresh worker; a crash, a malformed or stray reply, an
 * oversize image or a missing document all degrade to an outcome, never a throw or a hang.
 * Time is fake (vi.useFakeTimers): nothing here depends on how busy the machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  OCR_JOB, OCR_LIMITS, OCR_REPLY, OcrSupervisor, answerOcrJob, localReader, parseLines, parseOcrJob, remoteOcr, serveOcrPort,
  type OcrJob, type WorkerLike,
} from '../../../utils/ocr/remote';
import type { RGBAImage } from '../../../utils/types';

type Mode = 'answer' | 'stuck' | 'crash' | 'garbage' | 'stray';

/** A worker that answers each job as told, after a macrotask (like a real one). */
class FakeWorker implements WorkerLike {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  jobs: OcrJob[] = [];
  terminated = false;
  constructor(public mode: () => Mode, public lines: unknown = [{ text: '豆包AI生成', box: [10, 10, 60, 30], score: 0.9 }]) {}
  postMessage(msg: unknown): void {
    const job = msg as OcrJob;
    this.jobs.push(job);
    const mode = this.mode();
    setTimeout(() => {
      if (this.terminated) return;
      if (mode === 'stuck') return;
      if (mode === 'crash') return this.onerror?.({ preventDefault() {} } as ErrorEvent);
      if (mode === 'garbage') return this.onmessage?.({ data: { type: OCR_REPLY, id: job.id, lines: 'no', error: null } } as MessageEvent);
      if (mode === 'stray') return this.onmessage?.({ data: { type: OCR_REPLY, id: job.id + 100, lines: [], error: null } } as MessageEvent);
      this.onmessage?.({ data: { type: OCR_REPLY, id: job.id, lines: job.kind === 'warm' ? [] : this.lines, error: null } } as MessageEvent);
    }, 5);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const image = (w = 100, h = 50): RGBAImage => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) });

describe('OcrSupervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function supervisor(modes: Mode[], lines?: unknown) {
    const workers: FakeWorker[] = [];
    let n = 0;
    const sup = new OcrSupervisor(() => {
      const w = new FakeWorker(() => modes[Math.min(n++, modes.length - 1)], lines);
      workers.push(w);
      return w;
    }, { timeoutMs: 1000 });
    return { sup, workers };
  }

  it('reads lines through the worker, the caller keeping its own pixels', async () => {
    const { sup, workers } = supervisor(['answer']);
    const img = image();
    const p = sup.read(img);
    await vi.advanceTimersByTimeAsync(10);
    const out = await p;
    expect(out).toMatchObject({ ok: true, lines: [{ text: '豆包AI生成', box: [10, 10, 60, 30], score: 0.9 }] });
    expect(workers).toHaveLength(1);
    expect(workers[0].jobs[0]).toMatchObject({ type: OCR_JOB, kind: 'read', width: 100, height: 50 });
    expect(img.data.length).toBe(100 * 50 * 4); // a copy was transferred, not the caller's buffer
  });

  it('a read that never ends is stopped at the limit; the next read gets a fresh worker', async () => {
    const { sup, workers } = supervisor(['stuck', 'answer']);
    const first = sup.read(image());
    const second = sup.read(image());
    await vi.advanceTimersByTimeAsync(999);
    expect(workers[0].jobs).toHaveLength(1); // one job at a time: the second waits
    await vi.advanceTimersByTimeAsync(2);
    expect(await first).toMatchObject({ ok: false, error: 'timeout' });
    expect(workers[0].terminated).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(await second).toMatchObject({ ok: true });
    expect(sup.started).toBe(2);
  });

  it('a crashed worker or a malformed reply is "crashed" and the worker is replaced', async () => {
    const { sup, workers } = supervisor(['crash', 'garbage', 'answer']);
    const a = sup.read(image());
    const b = sup.read(image());
    const c = sup.read(image());
    await vi.advanceTimersByTimeAsync(50);
    expect(await a).toMatchObject({ ok: false, error: 'crashed' });
    expect(await b).toMatchObject({ ok: false, error: 'crashed' });
    expect(await c).toMatchObject({ ok: true });
    expect(workers.map((w) => w.terminated)).toEqual([true, true, false]);
  });

  it('a reply for another job is ignored and the limit still applies', async () => {
    const { sup } = supervisor(['stray']);
    const p = sup.read(image());
    await vi.advanceTimersByTimeAsync(1001);
    expect(await p).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('refuses an oversize image without starting a worker', async () => {
    const { sup } = supervisor(['answer']);
    expect(await sup.read(image(OCR_LIMITS.maxSide + 1, 10))).toMatchObject({ ok: false, error: 'too-large' });
    expect(sup.started).toBe(0);
  });

  it('a worker that cannot start is "unavailable"', async () => {
    const sup = new OcrSupervisor(() => {
      throw new Error('no workers here');
    });
    expect(await sup.read(image())).toMatchObject({ ok: false, error: 'unavailable' });
  });

  it('warms once per worker, again after the worker was replaced', async () => {
    const { sup, workers } = supervisor(['answer', 'stuck', 'answer']);
    const w1 = sup.warm();
    const w2 = sup.warm();
    await vi.advanceTimersByTimeAsync(10);
    expect(await w1).toMatchObject({ ok: true });
    expect(w2).toBe(w1);
    expect(workers[0].jobs.map((j) => j.kind)).toEqual(['warm']);
    // a stuck read replaces the worker; warming again loads the new one
    const r = sup.read(image());
    await vi.advanceTimersByTimeAsync(1001);
    expect(await r).toMatchObject({ error: 'timeout' });
    const w3 = sup.warm();
    await vi.advanceTimersByTimeAsync(10);
    expect(await w3).toMatchObject({ ok: true });
    expect(workers).toHaveLength(2);
  });

  it('clamps boxes to the image, caps text and drops empty boxes', async () => {
    const long = 'x'.repeat(OCR_LIMITS.maxTextChars + 50);
    const { sup } = supervisor(['answer'], [{ text: long, box: [-5, -5, 500, 500] }, { text: 'a', box: [20, 20, 20, 30] }]);
    const p = sup.read(image(100, 50));
    await vi.advanceTimersByTimeAsync(10);
    const out = await p;
    expect(out.ok && out.lines).toEqual([{ text: 'x'.repeat(OCR_LIMITS.maxTextChars), box: [0, 0, 100, 50] }]);
  });
});

describe('job and reply shapes', () => {
  it('parseOcrJob accepts only well-formed jobs within the caps', () => {
    const ok = { type: OCR_JOB, id: 1, kind: 'read', width: 4, height: 2, pixels: new ArrayBuffer(32) };
    expect(parseOcrJob(ok)).toMatchObject({ kind: 'read', width: 4, height: 2 });
    expect(parseOcrJob({ ...ok, pixels: new ArrayBuffer(31) })).toBeUndefined();
    expect(parseOcrJob({ ...ok, width: 4.5 })).toBeUndefined();
    expect(parseOcrJob({ ...ok, width: OCR_LIMITS.maxSide + 1, pixels: new ArrayBuffer((OCR_LIMITS.maxSide + 1) * 2 * 4) })).toBeUndefined();
    expect(parseOcrJob({ ...ok, kind: 'eval' })).toBeUndefined();
    expect(parseOcrJob({ ...ok, type: 'other' })).toBeUndefined();
    expect(parseOcrJob({ ...ok, id: '1' })).toBeUndefined();
    expect(parseOcrJob(null)).toBeUndefined();
    expect(parseOcrJob({ type: OCR_JOB, id: 2, kind: 'warm', pixels: new ArrayBuffer(0) })).toMatchObject({ kind: 'warm' });
  });

  it('parseLines refuses anything but a short list of text + numeric box', () => {
    expect(parseLines('x', 10, 10)).toBeUndefined();
    expect(parseLines([{ text: 1, box: [0, 0, 1, 1] }], 10, 10)).toBeUndefined();
    expect(parseLines([{ text: 'a', box: [0, 0, 1, Number.NaN] }], 10, 10)).toBeUndefined();
    expect(parseLines(Array.from({ length: OCR_LIMITS.maxLines + 1 }, () => ({ text: 'a', box: [0, 0, 1, 1] })), 10, 10)).toBeUndefined();
  });

  it('answerOcrJob never throws: a reader that fails answers "crashed"', async () => {
    const job = parseOcrJob({ type: OCR_JOB, id: 7, kind: 'read', width: 1, height: 1, pixels: new ArrayBuffer(4) })!;
    expect(await answerOcrJob(job, async () => ({ read: async () => { throw new Error('boom'); } }))).toEqual({ type: OCR_REPLY, id: 7, lines: null, error: 'crashed' });
    expect(await answerOcrJob(job, async () => { throw new Error('no model'); })).toMatchObject({ lines: null, error: 'crashed' });
    expect(await answerOcrJob(job, async () => ({ read: async () => [{ text: 'AI生成', box: [0, 0, 1, 1] as [number, number, number, number] }] }))).toMatchObject({ lines: [{ text: 'AI生成' }], error: null });
  });

  it('localReader applies the same caps and checks', async () => {
    const read = localReader({ read: async () => [{ text: 'AI生成', box: [-3, 0, 400, 9] as [number, number, number, number] }] });
    expect(await read(image(100, 50))).toMatchObject({ ok: true, lines: [{ text: 'AI生成', box: [0, 0, 100, 9] }] });
    expect(await read(image(OCR_LIMITS.maxSide + 1, 1))).toMatchObject({ ok: false, error: 'too-large' });
    expect(await localReader({ read: async () => { throw new Error('x'); } })(image())).toMatchObject({ ok: false, error: 'crashed' });
  });
});

describe('service worker ⇄ offscreen document ports', () => {
  it('a read goes through the document supervisor and back', async () => {
    const ch = new MessageChannel();
    const seen: string[] = [];
    serveOcrPort(ch.port2, {
      read: async (img) => {
        seen.push(`read ${img.width}×${img.height}`);
        return { ok: true, lines: [{ text: '即梦AI生成', box: [1, 1, 5, 5] }], ms: 1 };
      },
      warm: async () => {
        seen.push('warm');
        return { ok: true, lines: [], ms: 1 };
      },
    });
    const remote = remoteOcr({ connect: async () => ch.port1 });
    expect(await remote.warm()).toMatchObject({ ok: true });
    expect(await remote.read(image(20, 10))).toMatchObject({ ok: true, lines: [{ text: '即梦AI生成', box: [1, 1, 5, 5] }] });
    expect(seen).toEqual(['warm', 'read 20×10']);
    // a document that answers with a failure passes it on
    const ch2 = new MessageChannel();
    serveOcrPort(ch2.port2, { read: async () => ({ ok: false, error: 'timeout', ms: 1 }), warm: async () => ({ ok: true, lines: [], ms: 0 }) });
    expect(await remoteOcr({ connect: async () => ch2.port1 }).read(image())).toMatchObject({ ok: false, error: 'timeout' });
    for (const c of [ch, ch2]) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('no document is "unavailable"; a document that never answers is "timeout" and reported lost', async () => {
    expect(await remoteOcr({ connect: async () => undefined }).read(image())).toMatchObject({ ok: false, error: 'unavailable' });
    expect(await remoteOcr({ connect: async () => { throw new Error('gone'); } }).read(image())).toMatchObject({ ok: false, error: 'unavailable' });
    vi.useFakeTimers();
    try {
      let lost = 0;
      const silent = { postMessage() {} };
      const p = remoteOcr({ connect: async () => silent, timeoutMs: 500, onLost: () => lost++ }).read(image());
      await vi.advanceTimersByTimeAsync(501);
      expect(await p).toMatchObject({ ok: false, error: 'timeout' });
      expect(lost).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
