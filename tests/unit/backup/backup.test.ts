import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { unzipSync, zipSync, strToU8, strFromU8 } from 'fflate';
import { CheckService } from '../../../utils/service';
import {
  addReference, closeLibraryDb, createLibrary, openLibraryDb, setRetentionDays, getRevision, type DB,
} from '../../../utils/library/db';
import { prepareReference } from '../../../utils/library/prepare';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import {
  BackupError, createBackup, dumpAll, parseBackup, restoreBackup, STORES, type BackupProgress,
} from '../../../utils/library/backup';
import { paintCrack, productJpeg } from '../../fixtures/images';

const platform = { decode: decodeInNode, encode: encodeInNode };

beforeEach(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
});

/** Two libraries, photos and a video frame, checks with images and overlays, settings, odd values. */
async function populate(): Promise<DB> {
  const db = await openLibraryDb();
  const a = await createLibrary(db, '店铺 A');
  const b = await createLibrary(db, 'Shop B');
  for (const [seed, lib, name] of [[31, a, 'mug.jpg'], [32, a, '杯子 2.jpg'], [33, b, 'lamp.jpg']] as const) {
    await addReference(db, await prepareReference(await productJpeg(seed, 480, 360), name, lib.id, platform));
  }
  await addReference(db, await prepareReference(await productJpeg(34, 480, 360), 'pack.webm @ 00:12', b.id, platform, {
    kind: 'video-frame', video: 'pack.webm', timeMs: 12_000, recordedAt: '2026-11-20T01:00:00.000Z',
  }));
  const svc = new CheckService({ db: () => openLibraryDb(), ...platform });
  await svc.check(await paintCrack(await productJpeg(31, 480, 360)), { sourceUrl: 'http://x/1.jpg', ticket: { buyer: '小王', orderId: 'A1' } });
  await svc.check(await productJpeg(99, 300, 200), { sourceUrl: 'http://x/2.jpg', ticket: { buyer: 'li', orderId: 'B2' } });
  await svc.fail({ code: 'err_http_status', params: { status: 404 } }, { sourceUrl: 'http://x/3.jpg' });
  await svc.idle();
  await setRetentionDays(db, 90);
  await db.put('meta', {
    key: 'odd',
    value: { nan: NaN, inf: -Infinity, negZero: -0, undef: undefined, f32: new Float32Array([1.5, -2]), u16: new Uint16Array([1, 65535]), date: new Date('2026-01-02T03:04:05Z'), $rl: 'user data', nested: [1, undefined, { deep: new Uint8Array([9]) }] },
  });
  return db;
}

async function backupBytes(db: DB, batchSize = 2, progress?: BackupProgress[]): Promise<{ bytes: Uint8Array; chunks: number }> {
  const chunks: Uint8Array[] = [];
  await createBackup(db, {
    now: new Date('2026-11-25T00:00:00Z'),
    batchSize,
    settings: { 'site:shop.example': false },
    sink: (c) => void chunks.push(c),
    onProgress: (p) => progress?.push(p),
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { bytes.set(c, o); o += c.length; }
  return { bytes, chunks: chunks.length };
}

const withoutRevision = (d: Awaited<ReturnType<typeof dumpAll>>) => ({ ...d, meta: d.meta.filter((m) => m.key !== 'revision') });

async function wipe(db: DB) {
  const tx = db.transaction([...STORES], 'readwrite');
  await Promise.all(STORES.map((s) => tx.objectStore(s).clear()));
  await tx.done;
}

describe('backup → wipe → restore', () => {
  it('round-trips every store, byte for byte and field for field', async () => {
    const db = await populate();
    const before = await dumpAll(db);
    expect(before.references.length).toBe(4);
    expect(before.checks.length).toBe(3);
    expect(before.checks.some((c) => c.result.localisation?.overlayPng instanceof Uint8Array)).toBe(true);
    const revBefore = await getRevision(db);
    const progress: BackupProgress[] = [];
    const { bytes, chunks } = await backupBytes(db, 2, progress);
    expect(chunks).toBeGreaterThan(5); // streamed, not one buffer
    expect(progress.at(-1)).toMatchObject({ phase: 'write', done: progress.at(-1)!.total });

    await wipe(db);
    expect((await dumpAll(db)).references.length).toBe(0);
    const parsed = await parseBackup(bytes);
    expect(parsed.settings).toEqual({ 'site:shop.example': false });
    expect(parsed.manifest.counts).toMatchObject({ libraries: 2, references: 4, fingerprints: 4, checks: 3 });
    await restoreBackup(db, parsed);
    const after = await dumpAll(db);
    expect(withoutRevision(after)).toStrictEqual(withoutRevision(before));
    // Typed arrays keep their type and bytes.
    const odd = after.meta.find((m) => m.key === 'odd')!.value as Record<string, unknown>;
    expect(odd.f32).toBeInstanceOf(Float32Array);
    expect(Object.is(odd.negZero, -0)).toBe(true);
    expect('undef' in odd).toBe(true);
    expect(after.references[0].working).toBeInstanceOf(Uint8Array);
    expect(after.references[0].fp.kp).toBeInstanceOf(Uint32Array);
    // The index is told to reload.
    expect(await getRevision(db)).toBeGreaterThan(revBefore);
  });

  it('is reproducible: same database, same time → same file', async () => {
    const db = await populate();
    const a = await backupBytes(db, 3);
    const b = await backupBytes(db, 3);
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes))).toBe(0);
  });

  it('a restored library still matches buyer photos (fingerprints and working copies intact)', async () => {
    const db = await populate();
    const { bytes } = await backupBytes(db);
    await closeLibraryDb();
    globalThis.indexedDB = new IDBFactory();
    const fresh = await openLibraryDb();
    await restoreBackup(fresh, await parseBackup(bytes));
    const svc = new CheckService({ db: () => openLibraryDb(), ...platform });
    const r = await svc.check(await productJpeg(33, 480, 360, 70), {});
    expect(r.match?.referenceName).toBe('lamp.jpg');
  });
});

describe('restore is all-or-nothing', () => {
  async function setup() {
    const db = await populate();
    const { bytes } = await backupBytes(db);
    // Change the live database after the backup so "unchanged" is observable.
    await createLibrary(db, 'after backup');
    return { db, bytes, live: await dumpAll(db) };
  }
  const rezip = (bytes: Uint8Array, edit: (e: Record<string, Uint8Array>) => void) => {
    const e = unzipSync(bytes);
    edit(e);
    return zipSync(e);
  };

  it('rejects a file that is not a backup, or from a newer version', async () => {
    const { db, bytes, live } = await setup();
    await expect(parseBackup(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'bak_err_not_backup' });
    await expect(parseBackup(zipSync({ 'a.txt': strToU8('hi') }))).rejects.toMatchObject({ code: 'bak_err_not_backup' });
    const newer = rezip(bytes, (e) => {
      const m = JSON.parse(strFromU8(e['manifest.json']));
      m.version = 99;
      e['manifest.json'] = strToU8(JSON.stringify(m));
    });
    await expect(parseBackup(newer)).rejects.toMatchObject({ code: 'bak_err_version' });
    expect(await dumpAll(db)).toStrictEqual(live);
  });

  it('rejects an altered photo (checksum), a missing blob and a dangling library link', async () => {
    const { bytes } = await setup();
    const altered = rezip(bytes, (e) => {
      const b = e['blobs/1.bin'].slice();
      b[b.length >> 1] ^= 0xff;
      e['blobs/1.bin'] = b;
    });
    await expect(parseBackup(altered)).rejects.toMatchObject({ code: 'bak_err_corrupt', params: { detail: 'checksum of blobs/1.bin' } });
    const missing = rezip(bytes, (e) => delete e['blobs/2.bin']);
    await expect(parseBackup(missing)).rejects.toBeInstanceOf(BackupError);
    const dangling = rezip(bytes, (e) => {
      for (const k of Object.keys(e).filter((k) => k.startsWith('records/libraries/'))) e[k] = strToU8('[]');
    });
    await expect(parseBackup(dangling)).rejects.toMatchObject({ params: { detail: expect.stringMatching(/library/) } });
  });

  it('a write that fails half-way leaves the database exactly as it was', async () => {
    const { db, bytes, live } = await setup();
    const parsed = await parseBackup(bytes);
    // A value IndexedDB cannot store (functions are not cloneable) in the last store written.
    (parsed.records.checks[parsed.records.checks.length - 1] as unknown as Record<string, unknown>).bad = () => 1;
    await expect(restoreBackup(db, parsed)).rejects.toBeTruthy();
    expect(await dumpAll(db)).toStrictEqual(live);
  });
});
