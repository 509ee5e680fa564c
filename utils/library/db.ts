/**
 * The merchant's data in IndexedDB (through idb). This is the truth; the background's
 * in-memory index is rebuilt from the light `fingerprints` store when `revision` changes.
 *
 * Every write that touches more than one record runs in ONE transaction, so a failure
 * (quota, crash, closed tab) leaves the library as it was before that write.
 * Schema versions and their migrations live in `migrations.ts`.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Fingerprint } from '../hash/fingerprint';
import type { CheckResult, TicketInfo, VerdictLevel } from '../types';
import { DB_VERSION, migrate } from './migrations';

export const DB_NAME = 'refundlens';

export interface Library {
  id: string;
  name: string;
  createdAt: string;
}

export type ReferenceSource =
  | { kind: 'photo' }
  | { kind: 'video-frame'; video: string; timeMs: number; recordedAt?: string };

export interface ReferenceRecord {
  id: string;
  libraryId: string;
  name: string;
  /** SHA-256 of the original file as imported. */
  sha256: string;
  originalBytes: number;
  width: number;
  height: number;
  addedAt: string;
  source: ReferenceSource;
  /** Working copy, JPEG, longest side ≤ LIMITS.workingMaxSide: fingerprints are recomputed from it. */
  working: Uint8Array;
  thumb: Uint8Array;
  fp: Fingerprint;
}

export type FingerprintRecord = Pick<ReferenceRecord, 'id' | 'libraryId' | 'name' | 'fp'>;

export interface CheckRecord {
  id: string;
  checkedAt: string;
  level: VerdictLevel;
  buyer?: string;
  orderId?: string;
  ticket?: TicketInfo;
  result: CheckResult;
  /** Analysis-size JPEG of the buyer photo, for the report. */
  image?: Uint8Array;
  thumb?: Uint8Array;
  /** Error level analysis of the buyer photo as decoded from the original file (JPEG inputs). */
  ela?: { png: Uint8Array; mean: number; p99: number; gain: number; quality: number };
  /** True while the pictures (image, thumb, ela) are still being added after the verdict. */
  pending?: boolean;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface RefundLensDB extends DBSchema {
  libraries: { key: string; value: Library };
  references: { key: string; value: ReferenceRecord; indexes: { byLibrary: string; bySha: [string, string] } };
  fingerprints: { key: string; value: FingerprintRecord; indexes: { byLibrary: string } };
  checks: {
    key: string;
    value: CheckRecord;
    indexes: { byTime: string; byBuyer: string; byOrder: string; byLevel: string; byBuyerLevel: [string, string]; byBuyerOrderLevel: [string, string, string] };
  };
  meta: { key: string; value: MetaRecord };
}

export type DB = IDBPDatabase<RefundLensDB>;

let dbPromise: Promise<DB> | undefined;

export function openLibraryDb(name = DB_NAME): Promise<DB> {
  if (name !== DB_NAME) return openDB<RefundLensDB>(name, DB_VERSION, { upgrade: migrate });
  dbPromise ??= openDB<RefundLensDB>(name, DB_VERSION, {
    upgrade: migrate,
    blocking() {
      // A newer version (extension update in another context) wants the DB: let it go.
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

/** For tests: forget the cached connection. */
export async function closeLibraryDb(): Promise<void> {
  const p = dbPromise;
  dbPromise = undefined;
  if (p) (await p).close();
}

async function bumpRevision(tx: { objectStore(name: 'meta'): { get(k: string): Promise<MetaRecord | undefined>; put(v: MetaRecord): Promise<unknown> } }) {
  const meta = tx.objectStore('meta');
  const cur = (await meta.get('revision'))?.value;
  await meta.put({ key: 'revision', value: (typeof cur === 'number' ? cur : 0) + 1 });
}

export async function getRevision(db: DB): Promise<number> {
  const r = await db.get('meta', 'revision');
  return typeof r?.value === 'number' ? r.value : 0;
}

// ---- libraries -------------------------------------------------------------------------

export async function listLibraries(db: DB): Promise<(Library & { count: number })[]> {
  const libs = await db.getAll('libraries');
  const out = [];
  for (const l of libs) out.push({ ...l, count: await db.countFromIndex('fingerprints', 'byLibrary', l.id) });
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function createLibrary(db: DB, name: string): Promise<Library> {
  const lib: Library = { id: crypto.randomUUID(), name: cleanName(name), createdAt: new Date().toISOString() };
  const tx = db.transaction(['libraries', 'meta'], 'readwrite');
  await tx.objectStore('libraries').add(lib);
  await bumpRevision(tx);
  await tx.done;
  return lib;
}

/** The first library, created on demand so a new merchant can import straight away. */
export async function ensureDefaultLibrary(db: DB, name: string): Promise<Library> {
  const libs = await db.getAll('libraries');
  if (libs.length) return libs.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  return createLibrary(db, name);
}

export async function renameLibrary(db: DB, id: string, name: string): Promise<void> {
  const tx = db.transaction(['libraries', 'meta'], 'readwrite');
  const lib = await tx.objectStore('libraries').get(id);
  if (!lib) throw new Error('no such library');
  await tx.objectStore('libraries').put({ ...lib, name: cleanName(name) });
  await bumpRevision(tx);
  await tx.done;
}

export async function deleteLibrary(db: DB, id: string): Promise<void> {
  const tx = db.transaction(['libraries', 'references', 'fingerprints', 'meta'], 'readwrite');
  const keys = await tx.objectStore('fingerprints').index('byLibrary').getAllKeys(id);
  for (const k of keys) {
    await tx.objectStore('references').delete(k);
    await tx.objectStore('fingerprints').delete(k);
  }
  await tx.objectStore('libraries').delete(id);
  await bumpRevision(tx);
  await tx.done;
}

function cleanName(name: string): string {
  return name.replace(/[\u0000-\u001f]/g, '').trim().slice(0, 100) || 'Library';
}

// ---- references ------------------------------------------------------------------------

/**
 * Add one reference atomically (record + fingerprint + revision). Returns false when the
 * library already has a photo with the same SHA-256 (nothing is written then).
 */
export async function addReference(db: DB, rec: ReferenceRecord): Promise<boolean> {
  const tx = db.transaction(['references', 'fingerprints', 'libraries', 'meta'], 'readwrite');
  if (!(await tx.objectStore('libraries').get(rec.libraryId))) {
    tx.abort();
    await tx.done.catch(() => {});
    throw new Error('no such library');
  }
  const dup = await tx.objectStore('references').index('bySha').getKey([rec.libraryId, rec.sha256]);
  if (dup) {
    await tx.done;
    return false;
  }
  await tx.objectStore('references').add(rec);
  await tx.objectStore('fingerprints').add({ id: rec.id, libraryId: rec.libraryId, name: rec.name, fp: rec.fp });
  await bumpRevision(tx);
  await tx.done;
  return true;
}

export async function getReference(db: DB, id: string): Promise<ReferenceRecord | undefined> {
  return db.get('references', id);
}

export async function deleteReference(db: DB, id: string): Promise<void> {
  const tx = db.transaction(['references', 'fingerprints', 'meta'], 'readwrite');
  await tx.objectStore('references').delete(id);
  await tx.objectStore('fingerprints').delete(id);
  await bumpRevision(tx);
  await tx.done;
}

/** Light listing for the library page: everything but the working copy. */
export async function listReferences(db: DB, libraryId: string): Promise<Omit<ReferenceRecord, 'working' | 'fp'>[]> {
  const out: Omit<ReferenceRecord, 'working' | 'fp'>[] = [];
  let cursor = await db.transaction('references').store.index('byLibrary').openCursor(libraryId);
  while (cursor) {
    const { working: _w, fp: _f, ...rest } = cursor.value;
    out.push(rest);
    cursor = await cursor.continue();
  }
  return out.sort((a, b) => a.addedAt.localeCompare(b.addedAt));
}

export async function allFingerprints(db: DB): Promise<FingerprintRecord[]> {
  return db.getAll('fingerprints');
}

/**
 * All fingerprint records in key order, `chunk` at a time, each chunk its own short read (so a
 * large library loads without one long transaction or one array of everything).
 */
export async function* fingerprintChunks(db: DB, chunk = 2000): AsyncGenerator<FingerprintRecord[]> {
  let after: string | undefined;
  for (;;) {
    const recs = await db.getAll('fingerprints', after === undefined ? undefined : IDBKeyRange.lowerBound(after, true), chunk);
    if (!recs.length) return;
    yield recs;
    if (recs.length < chunk) return;
    after = recs[recs.length - 1].id;
  }
}

/** Fingerprint records by id, in one read transaction (undefined for ids no longer stored). */
export async function getFingerprints(db: DB, ids: string[]): Promise<(FingerprintRecord | undefined)[]> {
  const tx = db.transaction('fingerprints');
  const out = await Promise.all(ids.map((id) => tx.store.get(id)));
  await tx.done;
  return out;
}

/** Replace stored fingerprints (after a fingerprint version change), in one transaction. */
export async function updateFingerprints(db: DB, updates: { id: string; fp: Fingerprint }[]): Promise<void> {
  const tx = db.transaction(['references', 'fingerprints'], 'readwrite');
  for (const u of updates) {
    const ref = await tx.objectStore('references').get(u.id);
    const f = await tx.objectStore('fingerprints').get(u.id);
    if (!ref || !f) continue;
    await tx.objectStore('references').put({ ...ref, fp: u.fp });
    await tx.objectStore('fingerprints').put({ ...f, fp: u.fp });
  }
  await tx.done;
}

// ---- checks (history) ----------------------------------------------------------------------

export async function addCheck(db: DB, rec: CheckRecord): Promise<void> {
  await db.put('checks', rec);
}

/**
 * Add the pictures to a check recorded without them (see CheckRecord.pending), in one
 * transaction; a check deleted in between stays deleted.
 */
export async function completeCheck(db: DB, id: string, pictures: Pick<CheckRecord, 'image' | 'thumb' | 'ela'>): Promise<void> {
  const tx = db.transaction('checks', 'readwrite');
  const rec = await tx.store.get(id);
  if (rec) {
    const { pending: _p, ...rest } = rec;
    await tx.store.put({ ...rest, ...pictures });
  }
  await tx.done;
}

export async function getCheck(db: DB, id: string): Promise<CheckRecord | undefined> {
  return db.get('checks', id);
}

export async function deleteCheck(db: DB, id: string): Promise<void> {
  await db.delete('checks', id);
}

export interface CheckFilter {
  buyer?: string;
  orderId?: string;
  level?: VerdictLevel;
  from?: string;
  to?: string;
  text?: string;
  limit?: number;
}

/** Newest first. Without image bytes (the list stays light). */
export async function listChecks(db: DB, f: CheckFilter = {}): Promise<Omit<CheckRecord, 'image'>[]> {
  const out: Omit<CheckRecord, 'image'>[] = [];
  const limit = f.limit ?? 500;
  let cursor = await db.transaction('checks').store.index('byTime').openCursor(null, 'prev');
  const text = f.text?.toLowerCase();
  while (cursor && out.length < limit) {
    const c = cursor.value;
    const ok =
      (!f.buyer || c.buyer === f.buyer) &&
      (!f.orderId || c.orderId === f.orderId) &&
      (!f.level || c.level === f.level) &&
      (!f.from || c.checkedAt >= f.from) &&
      (!f.to || c.checkedAt <= f.to) &&
      (!text || [c.buyer, c.orderId, c.result.file?.sourceUrl, c.result.match?.referenceName].some((s) => s?.toLowerCase().includes(text)));
    if (ok) {
      const { image: _i, ...rest } = c;
      out.push(rest);
    }
    cursor = await cursor.continue();
  }
  return out;
}

/**
 * Checks of the same buyer on OTHER orders with a suspicious verdict (repeat-buyer flag).
 * Photos of the ticket being looked at do not count against the buyer twice.
 */
export async function suspiciousChecksOfBuyer(db: DB, buyer: string, except: { id?: string; orderId?: string } = {}): Promise<number> {
  return countOthers(await suspiciousKeysOfBuyer(db, buyer), except);
}

const SUSPICIOUS_LEVELS: VerdictLevel[] = ['derived', 'derived-edited', 'ai-labelled'];

/** Delete checks older than `days` days. Returns how many. */
export async function pruneChecks(db: DB, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86400_000).toISOString();
  const tx = db.transaction('checks', 'readwrite');
  let n = 0;
  let cursor = await tx.store.index('byTime').openCursor(IDBKeyRange.upperBound(before, true));
  while (cursor) {
    await cursor.delete();
    n++;
    cursor = await cursor.continue();
  }
  await tx.done;
  return n;
}

// ==== history & retention (added for issue 6: report, history, backup) =========================
// Additions only; the functions above keep their signatures.

/** Meta key of the history retention in days (absent or 0 = keep forever). */
export const RETENTION_KEY = 'retentionDays';

export async function getRetentionDays(db: DB): Promise<number | undefined> {
  const v = (await db.get('meta', RETENTION_KEY))?.value;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

export async function setRetentionDays(db: DB, days: number | undefined): Promise<void> {
  if (!days || days <= 0) await db.delete('meta', RETENTION_KEY);
  else await db.put('meta', { key: RETENTION_KEY, value: Math.round(days) });
}

/** Prune the history by the retention setting (no-op when none). Returns how many were deleted. */
export async function applyRetention(db: DB, now = new Date()): Promise<number> {
  const days = await getRetentionDays(db);
  return days ? pruneChecks(db, days, now) : 0;
}

/** Delete several checks in one transaction. */
export async function deleteChecks(db: DB, ids: string[]): Promise<void> {
  const tx = db.transaction('checks', 'readwrite');
  await Promise.all(ids.map((id) => tx.store.delete(id)));
  await tx.done;
}

export interface HistoryFilter {
  /** Substring of the buyer name/ID, case-insensitive. */
  buyer?: string;
  /** Substring of the order ID, case-insensitive. */
  order?: string;
  level?: VerdictLevel;
  /** ISO date or time; inclusive. A bare date "YYYY-MM-DD" for `to` includes that whole day (UTC). */
  from?: string;
  to?: string;
  /** Free text over buyer, order, URL, page and matched photo name. */
  text?: string;
  limit?: number;
}

export type HistoryRow = Omit<CheckRecord, 'image'>;

/** Newest first, filtered; without the analysis image (rows stay light). */
export async function searchChecks(db: DB, f: HistoryFilter = {}): Promise<HistoryRow[]> {
  const limit = f.limit ?? 500;
  const lc = (s?: string) => s?.trim().toLowerCase() || undefined;
  const buyer = lc(f.buyer), order = lc(f.order), text = lc(f.text);
  const to = f.to && /^\d{4}-\d{2}-\d{2}$/.test(f.to) ? f.to + 'T23:59:59.999Z' : f.to;
  const range = f.from || to
    ? f.from && to ? IDBKeyRange.bound(f.from, to) : f.from ? IDBKeyRange.lowerBound(f.from) : IDBKeyRange.upperBound(to!)
    : null;
  const out: HistoryRow[] = [];
  let cursor = await db.transaction('checks').store.index('byTime').openCursor(range, 'prev');
  while (cursor && out.length < limit) {
    const c = cursor.value;
    const ok =
      (!buyer || !!c.buyer?.toLowerCase().includes(buyer)) &&
      (!order || !!c.orderId?.toLowerCase().includes(order)) &&
      (!f.level || c.level === f.level) &&
      (!text || [c.buyer, c.orderId, c.result.file?.sourceUrl, c.result.file?.pageUrl, c.result.match?.referenceName]
        .some((s) => s?.toLowerCase().includes(text)));
    if (ok) {
      const { image: _i, ...rest } = c;
      out.push(rest);
    }
    cursor = await cursor.continue();
  }
  return out;
}

/**
 * Repeat-buyer counts for many rows at once (one index read per distinct buyer): for each row,
 * the suspicious checks of the same buyer on other orders, as `suspiciousChecksOfBuyer` counts.
 */
export async function repeatBuyerCounts(db: DB, rows: Pick<CheckRecord, 'id' | 'buyer' | 'orderId'>[]): Promise<Map<string, number>> {
  const byBuyer = new Map<string, SuspiciousKeys>();
  const out = new Map<string, number>();
  for (const r of rows) {
    if (!r.buyer) continue;
    let b = byBuyer.get(r.buyer);
    if (!b) byBuyer.set(r.buyer, (b = await suspiciousKeysOfBuyer(db, r.buyer)));
    const n = countOthers(b, r);
    if (n > 0) out.set(r.id, n);
  }
  return out;
}

/** Suspicious checks of a buyer other than `except.id` and not on `except.orderId`. */
function countOthers(b: SuspiciousKeys, except: { id?: string; orderId?: string }): number {
  let n = 0;
  for (const id of b.ids) if (id !== except.id && (!except.orderId || b.orderOf.get(id) !== except.orderId)) n++;
  return n;
}

interface SuspiciousKeys { ids: Set<string>; orderOf: Map<string, string> }

/**
 * Suspicious checks of one buyer and their order numbers, from index keys only (indexes of
 * schema v2): no record, no photo is read.
 */
async function suspiciousKeysOfBuyer(db: DB, buyer: string): Promise<SuspiciousKeys> {
  const tx = db.transaction('checks');
  const ids = new Set<string>();
  for (const level of SUSPICIOUS_LEVELS) {
    for (const k of await tx.store.index('byBuyerLevel').getAllKeys([buyer, level])) ids.add(k);
  }
  const orderOf = new Map<string, string>();
  let cur = await tx.store.index('byBuyerOrderLevel').openKeyCursor(IDBKeyRange.bound([buyer], [buyer, []]));
  while (cur) {
    const [, orderId, level] = cur.key as [string, string, VerdictLevel];
    if (SUSPICIOUS_LEVELS.includes(level)) orderOf.set(cur.primaryKey, orderId);
    cur = await cur.continue();
  }
  return { ids, orderOf };
}
