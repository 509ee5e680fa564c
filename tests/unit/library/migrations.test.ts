import { describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { DB_VERSION, STEPS, migrate } from '../../../utils/library/migrations';

/**
 * Builds a database at every earlier schema version (by running the steps up to it),
 * then opens it with the current version: the upgrade must succeed and keep every record.
 */
describe('schema migrations', () => {
  it('has one step per version', () => {
    for (let v = 1; v <= DB_VERSION; v++) expect(STEPS[v], `step ${v}`).toBeTypeOf('function');
  });

  for (let from = 1; from < DB_VERSION; from++) {
    it(`upgrades from version ${from} keeping data`, async () => {
      globalThis.indexedDB = new IDBFactory();
      const old = await openDB('m', from, { upgrade: (db, o, n, tx) => migrate(db as never, o, n, tx as never) });
      await old.put('libraries', { id: 'L', name: 'n', createdAt: '2026-01-01' });
      old.close();
      const db = await openDB('m', DB_VERSION, { upgrade: (d, o, n, tx) => migrate(d as never, o, n, tx as never) });
      expect(await db.get('libraries', 'L')).toMatchObject({ name: 'n' });
      db.close();
    });
  }

  it('v1 → v2: checks saved before the upgrade count for the repeat-buyer flag (keys only)', async () => {
    globalThis.indexedDB = new IDBFactory();
    const v1 = await openDB('rb', 1, { upgrade: (db, o, n, tx) => migrate(db as never, o, n, tx as never) });
    const check = (id: string, orderId: string | undefined, level: string) =>
      ({ id, checkedAt: `2026-11-0${id.length}T00:00:00Z`, level, buyer: '小王', orderId, result: { id, level, reasons: [], checkedAt: '' }, image: new Uint8Array(10) });
    await v1.put('checks', check('a', 'O1', 'derived-edited'));
    await v1.put('checks', check('bb', 'O2', 'ai-labelled'));
    await v1.put('checks', check('ccc', 'O2', 'no-evidence'));
    await v1.put('checks', check('dddd', undefined, 'derived'));
    v1.close();
    const db = await openDB('rb', DB_VERSION, { upgrade: (d, o, n, tx) => migrate(d as never, o, n, tx as never) });
    const { suspiciousChecksOfBuyer, repeatBuyerCounts } = await import('../../../utils/library/db');
    expect(await suspiciousChecksOfBuyer(db as never, '小王')).toBe(3);
    expect(await suspiciousChecksOfBuyer(db as never, '小王', { orderId: 'O2' })).toBe(2);
    expect(await suspiciousChecksOfBuyer(db as never, '小王', { id: 'dddd' })).toBe(2);
    expect(await suspiciousChecksOfBuyer(db as never, 'other')).toBe(0);
    const rows = [{ id: 'a', buyer: '小王', orderId: 'O1' }, { id: 'ccc', buyer: '小王', orderId: 'O2' }, { id: 'dddd', buyer: '小王' }];
    expect([...(await repeatBuyerCounts(db as never, rows))]).toEqual([['a', 2], ['ccc', 2], ['dddd', 2]]);
    db.close();
  });

  it('creates the current schema from nothing', async () => {
    globalThis.indexedDB = new IDBFactory();
    const db = await openDB('fresh', DB_VERSION, { upgrade: (d, o, n, tx) => migrate(d as never, o, n, tx as never) });
    expect([...db.objectStoreNames].sort()).toEqual(['checks', 'fingerprints', 'libraries', 'meta', 'references']);
    db.close();
  });
});
