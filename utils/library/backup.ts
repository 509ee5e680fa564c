/**
 * Backup and restore of everything RefundLens keeps: libraries, references (with working copies
 * and thumbnails), fingerprints, check history (with images and overlays), the meta store
 * (settings such as the history retention) and any extra settings the caller adds (the
 * extension's storage.local switches).
 *
 * File: a ZIP (fflate).
 *   records/<store>/<n>.json   batches of records; binary values are replaced by
 *                              {"$rl":"bin","type":"Uint8Array","ref":"blobs/<n>.bin","bytes":…,"sha256":…}
 *   blobs/<n>.bin              the bytes, stored (photos do not compress)
 *   manifest.json              written last: format, version, counts, batch list, settings
 * Values JSON cannot hold (typed arrays, undefined fields, NaN/±Infinity, Dates) are tagged with
 * "$rl" so a restore gives back exactly what IndexedDB held.
 *
 * Backup streams: records are read from IndexedDB in batches, and the ZIP is handed out in chunks
 * (`sink`), so a large library never sits in memory twice. Restore is all-or-nothing: the whole
 * file is parsed and validated first (every record's shape, every blob's size and SHA-256, links
 * between stores), then written in ONE transaction that clears and refills every store; any error
 * aborts it and the database stays as it was.
 */
import { Zip, ZipDeflate, ZipPassThrough, strFromU8, strToU8, unzipSync } from 'fflate';
import { sha256Hex } from '../image/sha256';
import { DB_VERSION } from './migrations';
import type { DB, RefundLensDB } from './db';

export const BACKUP_FORMAT = 'refundlens-backup';
export const BACKUP_VERSION = 1;
export const STORES = ['libraries', 'references', 'fingerprints', 'checks', 'meta'] as const;
export type StoreName = (typeof STORES)[number];

/** Meta keys that are counters of this database, not data: never copied over by a restore. */
const VOLATILE_META = new Set(['revision']);

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  dbVersion: number;
  createdAt: string;
  app?: string;
  counts: Record<StoreName, number>;
  batches: Record<StoreName, string[]>;
  blobs: number;
  settings?: unknown;
}

export interface BackupProgress {
  phase: 'write' | 'read' | 'validate' | 'restore';
  done: number;
  total: number;
}

/** A validation failure: `code` is a message key, `params` fill it. */
export class BackupError extends Error {
  constructor(public code: string, public params: Record<string, string | number> = {}) {
    super(`${code} ${JSON.stringify(params)}`);
  }
}

// ---- value tagging -----------------------------------------------------------------------------

type Typed =
  | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

const TYPED: Record<string, new (b: ArrayBuffer) => Typed> = {
  Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

interface BinRef { $rl: 'bin'; type: string; ref: string; bytes: number; sha256: string }

/** Replace values JSON cannot carry; binary payloads go to `putBlob`. */
async function encodeValue(v: unknown, putBlob: (bytes: Uint8Array) => Promise<{ ref: string; sha256: string }>): Promise<unknown> {
  if (v === undefined) return { $rl: 'undef' };
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? { $rl: 'num', v: '-0' } : v) : { $rl: 'num', v: String(v) };
  if (typeof v === 'bigint') return { $rl: 'bigint', v: v.toString() };
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const type = v.constructor.name;
    if (!TYPED[type]) throw new BackupError('bak_err_corrupt', { detail: `unsupported ${type}` });
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const { ref, sha256 } = await putBlob(bytes);
    return { $rl: 'bin', type, ref, bytes: bytes.length, sha256 } satisfies BinRef;
  }
  if (v instanceof ArrayBuffer) {
    const { ref, sha256 } = await putBlob(new Uint8Array(v));
    return { $rl: 'bin', type: 'ArrayBuffer', ref, bytes: v.byteLength, sha256 } satisfies BinRef;
  }
  if (v instanceof Date) return { $rl: 'date', v: v.toISOString() };
  if (Array.isArray(v)) {
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(i in v ? await encodeValue(v[i], putBlob) : { $rl: 'hole' });
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = await encodeValue(x, putBlob);
  return '$rl' in out ? { $rl: 'obj', v: out } : out;
}

const HOLE = Symbol('hole');

function decodeValue(v: unknown, blob: (r: BinRef) => Uint8Array): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    v.forEach((x, i) => {
      const d = decodeValue(x, blob);
      if (d !== HOLE) out[i] = d;
    });
    return out;
  }
  const o = v as Record<string, unknown>;
  if ('$rl' in o) {
    switch (o.$rl) {
      case 'undef': return undefined;
      case 'hole': return HOLE;
      case 'num': return o.v === '-0' ? -0 : Number(o.v);
      case 'bigint': return BigInt(String(o.v));
      case 'date': return new Date(String(o.v));
      case 'obj': return decodeObject(o.v as Record<string, unknown>, blob);
      case 'bin': {
        const r = o as unknown as BinRef;
        const bytes = blob(r);
        const copy = bytes.slice().buffer as ArrayBuffer;
        if (r.type === 'ArrayBuffer') return copy;
        const C = TYPED[r.type];
        if (!C) throw new BackupError('bak_err_corrupt', { detail: `type ${r.type}` });
        return new C(copy);
      }
      default: throw new BackupError('bak_err_corrupt', { detail: `tag ${String(o.$rl)}` });
    }
  }
  return decodeObject(o, blob);
}

function decodeObject(o: Record<string, unknown>, blob: (r: BinRef) => Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decodeValue(x, blob);
  return out;
}

// ---- backup ------------------------------------------------------------------------------------

export interface BackupOptions {
  /** Extra settings to carry (JSON-safe), e.g. storage.local. */
  settings?: unknown;
  app?: string;
  /** Time stamped into the manifest and on every ZIP entry (default: now). */
  now?: Date;
  /** Records per batch read from IndexedDB (default 50). */
  batchSize?: number;
  onProgress?: (p: BackupProgress) => void;
  /** Receives the ZIP in order, chunk by chunk; awaited (back-pressure). */
  sink: (chunk: Uint8Array) => void | Promise<void>;
}

/** Write a backup of every store through `sink`. Returns the manifest. */
export async function createBackup(db: DB, opts: BackupOptions): Promise<BackupManifest> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 50;
  let pending: Uint8Array[] = [];
  let failed: Error | undefined;
  const zip = new Zip((err, data) => {
    if (err) failed = err;
    else if (data.length) pending.push(data);
  });
  const flush = async () => {
    if (failed) throw failed;
    const out = pending;
    pending = [];
    for (const c of out) await opts.sink(c);
  };
  const addFile = (name: string, bytes: Uint8Array, deflate: boolean) => {
    const f = deflate ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    f.mtime = now;
    zip.add(f);
    f.push(bytes, true);
  };

  const counts = {} as Record<StoreName, number>;
  const batches = {} as Record<StoreName, string[]>;
  {
    const tx = db.transaction([...STORES], 'readonly');
    for (const s of STORES) counts[s] = await tx.objectStore(s).count();
    await tx.done;
  }
  const total = STORES.reduce((n, s) => n + counts[s], 0);
  const written = Object.fromEntries(STORES.map((s) => [s, 0])) as Record<StoreName, number>;
  let done = 0;
  let blobN = 0;
  opts.onProgress?.({ phase: 'write', done, total });
  const putBlob = async (bytes: Uint8Array) => {
    const ref = `blobs/${++blobN}.bin`;
    const sha256 = await sha256Hex(bytes);
    addFile(ref, bytes, false);
    return { ref, sha256 };
  };

  for (const s of STORES) {
    batches[s] = [];
    let after: IDBValidKey | undefined;
    for (;;) {
      const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
      const tx = db.transaction(s, 'readonly');
      const [values, keys] = await Promise.all([tx.store.getAll(range, batchSize), tx.store.getAllKeys(range, batchSize)]);
      await tx.done;
      if (!values.length) break;
      after = keys[keys.length - 1];
      const encoded = [];
      for (const v of values) encoded.push(await encodeValue(v, putBlob));
      const name = `records/${s}/${String(batches[s].length + 1).padStart(5, '0')}.json`;
      addFile(name, strToU8(JSON.stringify(encoded)), true);
      batches[s].push(name);
      done += values.length;
      written[s] += values.length;
      await flush();
      opts.onProgress?.({ phase: 'write', done, total });
      if (values.length < batchSize) break;
    }
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    dbVersion: DB_VERSION,
    createdAt: now.toISOString(),
    app: opts.app,
    // Counts as actually written (the library may change while a long backup runs).
    counts: written,
    batches,
    blobs: blobN,
    settings: opts.settings,
  };
  addFile('manifest.json', strToU8(JSON.stringify(manifest, null, 1)), true);
  zip.end();
  await flush();
  return manifest;
}

// ---- restore -----------------------------------------------------------------------------------

export interface ParsedBackup {
  manifest: BackupManifest;
  records: { [K in StoreName]: RefundLensDB[K]['value'][] };
  settings?: unknown;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const LEVELS = new Set(['derived', 'derived-edited', 'ai-labelled', 'edited', 'no-evidence', 'error']);

function check(cond: unknown, detail: string): asserts cond {
  if (!cond) throw new BackupError('bak_err_corrupt', { detail });
}

function validateRecord(store: StoreName, r: unknown, i: number): void {
  const at = `${store} #${i + 1}`;
  check(isObj(r), at);
  switch (store) {
    case 'libraries':
      check(isStr(r.id) && isStr(r.name) && isStr(r.createdAt), at);
      break;
    case 'references':
      check(isStr(r.id) && isStr(r.libraryId) && isStr(r.name) && isStr(r.sha256) && isStr(r.addedAt), at);
      check(r.working instanceof Uint8Array && r.working.length > 0 && r.thumb instanceof Uint8Array, `${at}: image`);
      check(typeof r.width === 'number' && typeof r.height === 'number' && typeof r.originalBytes === 'number', `${at}: size`);
      check(isObj(r.source) && (r.source.kind === 'photo' || r.source.kind === 'video-frame'), `${at}: source`);
      check(isObj(r.fp), `${at}: fingerprint`);
      break;
    case 'fingerprints':
      check(isStr(r.id) && isStr(r.libraryId) && isStr(r.name) && isObj(r.fp), at);
      break;
    case 'checks':
      check(isStr(r.id) && isStr(r.checkedAt) && LEVELS.has(r.level as string) && isObj(r.result), at);
      check(r.image === undefined || r.image instanceof Uint8Array, `${at}: image`);
      break;
    case 'meta':
      check(isStr(r.key), at);
      break;
  }
}

/**
 * Parse and fully validate a backup file. Throws BackupError (nothing is written) when anything
 * is wrong: not a ZIP, not ours, newer format, a missing or altered blob, a bad record, a
 * reference to a library that is not in the file.
 */
export async function parseBackup(file: Uint8Array, onProgress?: (p: BackupProgress) => void): Promise<ParsedBackup> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(file);
  } catch {
    throw new BackupError('bak_err_not_backup');
  }
  const mf = entries['manifest.json'];
  if (!mf) throw new BackupError('bak_err_not_backup');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(strFromU8(mf));
  } catch {
    throw new BackupError('bak_err_not_backup');
  }
  if (!isObj(manifest) || manifest.format !== BACKUP_FORMAT) throw new BackupError('bak_err_not_backup');
  if (typeof manifest.version !== 'number' || manifest.version > BACKUP_VERSION) {
    throw new BackupError('bak_err_version', { version: String(manifest.version) });
  }
  check(isObj(manifest.batches), 'manifest');

  const total = STORES.reduce((n, s) => n + (Array.isArray(manifest.batches[s]) ? manifest.batches[s].length : 0), 0);
  let done = 0;
  const pendingHashes: { r: BinRef; bytes: Uint8Array }[] = [];
  const blob = (r: BinRef): Uint8Array => {
    check(isStr(r.ref) && r.ref.startsWith('blobs/'), 'blob ref');
    const bytes = entries[r.ref];
    check(bytes, `missing ${r.ref}`);
    check(bytes.length === r.bytes, `size of ${r.ref}`);
    pendingHashes.push({ r, bytes });
    return bytes;
  };
  const records = {} as ParsedBackup['records'];
  for (const s of STORES) {
    const list = manifest.batches[s] ?? [];
    check(Array.isArray(list), `batches of ${s}`);
    const out: unknown[] = [];
    for (const name of list) {
      check(isStr(name) && name.startsWith(`records/${s}/`) && entries[name], `missing ${String(name)}`);
      let arr: unknown;
      try {
        arr = JSON.parse(strFromU8(entries[name]));
      } catch {
        throw new BackupError('bak_err_corrupt', { detail: name });
      }
      check(Array.isArray(arr), name);
      for (const x of arr) out.push(decodeValue(x, blob));
      onProgress?.({ phase: 'read', done: ++done, total });
    }
    out.forEach((r, i) => validateRecord(s, r, i));
    (records as Record<string, unknown[]>)[s] = out;
  }
  for (let i = 0; i < pendingHashes.length; i++) {
    const { r, bytes } = pendingHashes[i];
    check((await sha256Hex(bytes)) === r.sha256, `checksum of ${r.ref}`);
    if (i % 50 === 0) onProgress?.({ phase: 'validate', done: i, total: pendingHashes.length });
  }
  // Unique keys and links between stores.
  const ids = (s: StoreName, key: 'id' | 'key') => {
    const set = new Set<string>();
    for (const r of records[s] as unknown as Record<string, string>[]) {
      check(!set.has(r[key]), `duplicate ${s} ${r[key]}`);
      set.add(r[key]);
    }
    return set;
  };
  const libs = ids('libraries', 'id');
  const refs = ids('references', 'id');
  const fps = ids('fingerprints', 'id');
  ids('checks', 'id');
  ids('meta', 'key');
  for (const r of records.references) check(libs.has(r.libraryId), `reference ${r.id}: library`);
  for (const f of records.fingerprints) check(refs.has(f.id), `fingerprint ${f.id}: reference`);
  for (const r of records.references) check(fps.has(r.id), `reference ${r.id}: fingerprint`);
  return { manifest, records, settings: manifest.settings };
}

/**
 * Replace the whole database with a parsed backup in ONE transaction. The revision counter is
 * moved past both the current and the backup's value, so every open page and the background
 * reload their index. On any error the transaction aborts and nothing changes.
 */
export async function restoreBackup(db: DB, parsed: ParsedBackup, onProgress?: (p: BackupProgress) => void): Promise<void> {
  const total = STORES.reduce((n, s) => n + parsed.records[s].length, 0);
  onProgress?.({ phase: 'restore', done: 0, total });
  const tx = db.transaction([...STORES], 'readwrite');
  try {
    const curRev = (await tx.objectStore('meta').get('revision'))?.value;
    const backupRev = parsed.records.meta.find((m) => m.key === 'revision')?.value;
    const rev = Math.max(typeof curRev === 'number' ? curRev : 0, typeof backupRev === 'number' ? backupRev : 0) + 1;
    // After the first failure the other requests reject with AbortError: observe each one.
    const puts: Promise<unknown>[] = [];
    const track = (p: Promise<unknown>) => {
      p.catch(() => {});
      puts.push(p);
    };
    for (const s of STORES) track(tx.objectStore(s).clear());
    for (const s of STORES) {
      const store = tx.objectStore(s);
      for (const r of parsed.records[s]) {
        if (s === 'meta' && VOLATILE_META.has((r as { key: string }).key)) continue;
        track((store.put as (v: unknown) => Promise<unknown>)(r));
      }
    }
    track(tx.objectStore('meta').put({ key: 'revision', value: rev }));
    await Promise.all(puts);
    await tx.done;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      /* already finished */
    }
    await tx.done.catch(() => {});
    if ((e as DOMException)?.name === 'QuotaExceededError') throw new BackupError('bak_err_quota');
    throw e;
  }
  onProgress?.({ phase: 'restore', done: total, total });
}

/** Every record of every store, for tests and the round-trip check. */
export async function dumpAll(db: DB): Promise<{ [K in StoreName]: RefundLensDB[K]['value'][] }> {
  const tx = db.transaction([...STORES], 'readonly');
  const out = {} as { [K in StoreName]: RefundLensDB[K]['value'][] };
  for (const s of STORES) (out as Record<string, unknown[]>)[s] = await tx.objectStore(s).getAll();
  await tx.done;
  return out;
}
