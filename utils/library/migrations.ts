/**
 * IndexedDB schema history. Add a step for each new version; never edit an old step:
 * tests/unit/library/migrations.test.ts builds a database at every earlier version and upgrades it.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { RefundLensDB } from './db';

export const DB_VERSION = 2;

type UpgradeTx = IDBPTransaction<RefundLensDB, StoreNames<RefundLensDB>[], 'versionchange'>;

export const STEPS: Record<number, (db: IDBPDatabase<RefundLensDB>, tx: UpgradeTx) => void> = {
  1: (db) => {
    db.createObjectStore('libraries', { keyPath: 'id' });
    const refs = db.createObjectStore('references', { keyPath: 'id' });
    refs.createIndex('byLibrary', 'libraryId');
    refs.createIndex('bySha', ['libraryId', 'sha256']);
    const fps = db.createObjectStore('fingerprints', { keyPath: 'id' });
    fps.createIndex('byLibrary', 'libraryId');
    const checks = db.createObjectStore('checks', { keyPath: 'id' });
    checks.createIndex('byTime', 'checkedAt');
    checks.createIndex('byBuyer', 'buyer');
    checks.createIndex('byOrder', 'orderId');
    checks.createIndex('byLevel', 'level');
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  // v2: the repeat-buyer count reads keys only (v1 read every check of the buyer, photos included)
  2: (_db, tx) => {
    const checks = tx.objectStore('checks');
    checks.createIndex('byBuyerLevel', ['buyer', 'level']);
    checks.createIndex('byBuyerOrderLevel', ['buyer', 'orderId', 'level']);
  },
};

export function migrate(db: IDBPDatabase<RefundLensDB>, oldVersion: number, newVersion: number | null, tx: UpgradeTx): void {
  for (let v = oldVersion + 1; v <= (newVersion ?? DB_VERSION); v++) STEPS[v]?.(db, tx);
}
