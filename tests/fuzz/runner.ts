/**
 * The fuzz driver: generates seeded cases (mutate.ts) in this process and runs each one in a
 * pool of child processes (worker.ts) with a per-case time limit. A case past the limit is a
 * hang: its process is killed (by its own pid, through the ChildProcess handle) and replaced.
 * A child that dies mid-case (uncaught exception, out of memory, native crash) is a crash.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus, type Sample } from '../fixtures/formats';
import { makeCase, type FuzzCase } from './mutate';
import { backupSample } from './structured';
import type { FromWorker, ToWorker } from './worker';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORKER = join(HERE, 'worker.ts');

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** Per-case limit; a case that takes longer is a hang. */
  timeLimitMs: number;
  workers: number;
  /** Where crashing/hanging inputs are written (null: do not write). */
  findingsDir: string | null;
  /** Progress lines (stderr by default). */
  log: (line: string) => void;
  /** Run only these case numbers of the seed (replay of one generated case). */
  only?: number[];
}

export interface Finding {
  kind: 'crash' | 'hang' | 'note';
  seed: number;
  case: number;
  base: string;
  format: string;
  ops: string[];
  detail: string;
  ms: number;
  file?: string;
}

export interface FuzzSummary {
  cases: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
  findings: Finding[];
  /** level or error code → count */
  outcomes: Record<string, number>;
  /** per base format → count */
  formats: Record<string, number>;
  slowest: { case: number; base: string; ops: string[]; ms: number }[];
  wallMs: number;
  /** Cases that passed the time limit once but answered when run again on a fresh worker. */
  unconfirmedHangs: number;
  /** Notes (swallowed exceptions, oversized results …) by kind: count and a few examples. */
  notes: Record<string, { count: number; examples: { case: number; base: string; detail: string; file?: string }[] }>;
  /** Slowest time per pipeline stage (runCheck timings) and the case it was seen in. */
  stageMax: Record<string, { ms: number; case: number; base: string }>;
  /** Cases the mutator failed to build (fuzzer bugs; not counted as cases). */
  generatorErrors: number;
}

export const DEFAULTS: FuzzOptions = {
  cases: 1000,
  seed: 1,
  timeLimitMs: 10_000,
  workers: 2,
  findingsDir: 'tmp/fuzz-findings',
  log: (l) => process.stderr.write(l + '\n'),
};

const MAX_SAVED = 200;

type Outcome =
  | { type: 'result'; ms: number; level: string; code?: string; problems: string[]; notes: string[]; timings?: Record<string, number> }
  | { type: 'hang'; ms: number; stage: string }
  | { type: 'died'; ms: number; detail: string };

/** One child process running worker.ts. */
class Slot {
  child!: ChildProcess;
  private ready!: Promise<void>;
  private pending?: (o: Outcome) => void;
  private started = 0;
  private stderrTail = '';
  private fatalMessage = '';
  private lastBeat = '';

  constructor(private timeLimitMs: number) {
    this.spawn();
  }

  private spawn() {
    this.stderrTail = '';
    this.fatalMessage = '';
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=2048'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready.catch(() => {}); // a child killed before it was ready is reported by run()
    child.on('message', (m: FromWorker) => {
      if (m.type === 'ready') readyResolve();
      else if (m.type === 'fatal') this.fatalMessage = m.message;
      else if (m.type === 'beat') this.lastBeat = `${m.stage} at ${Math.round(m.ms)} ms`;
      else if (m.type === 'result' && this.pending) {
        const p = this.pending;
        this.pending = undefined;
        p({ type: 'result', ms: m.ms, level: m.level, code: m.code, problems: m.problems, notes: m.notes, timings: m.timings });
      }
    });
    child.on('exit', (code, signal) => {
      readyReject(new Error(`fuzz worker exited before ready (${code ?? signal}): ${this.stderrTail}`));
      if (this.pending && child === this.child) {
        const p = this.pending;
        this.pending = undefined;
        p({ type: 'died', ms: performance.now() - this.started, detail: this.fatalMessage || `worker exited (${code ?? signal}): ${this.stderrTail.slice(-500)}` });
      }
    });
  }

  async run(bytes: Uint8Array, id: number, format?: string): Promise<Outcome> {
    await this.ready;
    const outcome = await new Promise<Outcome>((resolveOutcome) => {
      const timer = setTimeout(() => {
        if (!this.pending) return;
        this.pending = undefined;
        resolveOutcome({
          type: 'hang',
          ms: performance.now() - this.started,
          stage: this.lastBeat ? `last heartbeat: ${this.lastBeat}` : 'no heartbeat (JS thread blocked from the start)',
        });
      }, this.timeLimitMs);
      this.pending = (o) => {
        clearTimeout(timer);
        resolveOutcome(o);
      };
      this.started = performance.now();
      this.lastBeat = '';
      const msg: ToWorker = { type: 'case', id, bytes, format };
      this.child.send(msg);
    });
    if (outcome.type !== 'result') this.restart();
    return outcome;
  }

  restart() {
    const old = this.child;
    if (old.exitCode === null && old.signalCode === null) old.kill('SIGKILL');
    this.spawn();
  }

  close() {
    this.pending = undefined;
    const c = this.child;
    if (c.exitCode === null && c.signalCode === null) {
      c.disconnect?.();
      setTimeout(() => {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, 2000).unref();
    }
  }
}

function saveFinding(dir: string, f: Finding, bytes: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${f.kind}-seed${f.seed}-case${f.case}-${f.base}`);
  writeFileSync(`${stem}.bin`, bytes);
  writeFileSync(`${stem}.json`, JSON.stringify({ ...f, file: `${stem}.bin`, replay: `npm run fuzz -- --replay ${stem}.bin` }, null, 2) + '\n');
  return `${stem}.bin`;
}

/** Run a seeded fuzz campaign. */
export async function runFuzz(opts: Partial<FuzzOptions> = {}): Promise<FuzzSummary> {
  const o: FuzzOptions = { ...DEFAULTS, ...opts };
  const t0 = performance.now();
  // image files, plus a real backup (restore is an input path too)
  const backup = (await backupSample()) as unknown as Sample;
  const corpus = [...(await buildCorpus()), backup, backup, backup];
  const ids = o.only ?? Array.from({ length: o.cases }, (_, i) => i);
  const make = (i: number): FuzzCase => makeCase(corpus, o.seed, i);
  return drive(
    ids.map((i) => ({ id: i, get: () => make(i) })),
    o,
    t0,
  );
}

/** Replay one saved input (a .bin written by a run, or its .json). */
export async function replay(file: string, opts: Partial<FuzzOptions> = {}): Promise<FuzzSummary> {
  const o: FuzzOptions = { ...DEFAULTS, ...opts, findingsDir: null };
  const t0 = performance.now();
  let bin = resolve(file);
  let meta: Partial<Finding> = {};
  if (bin.endsWith('.json')) {
    meta = JSON.parse(readFileSync(bin, 'utf8'));
    bin = meta.file && existsSync(meta.file) ? resolve(meta.file) : bin.replace(/\.json$/, '.bin');
  } else if (existsSync(bin.replace(/\.bin$/, '.json'))) {
    meta = JSON.parse(readFileSync(bin.replace(/\.bin$/, '.json'), 'utf8'));
  }
  const bytes = new Uint8Array(readFileSync(bin));
  const c: FuzzCase = { bytes, base: meta.base ?? 'replay', format: meta.format ?? '?', ops: meta.ops ?? [] };
  return drive([{ id: meta.case ?? 0, get: () => c }], { ...o, seed: meta.seed ?? o.seed }, t0);
}

async function drive(jobs: { id: number; get: () => FuzzCase }[], o: FuzzOptions, t0: number): Promise<FuzzSummary> {
  const s: FuzzSummary = { cases: 0, crashes: 0, hangs: 0, slowestMs: 0, findings: [], outcomes: {}, formats: {}, slowest: [], wallMs: 0, unconfirmedHangs: 0, generatorErrors: 0, notes: {}, stageMax: {} };
  const slots = Array.from({ length: Math.max(1, Math.min(o.workers, jobs.length)) }, () => new Slot(o.timeLimitMs));
  let next = 0;
  let lastLog = performance.now();
  const note = (c: FuzzCase, id: number, ms: number) => {
    s.slowestMs = Math.max(s.slowestMs, Math.round(ms));
    if (s.slowest.length < 5 || ms > s.slowest[s.slowest.length - 1].ms) {
      s.slowest.push({ case: id, base: c.base, ops: c.ops, ms: Math.round(ms) });
      s.slowest.sort((a, b) => b.ms - a.ms);
      s.slowest.length = Math.min(5, s.slowest.length);
    }
  };
  const record = (kind: Finding['kind'], c: FuzzCase, id: number, detail: string, ms: number) => {
    const f: Finding = { kind, seed: o.seed, case: id, base: c.base, format: c.format, ops: c.ops, detail, ms: Math.round(ms) };
    if (o.findingsDir && s.findings.length < MAX_SAVED) f.file = saveFinding(o.findingsDir, f, c.bytes);
    s.findings.push(f);
    o.log(`[fuzz] ${kind.toUpperCase()} case ${id} (${c.base} ${c.ops.join('+')}): ${detail.split('\n')[0].slice(0, 300)}${f.file ? ` → ${f.file}` : ''}`);
  };
  try {
    await Promise.all(
      slots.map(async (slot) => {
        while (next < jobs.length) {
          const job = jobs[next++];
          let c: FuzzCase;
          try {
            c = job.get();
          } catch (e) {
            // a bug of the fuzzer itself, not of the product: say so and go on
            s.generatorErrors++;
            o.log(`[fuzz] generator error in case ${job.id}: ${(e as Error).message}`);
            continue;
          }
          let out = await slot.run(c.bytes, job.id, c.format);
          if (out.type === 'hang') {
            // Confirm on a fresh worker: a parser stuck in a loop hangs again, a case that was
            // only starved of CPU (other processes on the machine) answers the second time.
            const again = await slot.run(c.bytes, job.id, c.format);
            if (again.type !== 'hang') {
              s.unconfirmedHangs++;
              const msg = `passed the ${o.timeLimitMs} ms limit once (${out.stage}), answered on retry in ${Math.round(again.ms)} ms`;
              o.log(`[fuzz] case ${job.id} (${c.base}) ${msg}`);
              if (again.type === 'result') again.notes.push(`slow: ${msg}`);
            }
            out = again;
          }
          s.cases++;
          s.formats[c.format] = (s.formats[c.format] ?? 0) + 1;
          if (out.type === 'hang') {
            s.hangs++;
            s.outcomes.hang = (s.outcomes.hang ?? 0) + 1;
            note(c, job.id, out.ms);
            record('hang', c, job.id, `no answer within ${o.timeLimitMs} ms (${out.stage})`, out.ms);
          } else if (out.type === 'died') {
            s.crashes++;
            s.outcomes.died = (s.outcomes.died ?? 0) + 1;
            note(c, job.id, out.ms);
            record('crash', c, job.id, out.detail, out.ms);
          } else {
            const key = out.code ?? out.level;
            s.outcomes[key] = (s.outcomes[key] ?? 0) + 1;
            note(c, job.id, out.ms);
            for (const [stage, ms] of Object.entries(out.timings ?? {})) {
              if (!(ms <= (s.stageMax[stage]?.ms ?? -1))) s.stageMax[stage] = { ms: Math.round(ms), case: job.id, base: c.base };
            }
            for (const n of out.notes) {
              const key = n.split(':')[0];
              const entry = (s.notes[key] ??= { count: 0, examples: [] });
              entry.count++;
              if (entry.examples.length < 3) {
                const ex: { case: number; base: string; detail: string; file?: string } = { case: job.id, base: c.base, detail: n };
                if (o.findingsDir) {
                  const f: Finding = { kind: 'note', seed: o.seed, case: job.id, base: c.base, format: c.format, ops: c.ops, detail: n, ms: Math.round(out.ms) };
                  ex.file = saveFinding(o.findingsDir, f, c.bytes);
                }
                entry.examples.push(ex);
              }
            }
            if (out.problems.length) {
              s.crashes++;
              record('crash', c, job.id, out.problems.join('; '), out.ms);
            }
          }
          const now = performance.now();
          if (now - lastLog > 2000) {
            lastLog = now;
            const rate = s.cases / ((now - t0) / 1000);
            o.log(`[fuzz] ${s.cases}/${jobs.length} cases, ${s.crashes} crashes, ${s.hangs} hangs, slowest ${s.slowestMs} ms, ${rate.toFixed(0)} cases/s`);
          }
        }
      }),
    );
  } finally {
    for (const slot of slots) slot.close();
  }
  s.wallMs = Math.round(performance.now() - t0);
  return s;
}

export type { Sample };
