/**
 * Fuzz worker (a child process): builds a small reference library once, then runs the
 * extension's check path (runCheck + decodeInNode) on every input the parent sends.
 * The parent owns the clock: a case that does not answer in time gets this process killed.
 */
import { runCheck } from '../../utils/check';
import { validateInNode } from '../../utils/metadata/c2pa-node';
import { admitBytes } from '../../utils/image/acquire';
import { decodeInNode } from '../../utils/image/decode-node';
import { ReferenceIndex } from '../../utils/hash/index';
import { computeFingerprint } from '../../utils/hash/fingerprint';
import type { RGBAImage } from '../../utils/types';
import type { Decoder } from '../../utils/image/decode';
import { REFERENCE_SEEDS, referenceJpeg } from '../fixtures/formats';
import { problemsOf } from './oracle';
import { diagnose, SWALLOWED } from './diagnose';
import { BackupError, parseBackup, STORES, validFingerprint } from '../../utils/library/backup';

const BACKUP_CODES = new Set(['bak_err_not_backup', 'bak_err_version', 'bak_err_corrupt', 'bak_err_quota', 'bak_err_too_large']);

export type ToWorker = { type: 'case'; id: number; bytes: Uint8Array; format?: string };
export type FromWorker =
  | { type: 'ready' }
  | {
      type: 'result';
      id: number;
      ms: number;
      level: string;
      code?: string;
      problems: string[];
      /** Not failures of the contract, but worth a look by the owners (see diagnose.ts). */
      notes: string[];
      timings?: Record<string, number>;
    }
  | { type: 'fatal'; message: string }
  /** Sent every 500 ms while a case runs: which stage it is in (a blocked JS thread sends none). */
  | { type: 'beat'; id: number; stage: string; ms: number };

const send = (m: FromWorker) => process.send?.(m);

async function buildDeps() {
  const index = new ReferenceIndex();
  const pixels = new Map<string, RGBAImage>();
  for (const seed of REFERENCE_SEEDS) {
    const bytes = await referenceJpeg(seed);
    const d = await decodeInNode(bytes, 'jpeg', 1024);
    const name = `ref-${seed}.jpg`;
    pixels.set(name, d.image);
    index.add({ id: name, name, libraryId: 'fuzz', fp: computeFingerprint(d.image) });
  }
  // warm up lazily initialised code (sharp, exifr, parsers) so the first case is not the slowest
  const warm = await referenceJpeg(REFERENCE_SEEDS[0]);
  const deps0 = { index, loadReference: async (id: string) => pixels.get(id), decode: decodeInNode };
  await runCheck({ bytes: warm }, deps0);
  let n = 0;
  return {
    index,
    loadReference: async (id: string) => pixels.get(id),
    decode: (async (bytes, format, maxSide) => {
      stage = 'decode';
      // every buffer given to a decoder must have passed the caps (the browser decoder has none)
      try {
        admitBytes(bytes);
      } catch (e) {
        caseNotes.push(`unchecked decode: the decoder was given bytes that admitBytes refuses (${(e as { code?: string }).code ?? e})`);
      }
      try {
        return await decodeInNode(bytes, format, maxSide);
      } finally {
        stage = 'match/verdict';
      }
    }) as Decoder,
    // the official C2PA reader in-process, as eval runs it (the extension runs it in a worker)
    validateC2pa: validateInNode,
    newId: () => `case-${n++}`,
    now: () => new Date(0),
  };
}

let currentId = -1;
let stage = 'idle';
let caseNotes: string[] = [];
const fatal = (what: string) => (e: unknown) => {
  send({ type: 'fatal', message: `${what} in case ${currentId}: ${String((e as Error)?.stack ?? e).slice(0, 1000)}` });
  setTimeout(() => process.exit(70), 50);
};
process.on('uncaughtException', fatal('uncaught exception'));
process.on('unhandledRejection', fatal('unhandled rejection'));
process.on('disconnect', () => process.exit(0));

const deps = await buildDeps();
process.on('message', async (m: ToWorker) => {
  if (m?.type !== 'case') return;
  currentId = m.id;
  stage = 'admit/metadata';
  const t0 = performance.now();
  const beat = setInterval(() => send({ type: 'beat', id: m.id, stage, ms: performance.now() - t0 }), 500);
  let problems: string[];
  const notes: string[] = (caseNotes = []);
  let level = '';
  let code: string | undefined;
  let timings: Record<string, number> | undefined;
  if (m.format === 'backup') {
    // A backup file: parseBackup must refuse anything wrong with a BackupError (a translated
    // reason), and what it accepts must pass the record schemas again.
    stage = 'backup';
    try {
      const parsed = await parseBackup(m.bytes);
      level = 'backup-accepted';
      problems = [];
      for (const r of parsed.records.references) if (!(r.working instanceof Uint8Array) || !validFingerprint(r.fp)) problems.push(`accepted a reference without image or fingerprint: ${r.id}`);
      for (const s of STORES) for (const r of parsed.records[s] as object[]) if (Object.getPrototypeOf(r) !== Object.prototype) problems.push(`accepted a ${s} record with a foreign prototype`);
    } catch (e) {
      if (e instanceof BackupError) {
        level = 'backup-refused';
        code = e.code;
        problems = BACKUP_CODES.has(e.code) ? [] : [`backup refused with an unknown reason ${e.code}`];
      } else problems = [`parseBackup threw ${String((e as Error)?.stack ?? e).slice(0, 500)}`];
    }
    clearInterval(beat);
    stage = 'idle';
    send({ type: 'result', id: m.id, ms: performance.now() - t0, level, code, problems, notes, timings });
    return;
  }
  try {
    const res = await runCheck({ bytes: m.bytes }, deps);
    level = res?.level;
    code = res?.error?.code;
    timings = res?.timings;
    problems = problemsOf(res);
    const swallowed = (res?.metadata?.warnings ?? []).filter((w) => SWALLOWED.has(w));
    if (swallowed.length) {
      const why = await diagnose(m.bytes, res.file?.format ?? 'unknown');
      for (const w of swallowed) notes.push(`swallowed ${w}: ${why.join(' | ') || 'not reproduced outside readMetadata'}`);
    }
    const size = JSON.stringify(res, (_k, v) => (v instanceof Uint8Array || v instanceof Uint8ClampedArray ? v.length : v)).length;
    if (size > 512 * 1024) notes.push(`big result: ${Math.round(size / 1024)} kB of JSON (stored with every check)`);
    for (const sig of res?.metadata?.signals ?? []) {
      if (!/^[A-Za-z0-9_]+$/.test(sig.code) || !(sig.weight >= -1 && sig.weight <= 1)) notes.push(`bad signal ${JSON.stringify(sig.code)} weight ${sig.weight}`);
    }
  } catch (e) {
    problems = [`runCheck threw: ${String((e as Error)?.stack ?? e).slice(0, 500)}`];
  }
  clearInterval(beat);
  stage = 'idle';
  const ms = performance.now() - t0;
  send({ type: 'result', id: m.id, ms, level, code, problems, notes, timings });
});
send({ type: 'ready' });
