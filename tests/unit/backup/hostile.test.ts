/**
 * Issue 17, finding 4: a crafted backup must never corrupt the library. Every hostile file is
 * built in code from a real backup; each test checks that the library made before is unchanged.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import * as fflate from 'fflate';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { addReference, closeLibraryDb, createLibrary, openLibraryDb, type DB } from '../../../utils/library/db';
import { prepareReference } from '../../../utils/library/prepare';
import { decodeInNode, encodeInNode } from '../../../utils/image/decode-node';
import {
  createBackup, dumpAll, parseBackup, restoreBackup, validateSettings, ZIP_LIMITS, type SettingsStore,
} from '../../../utils/library/backup';
import { productJpeg } from '../../fixtures/images';

vi.mock('fflate', async (importOriginal) => {
  const orig = await importOriginal<typeof import('fflate')>();
  class CountingInflate extends orig.Inflate {
    static pushes = 0;
    push(chunk: Uint8Array, final?: boolean) {
      CountingInflate.pushes++;
      super.push(chunk, final);
    }
  }
  return { ...orig, Inflate: CountingInflate };
});
const pushes = () => (fflate.Inflate as unknown as { pushes: number }).pushes;

const platform = { decode: decodeInNode, encode: encodeInNode };
let good: Uint8Array;

async function backupOf(db: DB, settings?: unknown): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await createBackup(db, { now: new Date('2026-12-01T00:00:00Z'), settings, sink: (c) => void chunks.push(c) });
  return fflate.zipSync(unzipSync(concat(chunks)), { level: 0 });
}
function concat(chunks: Uint8Array[]) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

beforeAll(async () => {
  // Built once and shared by every test: one library, two photos, settings.
  globalThis.indexedDB = new IDBFactory();
  const db = await openLibraryDb();
  const lib = await createLibrary(db, 'Backup shop');
  for (const seed of [51, 52]) await addReference(db, await prepareReference(await productJpeg(seed, 320, 240), `p${seed}.jpg`, lib.id, platform));
  good = await backupOf(db, { 'site:shop.example': false, rules: [{ host: 'seller.example.com' }], unrelated: 1 });
  await closeLibraryDb();
}, 120_000);

let db: DB;
let live: Awaited<ReturnType<typeof dumpAll>>;
beforeEach(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
  db = await openLibraryDb();
  await restoreBackup(db, await parseBackup(good));
  await createLibrary(db, 'made after the backup');
  live = await dumpAll(db);
});
afterEach(async () => {
  // Whatever a test tried, the library it started with is still there.
  expect(await dumpAll(db)).toStrictEqual(live);
});

const edit = (bytes: Uint8Array, f: (e: Record<string, Uint8Array>) => void) => {
  const e = unzipSync(bytes);
  f(e);
  return zipSync(e);
};
const editBatch = (store: string, f: (records: Record<string, unknown>[]) => unknown[]) =>
  edit(good, (e) => {
    const name = Object.keys(e).find((k) => k.startsWith(`records/${store}/`))!;
    e[name] = strToU8(JSON.stringify(f(JSON.parse(strFromU8(e[name])))));
  });
const editManifest = (f: (m: Record<string, unknown>) => void) =>
  edit(good, (e) => {
    const m = JSON.parse(strFromU8(e['manifest.json']));
    f(m);
    e['manifest.json'] = strToU8(JSON.stringify(m));
  });

/** Set the uncompressed size an entry claims in the ZIP central directory. */
function claimSize(zip: Uint8Array, name: string, usize: number): Uint8Array {
  const z = zip.slice();
  const dv = new DataView(z.buffer);
  for (let o = 0; o + 46 < z.length; o++) {
    if (dv.getUint32(o, true) !== 0x02014b50) continue;
    const n = dv.getUint16(o + 28, true);
    if (strFromU8(z.subarray(o + 46, o + 46 + n)) === name) {
      dv.setUint32(o + 24, usize, true);
      return z;
    }
  }
  throw new Error(`no ${name}`);
}

describe('records: own properties and prototype keys', () => {
  it('refuses a record whose fields come through "__proto__" (it would be stored without image or name)', async () => {
    const file = editBatch('references', (rs) => rs.map((r) => JSON.parse(JSON.stringify({ id: r.id, libraryId: r.libraryId }).slice(0, -1) + `,"__proto__":${JSON.stringify(r)}}`)));
    await expect(parseBackup(file)).rejects.toMatchObject({ code: 'bak_err_corrupt', params: { detail: 'key __proto__' } });
  });
  it('refuses "constructor" and "prototype" keys anywhere in a record', async () => {
    for (const key of ['constructor', 'prototype']) {
      const file = editBatch('meta', (rs) => [...rs, { key: 'x', value: { deep: { [key]: { polluted: true } } } }]);
      await expect(parseBackup(file)).rejects.toMatchObject({ code: 'bak_err_corrupt', params: { detail: `key ${key}` } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('refuses records with missing, mistyped or oversized fields', async () => {
    const bad: [string, (r: Record<string, unknown>) => void][] = [
      ['references', (r) => delete r.working],
      ['references', (r) => (r.name = 'x'.repeat(10_000))],
      ['references', (r) => (r.width = -3)],
      ['references', (r) => (r.addedAt = 'yesterday')],
      ['libraries', (r) => (r.name = 42)],
    ];
    for (const [store, f] of bad) {
      const file = editBatch(store, (rs) => rs.map((r, i) => (i === 0 ? (f(r), r) : r)));
      await expect(parseBackup(file)).rejects.toMatchObject({ code: 'bak_err_corrupt' });
    }
  });
});

describe('fingerprints validated by shape', () => {
  it('refuses a fingerprint that is any object but not a fingerprint', async () => {
    const shapes: Record<string, unknown>[] = [{}, { v: 2, quality: 0.5, global: 'zz', mirror: 'zz', width: 1, height: 1, trim: [0, 0, 1, 1], kp: [] }];
    for (const fp of shapes) {
      for (const store of ['references', 'fingerprints']) {
        const file = editBatch(store, (rs) => rs.map((r, i) => (i === 0 ? { ...r, fp } : r)));
        await expect(parseBackup(file)).rejects.toMatchObject({ params: { detail: expect.stringMatching(/fingerprint/) } });
      }
    }
  });
  it('refuses a fingerprint record that names another library than its photo', async () => {
    const file = editBatch('fingerprints', (rs) => rs.map((r, i) => (i === 0 ? { ...r, libraryId: 'elsewhere' } : r)));
    await expect(parseBackup(file)).rejects.toMatchObject({ params: { detail: expect.stringMatching(/fingerprint/) } });
  });
});

describe('nesting', () => {
  it('refuses a value nested deeper than the decoder allows instead of recursing', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2000; i++) deep = [deep];
    const file = editBatch('meta', (rs) => [...rs, { key: 'deep', value: deep }]);
    await expect(parseBackup(file)).rejects.toMatchObject({ code: 'bak_err_corrupt', params: { detail: 'nesting too deep' } });
  });
});

describe('zip sizes are capped before inflation', () => {
  it('an entry claiming more than the per-entry cap is refused without inflating anything', async () => {
    const name = Object.keys(unzipSync(good)).find((k) => k.startsWith('records/meta/'))!;
    const bomb = edit(good, (e) => (e[name] = fflate.deflateSync(new Uint8Array(2 * 1024 * 1024).fill(32))));
    const before = pushes();
    await expect(parseBackup(claimSize(bomb, name, 3_000_000_000))).rejects.toMatchObject({ code: 'bak_err_too_large' });
    expect(pushes() - before).toBe(0);
  });
  it('a deflated entry claiming an impossible ratio is refused without inflating anything', async () => {
    const z = zipSync({ 'manifest.json': new Uint8Array(4 * 1024 * 1024).fill(32) }, { level: 9 });
    const before = pushes();
    await expect(parseBackup(z)).rejects.toMatchObject({ code: 'bak_err_too_large' });
    expect(pushes() - before).toBe(0);
  });
  it('an entry that inflates past the size it claims stops at once', async () => {
    const bomb = zipSync({ 'manifest.json': new Uint8Array(8 * 1024 * 1024).fill(32) }, { level: 9 });
    const before = pushes();
    await expect(parseBackup(claimSize(bomb, 'manifest.json', 1000))).rejects.toMatchObject({ code: 'bak_err_too_large' });
    expect(pushes() - before).toBe(1);
  });
  it('the total of all entries is capped', async () => {
    const saved = ZIP_LIMITS.totalBytes;
    ZIP_LIMITS.totalBytes = good.length / 2;
    try {
      await expect(parseBackup(good)).rejects.toMatchObject({ code: 'bak_err_too_large', params: { detail: 'total' } });
    } finally {
      ZIP_LIMITS.totalBytes = saved;
    }
  });
});

describe('settings', () => {
  it('keeps only the keys RefundLens writes, each validated', () => {
    expect(validateSettings({ 'site:a.example': false, rules: [{ host: 'Seller.Example.com' }], other: 'x' })).toEqual({
      'site:a.example': false,
      rules: [{ host: 'seller.example.com', id: 'rule:seller.example.com' }],
    });
  });
  it('a backup with a bad setting is refused before anything is written', async () => {
    for (const settings of [{ 'site:a.example': 'yes' }, { rules: [{ host: 'javascript:alert(1)' }] }, { rules: 'all' }, ['site:a']]) {
      await expect(parseBackup(editManifest((m) => (m.settings = settings)))).rejects.toMatchObject({ code: 'bak_err_corrupt' });
    }
    await expect(parseBackup(editManifest((m) => (m.settings = { 'site:a.example': true, pad: randomBytes(1_200_000).toString('base64') })))).rejects.toMatchObject({ params: { detail: 'settings size' } });
  });

  function memoryStore(initial: Record<string, unknown>): SettingsStore & { data: Record<string, unknown> } {
    const s = {
      data: { ...initial },
      get: async () => ({ ...s.data }),
      replace: async (next: Record<string, unknown>) => {
        for (const k of Object.keys(s.data)) if (k.startsWith('site:') || k === 'rules') delete s.data[k];
        Object.assign(s.data, next);
      },
    };
    return s;
  }

  it('settings are written with the restore and put back when the database write fails', async () => {
    const parsed = await parseBackup(good);
    expect(parsed.settings).toEqual({ 'site:shop.example': false, rules: [{ host: 'seller.example.com', id: 'rule:seller.example.com' }] });
    const store = memoryStore({ 'site:mine.example': false, lang: 'zh' });
    (parsed.records.meta as unknown as Record<string, unknown>[]).push({ key: 'broken', value: () => 1 });
    await expect(restoreBackup(db, parsed, undefined, store)).rejects.toBeTruthy();
    expect(store.data).toEqual({ 'site:mine.example': false, lang: 'zh' });

    const ok = await parseBackup(good);
    const fresh = memoryStore({ 'site:mine.example': false, lang: 'zh' });
    const other = await openLibraryDb(`other-${Date.now()}`);
    await restoreBackup(other, ok, undefined, fresh);
    expect(fresh.data).toEqual({ lang: 'zh', 'site:shop.example': false, rules: [{ host: 'seller.example.com', id: 'rule:seller.example.com' }] });
  });
});

