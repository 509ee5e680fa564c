import { beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import {
  addCheck, applyRetention, closeLibraryDb, deleteChecks, getRetentionDays, openLibraryDb, repeatBuyerCounts, searchChecks,
  setRetentionDays, suspiciousChecksOfBuyer, type CheckRecord,
} from '../../../utils/library/db';
import type { VerdictLevel } from '../../../utils/types';

beforeEach(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
});

function rec(id: string, day: number, level: VerdictLevel, buyer?: string, orderId?: string, url = `http://shop/${id}.jpg`): CheckRecord {
  const checkedAt = new Date(Date.UTC(2026, 10, day, 12)).toISOString();
  return {
    id, checkedAt, level, buyer, orderId, ticket: { buyer, orderId },
    result: { id, checkedAt, level, reasons: [], file: { bytes: 1, sha256: 'x', format: 'jpeg', sourceUrl: url }, ticket: { buyer, orderId } },
    thumb: new Uint8Array([1]),
    image: new Uint8Array([2]),
  };
}

async function seed() {
  const db = await openLibraryDb();
  for (const r of [
    rec('a', 1, 'derived', 'Wang 小王', 'ORD-1'),
    rec('b', 5, 'derived-edited', 'Wang 小王', 'ORD-2'),
    rec('c', 9, 'no-evidence', 'Li', 'ORD-3'),
    rec('d', 20, 'ai-labelled', 'Wang 小王', 'ORD-2'),
    rec('e', 25, 'error', undefined, undefined, 'http://other/e.png'),
  ]) await addCheck(db, r);
  return db;
}

describe('history search', () => {
  it('filters by buyer and order substrings, verdict, date range and free text; newest first; no images', async () => {
    const db = await seed();
    const ids = async (f: Parameters<typeof searchChecks>[1]) => (await searchChecks(db, f)).map((r) => r.id);
    expect(await ids({})).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await ids({ buyer: '小王' })).toEqual(['d', 'b', 'a']);
    expect(await ids({ buyer: 'wang', order: 'ord-2' })).toEqual(['d', 'b']);
    expect(await ids({ level: 'no-evidence' })).toEqual(['c']);
    expect(await ids({ from: '2026-11-05', to: '2026-11-20' })).toEqual(['d', 'c', 'b']);
    expect(await ids({ to: '2026-11-05' })).toEqual(['b', 'a']);
    expect(await ids({ text: 'other/' })).toEqual(['e']);
    expect(await ids({ limit: 2 })).toEqual(['e', 'd']);
    const [first] = await searchChecks(db, {});
    expect('image' in first).toBe(false);
    expect(first.thumb).toBeInstanceOf(Uint8Array);
  });

  it('counts repeat buyers like the card does: other orders, suspicious verdicts only', async () => {
    const db = await seed();
    const rows = await searchChecks(db, {});
    const counts = await repeatBuyerCounts(db, rows);
    for (const r of rows) {
      const expected = r.buyer ? await suspiciousChecksOfBuyer(db, r.buyer, { id: r.id, orderId: r.orderId }) : 0;
      expect(counts.get(r.id) ?? 0, r.id).toBe(expected);
    }
    expect(counts.get('a')).toBe(2); // b and d are on other orders
    expect(counts.get('d')).toBe(1); // b shares its order, a does not
    expect(counts.has('c')).toBe(false);
  });

  it('deletes several checks at once', async () => {
    const db = await seed();
    await deleteChecks(db, ['a', 'c', 'nope']);
    expect((await searchChecks(db, {})).map((r) => r.id)).toEqual(['e', 'd', 'b']);
  });
});

describe('retention', () => {
  it('is stored in the meta store and prunes older checks; 0 keeps everything', async () => {
    const db = await seed();
    expect(await getRetentionDays(db)).toBeUndefined();
    expect(await applyRetention(db, new Date(Date.UTC(2026, 10, 30)))).toBe(0);
    await setRetentionDays(db, 10);
    expect(await getRetentionDays(db)).toBe(10);
    expect(await applyRetention(db, new Date(Date.UTC(2026, 10, 30)))).toBe(3);
    expect((await searchChecks(db, {})).map((r) => r.id)).toEqual(['e', 'd']);
    await setRetentionDays(db, 0);
    expect(await getRetentionDays(db)).toBeUndefined();
  });
});
