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
import { Inflate, Zip, ZipDeflate, ZipPassThrough, strFromU8, strToU8 } from 'fflate';
import { sha256Hex } from '../image/sha256';
import { DB_VERSION } from './migrations';
import { validateRule } from '../sites/rules';
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
/** Deepest nesting a restored value may have (records are a few levels deep). */
export const DECODE_MAX_DEPTH = 32;
/** Keys that would reach an object's prototype machinery instead of its data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function decodeValue(v: unknown, blob: (r: BinRef) => Uint8Array, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return v;
  check(depth < DECODE_MAX_DEPTH, 'nesting too deep');
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const d = decodeValue(v[i], blob, depth + 1);
      if (d !== HOLE) out[i] = d;
    }
    return out;
  }
  const o = v as Record<string, unknown>;
  if (own(o, '$rl')) {
    switch (o.$rl) {
      case 'undef': return undefined;
      case 'hole': return HOLE;
      case 'num': {
        check(o.v === '-0' || o.v === 'NaN' || o.v === 'Infinity' || o.v === '-Infinity', 'number');
        return o.v === '-0' ? -0 : Number(o.v);
      }
      case 'bigint': {
        check(isStr(o.v) && /^-?\d{1,40}$/.test(o.v), 'bigint');
        return BigInt(o.v);
      }
      case 'date': {
        check(isStr(o.v) && o.v.length <= 40, 'date');
        return new Date(o.v);
      }
      case 'obj': check(isObj(o.v), 'object'); return decodeObject(o.v, blob, depth + 1);
      case 'bin': {
        check(isStr(o.type) && isStr(o.ref) && typeof o.bytes === 'number' && isStr(o.sha256), 'blob ref');
        const r = o as unknown as BinRef;
        const C = r.type === 'ArrayBuffer' ? undefined : own(TYPED, r.type) ? TYPED[r.type] : null;
        if (C === null) throw new BackupError('bak_err_corrupt', { detail: `type ${r.type.slice(0, 40)}` });
        const bytes = blob(r);
        const copy = bytes.slice().buffer as ArrayBuffer;
        if (!C) return copy;
        check(copy.byteLength % ((C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT) === 0, `size of ${r.ref}`);
        return new C(copy);
      }
      default: throw new BackupError('bak_err_corrupt', { detail: `tag ${String(o.$rl).slice(0, 40)}` });
    }
  }
  return decodeObject(o, blob, depth);
}

function decodeObject(o: Record<string, unknown>, blob: (r: BinRef) => Uint8Array, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    // JSON.parse makes "__proto__" an own key; assigning it would replace the prototype.
    check(!FORBIDDEN_KEYS.has(k), `key ${k}`);
    out[k] = decodeValue(o[k], blob, depth + 1);
  }
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
  /** Validated settings to write (unknown keys dropped), or undefined when the file has none. */
  settings?: BackupSettings;
}

/** The storage.local keys a backup may carry, validated: `site:<host>` switches and the rules. */
export type BackupSettings = Record<string, unknown>;

/** Caps checked on the ZIP's own directory before anything is inflated. */
export const ZIP_LIMITS = {
  /** Entries in one file. */
  entries: 400_000,
  /** Uncompressed bytes of one entry (a photo is at most 50 MiB; a records batch far less). */
  entryBytes: 64 * 1024 * 1024,
  /** Uncompressed bytes of the whole file. */
  totalBytes: 4 * 1024 * 1024 * 1024,
  /** Deflated entries above 1 MiB may not claim to expand more than this (JSON does ~10×). */
  ratio: 200,
};
/** Caps on what the records may hold. */
export const RECORD_LIMITS = { records: 1_000_000, text: 2000, settingsBytes: 1024 * 1024, rules: 500 };

const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
const LEVELS = new Set(['derived', 'derived-edited', 'ai-labelled', 'edited', 'no-evidence', 'error']);

function check(cond: unknown, detail: string): asserts cond {
  if (!cond) throw new BackupError('bak_err_corrupt', { detail });
}

// ---- ZIP reading with caps before inflation ----------------------------------------------------

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const ENTRY_NAME = /^(manifest\.json|records\/(libraries|references|fingerprints|checks|meta)\/\d{1,9}\.json|blobs\/\d{1,9}\.bin)$/;

interface ZipEntry { name: string; method: number; csize: number; usize: number; data: number }

/** The central directory, every size and offset checked against the file and the caps. */
export function listZip(file: Uint8Array): Map<string, ZipEntry> {
  let e = file.length - 22;
  const stop = Math.max(0, file.length - 22 - 65535);
  while (e >= stop && u32(file, e) !== 0x06054b50) e--;
  if (e < stop || e < 0) throw new BackupError('bak_err_not_backup');
  const count = u16(file, e + 10);
  const cdOffset = u32(file, e + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new BackupError('bak_err_too_large', { detail: 'zip64' });
  if (count > ZIP_LIMITS.entries) throw new BackupError('bak_err_too_large', { detail: `${count} entries` });
  const out = new Map<string, ZipEntry>();
  let total = 0;
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + 46 > file.length || u32(file, o) !== 0x02014b50) throw new BackupError('bak_err_not_backup');
    const method = u16(file, o + 10);
    const csize = u32(file, o + 20);
    const usize = u32(file, o + 24);
    const nlen = u16(file, o + 28);
    const xlen = u16(file, o + 30);
    const clen = u16(file, o + 32);
    const local = u32(file, o + 42);
    if (o + 46 + nlen > file.length) throw new BackupError('bak_err_not_backup');
    const name = strFromU8(file.subarray(o + 46, o + 46 + nlen));
    o += 46 + nlen + xlen + clen;
    // Only our own entry names count; anything else is never inflated.
    if (!ENTRY_NAME.test(name)) continue;
    if (out.has(name)) throw new BackupError('bak_err_corrupt', { detail: `duplicate ${name}` });
    if (method !== 0 && method !== 8) throw new BackupError('bak_err_corrupt', { detail: `compression of ${name}` });
    if (usize > ZIP_LIMITS.entryBytes) throw new BackupError('bak_err_too_large', { detail: name });
    if (method === 0 && csize !== usize) throw new BackupError('bak_err_corrupt', { detail: `size of ${name}` });
    if (method === 8 && usize > 1024 * 1024 && usize > csize * ZIP_LIMITS.ratio) throw new BackupError('bak_err_too_large', { detail: name });
    total += usize;
    if (total > ZIP_LIMITS.totalBytes) throw new BackupError('bak_err_too_large', { detail: 'total' });
    if (local + 30 > file.length || u32(file, local) !== 0x04034b50) throw new BackupError('bak_err_not_backup');
    const data = local + 30 + u16(file, local + 26) + u16(file, local + 28);
    if (data + csize > file.length) throw new BackupError('bak_err_corrupt', { detail: `truncated ${name}` });
    out.set(name, { name, method, csize, usize, data });
  }
  return out;
}

/** One entry's bytes. Inflation stops as soon as the output passes the size the directory claims. */
export function readZipEntry(file: Uint8Array, e: ZipEntry): Uint8Array {
  const raw = file.subarray(e.data, e.data + e.csize);
  if (e.method === 0) return raw;
  const out = new Uint8Array(e.usize);
  let n = 0;
  const inf = new Inflate((chunk) => {
    if (n + chunk.length > e.usize) throw new BackupError('bak_err_too_large', { detail: e.name });
    out.set(chunk, n);
    n += chunk.length;
  });
  try {
    // Small input slices bound the work done before the size check runs (≤ 16 MiB per slice).
    const SLICE = 16 * 1024;
    for (let o = 0; o < raw.length || o === 0; o += SLICE) inf.push(raw.subarray(o, o + SLICE), o + SLICE >= raw.length);
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError('bak_err_corrupt', { detail: e.name });
  }
  if (n !== e.usize) throw new BackupError('bak_err_corrupt', { detail: `size of ${e.name}` });
  return out;
}

// ---- record schemas (own properties only) --------------------------------------------------------

type Rec = Record<string, unknown>;
const has = (r: Rec, k: string) => Object.prototype.hasOwnProperty.call(r, k);
const get = (r: Rec, k: string): unknown => (has(r, k) ? r[k] : undefined);
const text = (v: unknown, max = RECORD_LIMITS.text) => isStr(v) && v.length > 0 && v.length <= max;
const optText = (v: unknown, max = RECORD_LIMITS.text) => v === undefined || (isStr(v) && v.length <= max);
const isoTime = (v: unknown) => isStr(v) && v.length <= 40 && !Number.isNaN(Date.parse(v));
const count = (v: unknown, max = 1e9) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const side = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1_000_000;
const bytes = (v: unknown, min = 1) => v instanceof Uint8Array && v.length >= min && v.length <= ZIP_LIMITS.entryBytes;
const hex = (v: unknown, len: number) => isStr(v) && v.length === len && /^[0-9a-f]+$/i.test(v);

/** A fingerprint as utils/hash/fingerprint.ts writes it, checked field by field. */
export function validFingerprint(fp: unknown): boolean {
  if (!isObj(fp)) return false;
  const kp = get(fp, 'kp');
  const kpg = get(fp, 'kpg');
  const kpm = get(fp, 'kpm');
  const rot = get(fp, 'rot');
  const trim = get(fp, 'trim');
  const q = get(fp, 'quality');
  return (
    count(get(fp, 'v'), 1000) &&
    typeof q === 'number' && q >= 0 && q <= 1 &&
    hex(get(fp, 'global'), 64) && hex(get(fp, 'mirror'), 64) &&
    side(get(fp, 'width')) && side(get(fp, 'height')) &&
    Array.isArray(trim) && trim.length === 4 && trim.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    kp instanceof Uint32Array && kp.length % 4 === 0 && kp.length <= 4 * 4096 &&
    (kpg === undefined || (kpg instanceof Uint8Array && kpg.length === (kp.length / 4) * 2)) &&
    (kpm === undefined || (kpm instanceof Uint32Array && kpm.length === kp.length)) &&
    (rot === undefined || (Array.isArray(rot) && rot.length === 3 && rot.every((h) => hex(h, 64))))
  );
}

function validateRecord(store: StoreName, r: unknown, i: number): void {
  const at = `${store} #${i + 1}`;
  check(isObj(r), at);
  switch (store) {
    case 'libraries':
      check(text(get(r, 'id'), 200) && text(get(r, 'name')) && isoTime(get(r, 'createdAt')), at);
      break;
    case 'references': {
      check(text(get(r, 'id'), 200) && text(get(r, 'libraryId'), 200) && text(get(r, 'name')) && hex(get(r, 'sha256'), 64) && isoTime(get(r, 'addedAt')), at);
      check(bytes(get(r, 'working')) && bytes(get(r, 'thumb')), `${at}: image`);
      check(side(get(r, 'width')) && side(get(r, 'height')) && count(get(r, 'originalBytes')), `${at}: size`);
      const src = get(r, 'source');
      check(isObj(src) && (get(src, 'kind') === 'photo' || (get(src, 'kind') === 'video-frame' && text(get(src, 'video')) && count(get(src, 'timeMs')) && (get(src, 'recordedAt') === undefined || isoTime(get(src, 'recordedAt'))))), `${at}: source`);
      check(validFingerprint(get(r, 'fp')), `${at}: fingerprint`);
      break;
    }
    case 'fingerprints':
      check(text(get(r, 'id'), 200) && text(get(r, 'libraryId'), 200) && text(get(r, 'name')), at);
      check(validFingerprint(get(r, 'fp')), `${at}: fingerprint`);
      break;
    case 'checks': {
      check(text(get(r, 'id'), 200) && isoTime(get(r, 'checkedAt')) && LEVELS.has(get(r, 'level') as string), at);
      const res = get(r, 'result');
      check(isObj(res) && get(res, 'level') === get(r, 'level') && Array.isArray(get(res, 'reasons')), `${at}: result`);
      for (const k of ['image', 'thumb']) check(get(r, k) === undefined || bytes(get(r, k)), `${at}: image`);
      check(optText(get(r, 'buyer')) && optText(get(r, 'orderId')), `${at}: ticket`);
      check(get(r, 'pending') === undefined || typeof get(r, 'pending') === 'boolean', `${at}: pending`);
      const ela = get(r, 'ela');
      check(ela === undefined || (isObj(ela) && bytes(get(ela, 'png'))), `${at}: ela`);
      break;
    }
    case 'meta':
      check(text(get(r, 'key'), 200) && has(r, 'value'), at);
      if (get(r, 'key') === 'retentionDays') check(count(get(r, 'value'), 100_000), `${at}: retention`);
      break;
  }
}

/**
 * The settings of a backup (storage.local): only keys RefundLens writes are kept — `site:<host>`
 * → boolean, `rules` → rules that pass validateRule — anything else is dropped; a known key with
 * a bad value rejects the file.
 */
export function validateSettings(s: unknown): BackupSettings | undefined {
  if (s === undefined || s === null) return undefined;
  check(isObj(s), 'settings');
  check(strToU8(JSON.stringify(s) ?? '').length <= RECORD_LIMITS.settingsBytes, 'settings size');
  const out: BackupSettings = {};
  for (const k of Object.keys(s)) {
    check(!FORBIDDEN_KEYS.has(k), `settings key ${k}`);
    const v = s[k];
    if (k.startsWith('site:')) {
      check(/^site:[a-z0-9.-]{1,253}(:\d{1,5})?$/i.test(k) && typeof v === 'boolean', `settings ${k.slice(0, 80)}`);
      out[k] = v;
    } else if (k === 'rules') {
      check(Array.isArray(v) && v.length <= RECORD_LIMITS.rules, 'settings rules');
      out.rules = v.map((x) => {
        const c = validateRule(x);
        check(c.ok, 'settings rules');
        return c.rule;
      });
    }
  }
  return out;
}

/**
 * Parse and fully validate a backup file. Throws BackupError (nothing is written) when anything
 * is wrong: not a ZIP, not ours, newer format, too large or a zip bomb (sizes are checked on the
 * ZIP directory before anything is inflated), a missing or altered blob, a bad record or setting,
 * a reference to a library that is not in the file.
 */
export async function parseBackup(file: Uint8Array, onProgress?: (p: BackupProgress) => void): Promise<ParsedBackup> {
  let dir: Map<string, ZipEntry>;
  try {
    dir = listZip(file);
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError('bak_err_not_backup');
  }
  const entry = (name: string): Uint8Array | undefined => {
    const e = dir.get(name);
    return e ? readZipEntry(file, e) : undefined;
  };
  const mf = entry('manifest.json');
  if (!mf) throw new BackupError('bak_err_not_backup');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(strFromU8(mf));
  } catch {
    throw new BackupError('bak_err_not_backup');
  }
  if (!isObj(manifest) || get(manifest, 'format') !== BACKUP_FORMAT) throw new BackupError('bak_err_not_backup');
  const version = get(manifest, 'version');
  if (typeof version !== 'number' || version > BACKUP_VERSION) {
    throw new BackupError('bak_err_version', { version: String(version).slice(0, 20) });
  }
  check(isStr(get(manifest, 'createdAt')), 'manifest');
  const batches = get(manifest, 'batches');
  check(isObj(batches), 'manifest');
  const settings = validateSettings(get(manifest, 'settings'));

  const lists = STORES.map((s) => {
    const l = get(batches, s) ?? [];
    check(Array.isArray(l) && l.every(isStr), `batches of ${s}`);
    return l as string[];
  });
  const total = lists.reduce((n, l) => n + l.length, 0);
  let done = 0;
  let nRecords = 0;
  const pendingHashes: { r: BinRef; bytes: Uint8Array }[] = [];
  const usedBlobs = new Set<string>();
  const blob = (r: BinRef): Uint8Array => {
    check(/^blobs\/\d{1,9}\.bin$/.test(r.ref), 'blob ref');
    check(!usedBlobs.has(r.ref), `${r.ref} used twice`);
    usedBlobs.add(r.ref);
    const e = dir.get(r.ref);
    check(e, `missing ${r.ref}`);
    check(e.usize === r.bytes, `size of ${r.ref}`);
    const bytes = readZipEntry(file, e);
    pendingHashes.push({ r, bytes });
    return bytes;
  };
  const records = {} as ParsedBackup['records'];
  const seenBatch = new Set<string>();
  STORES.forEach((s, si) => {
    const out: unknown[] = [];
    for (const name of lists[si]) {
      check(name.startsWith(`records/${s}/`) && dir.has(name) && !seenBatch.has(name), `missing ${name.slice(0, 80)}`);
      seenBatch.add(name);
      let arr: unknown;
      try {
        arr = JSON.parse(strFromU8(entry(name)!));
      } catch {
        throw new BackupError('bak_err_corrupt', { detail: name });
      }
      check(Array.isArray(arr), name);
      nRecords += arr.length;
      if (nRecords > RECORD_LIMITS.records) throw new BackupError('bak_err_too_large', { detail: 'records' });
      for (const x of arr) out.push(decodeValue(x, blob));
      onProgress?.({ phase: 'read', done: ++done, total });
    }
    out.forEach((r, i) => validateRecord(s, r, i));
    (records as Record<string, unknown[]>)[s] = out;
  });
  for (let i = 0; i < pendingHashes.length; i++) {
    const { r, bytes } = pendingHashes[i];
    check((await sha256Hex(bytes)) === r.sha256, `checksum of ${r.ref}`);
    if (i % 50 === 0) onProgress?.({ phase: 'validate', done: i, total: pendingHashes.length });
  }
  // Unique keys and links between stores.
  const ids = (s: StoreName, key: 'id' | 'key') => {
    const set = new Set<string>();
    for (const r of records[s] as unknown as Record<string, string>[]) {
      check(!set.has(r[key]), `duplicate ${s} ${r[key].slice(0, 80)}`);
      set.add(r[key]);
    }
    return set;
  };
  const libs = ids('libraries', 'id');
  const refs = ids('references', 'id');
  const fps = ids('fingerprints', 'id');
  ids('checks', 'id');
  ids('meta', 'key');
  const refLib = new Map(records.references.map((r) => [r.id, r.libraryId]));
  for (const r of records.references) check(libs.has(r.libraryId), `reference ${r.id}: library`);
  for (const f of records.fingerprints) check(refs.has(f.id) && refLib.get(f.id) === f.libraryId, `fingerprint ${f.id}: reference`);
  for (const r of records.references) check(fps.has(r.id), `reference ${r.id}: fingerprint`);
  return { manifest, records, settings };
}

/** Where the extension keeps its settings (storage.local in the extension; a Map in tests). */
export interface SettingsStore {
  get(): Promise<Record<string, unknown>>;
  /** Replace the keys a backup carries (`site:*`, `rules`) with `next`. */
  replace(next: BackupSettings): Promise<void>;
}

/**
 * Replace the whole database with a parsed backup in ONE transaction. The revision counter is
 * moved past both the current and the backup's value, so every open page and the background
 * reload their index. On any error the transaction aborts and nothing changes.
 *
 * Settings (storage.local) cannot join an IndexedDB transaction, so they are written as part of
 * the same all-or-nothing step: the current ones are kept, the new ones written first (a failure
 * there stops before the database is touched), and put back if the database transaction aborts.
 */
export async function restoreBackup(db: DB, parsed: ParsedBackup, onProgress?: (p: BackupProgress) => void, settingsStore?: SettingsStore): Promise<void> {
  const total = STORES.reduce((n, s) => n + parsed.records[s].length, 0);
  onProgress?.({ phase: 'restore', done: 0, total });
  let previous: Record<string, unknown> | undefined;
  if (settingsStore && parsed.settings) {
    previous = await settingsStore.get();
    try {
      await settingsStore.replace(parsed.settings);
    } catch (e) {
      await settingsStore.replace(backupKeys(previous)).catch(() => {});
      throw e;
    }
  }
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
    if (settingsStore && previous) await settingsStore.replace(backupKeys(previous)).catch(() => {});
    if ((e as DOMException)?.name === 'QuotaExceededError') throw new BackupError('bak_err_quota');
    throw e;
  }
  onProgress?.({ phase: 'restore', done: total, total });
}

/** The keys of a settings object a backup carries (the rest of storage.local is left alone). */
export function backupKeys(s: Record<string, unknown>): BackupSettings {
  const out: BackupSettings = {};
  for (const k of Object.keys(s)) if (k.startsWith('site:') || k === 'rules') out[k] = s[k];
  return out;
}

/** Every record of every store, for tests and the round-trip check. */
export async function dumpAll(db: DB): Promise<{ [K in StoreName]: RefundLensDB[K]['value'][] }> {
  const tx = db.transaction([...STORES], 'readonly');
  const out = {} as { [K in StoreName]: RefundLensDB[K]['value'][] };
  for (const s of STORES) (out as Record<string, unknown[]>)[s] = await tx.objectStore(s).getAll();
  await tx.done;
  return out;
}
