import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { productJpeg } from '../../fixtures/images';

// The importer runs in an extension page; here the browser codecs are replaced by the Node ones,
// and the third write fails the way a full disk does.
vi.mock('@/utils/image/decode-browser', async () => {
  const node = await import('../../../utils/image/decode-node');
  return { decodeInBrowser: node.decodeInNode, encodeInBrowser: node.encodeInNode };
});
vi.mock('@/utils/library/db', async (orig) => {
  const real = await orig<typeof import('../../../utils/library/db')>();
  let calls = 0;
  return {
    ...real,
    addReference: async (db: Parameters<typeof real.addReference>[0], rec: Parameters<typeof real.addReference>[1]) => {
      if (++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return real.addReference(db, rec);
    },
  };
});

const { importFiles } = await import('../../../components/importer');
const db = await import('../../../utils/library/db');

beforeEach(async () => {
  await db.closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
});
afterEach(db.closeLibraryDb);

describe('bulk import when the disk fills up', () => {
  it('keeps every photo added before, stops, and says so', async () => {
    const d = await db.openLibraryDb();
    const lib = await db.ensureDefaultLibrary(d, 'Mine');
    const files = await Promise.all([1, 2, 3, 4, 5].map(async (i) => new File([(await productJpeg(i, 200, 150)) as BlobPart], `p${i}.jpg`, { type: 'image/jpeg' })));
    const seen: number[] = [];
    const p = await importFiles(files, lib.id, (x) => seen.push(x.done));
    expect(p.quotaExceeded).toBe(true);
    expect(p.added).toBe(2);
    expect(seen[seen.length - 1]).toBe(3); // stopped after the failing file
    // The library is consistent: two complete photos, each with its fingerprint, nothing half-written.
    expect(await d.count('references')).toBe(2);
    expect(await d.count('fingerprints')).toBe(2);
    expect((await db.listLibraries(d))[0].count).toBe(2);
  });
});
