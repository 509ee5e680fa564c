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

  it('creates the current schema from nothing', async () => {
    globalThis.indexedDB = new IDBFactory();
    const db = await openDB('fresh', DB_VERSION, { upgrade: (d, o, n, tx) => migrate(d as never, o, n, tx as never) });
    expect([...db.objectStoreNames].sort()).toEqual(['checks', 'fingerprints', 'libraries', 'meta', 'references']);
    db.close();
  });
});
