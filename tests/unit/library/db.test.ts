import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import {
  addCheck, addReference, allFingerprints, closeLibraryDb, fingerprintChunks, getFingerprints, createLibrary, deleteLibrary, deleteReference, ensureDefaultLibrary,
  getRevision, listChecks, listLibraries, listReferences, openLibraryDb, pruneChecks, renameLibrary, suspiciousChecksOfBuyer,
  type CheckRecord, type ReferenceRecord,
} from '../../../utils/library/db';
import { prepareReference } from '../../../utils/library/prepare';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import { productJpeg } from '../../fixtures/images';

const platform = { decode: decodeInNode, encode: encodeInNode };

beforeEach(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
});
afterEach(closeLibraryDb);

async function ref(seed: number, libraryId: string): Promise<ReferenceRecord> {
  return prepareReference(await productJpeg(seed, 320, 240), `p${seed}.jpg`, libraryId, platform);
}

function check(id: string, over: Partial<CheckRecord> = {}): CheckRecord {
  return {
    id, checkedAt: over.checkedAt ?? new Date().toISOString(), level: over.level ?? 'no-evidence', buyer: over.buyer, orderId: over.orderId,
    result: { id, checkedAt: over.checkedAt ?? '', level: over.level ?? 'no-evidence', reasons: [] },
  };
}

describe('library database', () => {
  it('prepares a reference: SHA-256 of the original, working copy, thumbnail, fingerprint', async () => {
    const bytes = await productJpeg(1, 1600, 1200);
    const r = await prepareReference(bytes, 'big.jpg', 'lib', platform);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect([r.width, r.height]).toEqual([1600, 1200]);
    expect(r.working[0]).toBe(0xff);
    expect(r.thumb.length).toBeLessThan(r.working.length);
    expect(r.fp.quality).toBeGreaterThan(0.1);
  });

  it('adds, lists, deduplicates by SHA-256 and bumps the revision on every write', async () => {
    const db = await openLibraryDb();
    const lib = await ensureDefaultLibrary(db, 'My products');
    expect((await ensureDefaultLibrary(db, 'x')).id).toBe(lib.id);
    const r0 = await getRevision(db);
    const a = await ref(1, lib.id);
    expect(await addReference(db, a)).toBe(true);
    expect(await addReference(db, { ...a, id: crypto.randomUUID() })).toBe(false);
    expect(await getRevision(db)).toBe(r0 + 1);
    expect((await listLibraries(db))[0].count).toBe(1);
    const listed = await listReferences(db, lib.id);
    expect(listed).toHaveLength(1);
    expect('working' in listed[0]).toBe(false);
    // the same photo in another library is fine
    const other = await createLibrary(db, 'Shop B');
    expect(await addReference(db, { ...a, id: crypto.randomUUID(), libraryId: other.id })).toBe(true);
    await renameLibrary(db, other.id, '  Shop  B2 ');
    expect((await listLibraries(db)).find((l) => l.id === other.id)?.name).toBe('Shop  B2');
  });

  it('reads fingerprints in chunks (all of them, once, in key order) and by id', async () => {
    const db = await openLibraryDb();
    const lib = await ensureDefaultLibrary(db, 'Mine');
    for (let s = 1; s <= 5; s++) await addReference(db, await ref(s, lib.id));
    const chunks: string[][] = [];
    for await (const c of fingerprintChunks(db, 2)) chunks.push(c.map((f) => f.id));
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    const all = (await allFingerprints(db)).map((f) => f.id);
    expect(chunks.flat()).toEqual(all);
    const got = await getFingerprints(db, [all[3], 'gone', all[0]]);
    expect(got.map((f) => f?.id)).toEqual([all[3], undefined, all[0]]);
    expect(got[0]?.fp.kp).toBeInstanceOf(Uint32Array);
  });

  it('deleting a library removes its photos and fingerprints in one transaction', async () => {
    const db = await openLibraryDb();
    const a = await createLibrary(db, 'A');
    const b = await createLibrary(db, 'B');
    await addReference(db, await ref(1, a.id));
    await addReference(db, await ref(2, a.id));
    await addReference(db, await ref(3, b.id));
    await deleteLibrary(db, a.id);
    expect((await allFingerprints(db)).map((f) => f.libraryId)).toEqual([b.id]);
    expect(await db.count('references')).toBe(1);
    const [only] = await allFingerprints(db);
    await deleteReference(db, only.id);
    expect(await db.count('references')).toBe(0);
  });

  it('a write into a missing library writes nothing', async () => {
    const db = await openLibraryDb();
    const r = await ref(1, 'nope');
    await expect(addReference(db, r)).rejects.toThrow();
    expect(await db.count('references')).toBe(0);
    expect(await db.count('fingerprints')).toBe(0);
  });

  it('history: filters, repeat buyers on other orders, retention', async () => {
    const db = await openLibraryDb();
    const old = new Date(Date.now() - 40 * 86400_000).toISOString();
    await addCheck(db, check('00000000-0000-0000-0000-000000000001', { buyer: 'wang', orderId: 'o1', level: 'derived-edited', checkedAt: old }));
    await addCheck(db, check('00000000-0000-0000-0000-000000000002', { buyer: 'wang', orderId: 'o2', level: 'no-evidence' }));
    await addCheck(db, check('00000000-0000-0000-0000-000000000003', { buyer: 'li', orderId: 'o3', level: 'ai-labelled' }));
    expect((await listChecks(db, { buyer: 'wang' })).map((c) => c.orderId)).toEqual(['o2', 'o1']);
    expect((await listChecks(db, { level: 'ai-labelled' })).map((c) => c.buyer)).toEqual(['li']);
    expect(await suspiciousChecksOfBuyer(db, 'wang', { orderId: 'o2' })).toBe(1);
    expect(await suspiciousChecksOfBuyer(db, 'wang', { orderId: 'o1' })).toBe(0);
    expect(await pruneChecks(db, 30)).toBe(1);
    expect(await db.count('checks')).toBe(2);
  });
});
