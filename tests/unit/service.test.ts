import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { CheckService, PICTURES_BACKLOG } from '../../utils/service';
import { LIMITS } from '../../utils/limits';
import { addReference, closeLibraryDb, deleteCheck, ensureDefaultLibrary, getCheck, listChecks, openLibraryDb, updateFingerprints } from '../../utils/library/db';
import { prepareReference } from '../../utils/library/prepare';
import { decodeInNode, encodeInNode } from '../../utils/image/decode-node';
import { TaskQueue } from '../../utils/queue';
import { paintCrack, productJpeg } from '../fixtures/images';

const platform = { db: () => openLibraryDb(), decode: decodeInNode, encode: encodeInNode };

beforeEach(async () => {
  await closeLibraryDb();
  globalThis.indexedDB = new IDBFactory();
});
afterEach(closeLibraryDb);

async function saveRef(seed: number, name: string) {
  const db = await openLibraryDb();
  const lib = await ensureDefaultLibrary(db, 'Mine');
  const bytes = await productJpeg(seed, 640, 480);
  await addReference(db, await prepareReference(bytes, name, lib.id, { decode: decodeInNode, encode: encodeInNode }));
  return bytes;
}

describe('CheckService', () => {
  it('sees photos added after it started (index follows the library revision) and records each check', async () => {
    const svc = new CheckService(platform);
    const probe = await paintCrack(await productJpeg(5, 640, 480));
    const before = await svc.check(probe, { sourceUrl: 'http://x/a.jpg', ticket: { buyer: 'b1', orderId: 'o1' } });
    expect(before.match).toBeUndefined();
    await saveRef(5, 'mug.jpg');
    const after = await svc.check(probe, { sourceUrl: 'http://x/a.jpg', ticket: { buyer: 'b1', orderId: 'o1' } });
    expect(after.match?.referenceName).toBe('mug.jpg');
    await svc.recorded(after.id);
    const stored = await getCheck(await openLibraryDb(), after.id);
    expect(stored?.level).toBe(after.level);
    expect(stored?.image?.[0]).toBe(0xff);
    expect(stored?.ela?.png[0]).toBe(0x89); // PNG map of the error level analysis
    expect(stored?.ela?.p99).toBeGreaterThan(0);
    expect(stored?.ticket).toEqual({ buyer: 'b1', orderId: 'o1' });
    const card = await svc.toCard(after);
    expect(card.match?.thumb).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('warm-up loads the index and leaves a check started meanwhile correct and unhurt', async () => {
    await saveRef(5, 'mug.jpg');
    const svc = new CheckService(platform);
    const warming = svc.warmUp();
    const r = await svc.check(await paintCrack(await productJpeg(5, 640, 480)), {});
    expect(r.match?.referenceName).toBe('mug.jpg');
    await warming;
    // the warm-up's synthetic reference is neither stored nor left in the index
    expect((await svc.ensureIndex()).size).toBe(1);
    expect((await svc.check(await productJpeg(77, 640, 480), {})).match).toBeUndefined();
  });

  it('pictures come from the platform\'s other thread when it has one, and are made here when it fails', async () => {
    await saveRef(5, 'mug.jpg');
    const probe = await paintCrack(await productJpeg(5, 640, 480));
    const offered: number[] = [];
    const made = new CheckService({ ...platform, pictures: async (img) => { offered.push(img.width); return { image: new Uint8Array([0xff, 0xd8, 1]), thumb: new Uint8Array([0xff, 0xd8, 2]) }; } });
    const a = await made.check(probe, {});
    await made.recorded(a.id);
    expect(offered.length).toBe(1);
    expect([...(await getCheck(await openLibraryDb(), a.id))!.thumb!]).toEqual([0xff, 0xd8, 2]);
    const failing = new CheckService({ ...platform, pictures: async () => { throw new Error('no worker'); } });
    const b = await failing.check(probe, {});
    await failing.recorded(b.id);
    const rec = await getCheck(await openLibraryDb(), b.id);
    expect(rec?.pending).toBeFalsy();
    expect(rec?.image?.[0]).toBe(0xff);
    expect(rec?.ela?.png[0]).toBe(0x89); // made here
  });

  it('answers before the history record is written, and the record follows', async () => {
    await saveRef(8, 'vase.jpg');
    const encodes: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const svc = new CheckService({
      ...platform,
      // the record's encodes wait for the gate: the verdict must not
      encode: async (img, type, q) => { encodes.push(type ?? ''); await gate; return encodeInNode(img, type, q); },
    });
    const r = await svc.check(await paintCrack(await productJpeg(8, 640, 480)), { ticket: { buyer: 'w', orderId: '1' } });
    expect(r.match?.referenceName).toBe('vase.jpg');
    // the verdict is stored before it is returned; the pictures follow
    const early = await getCheck(await openLibraryDb(), r.id);
    expect(early).toMatchObject({ level: r.level, buyer: 'w', orderId: '1', pending: true });
    expect(early?.image).toBeUndefined();
    let done = false;
    const waiting = svc.recorded(r.id).then(() => (done = true));
    await new Promise((res) => setTimeout(res, 20));
    expect(done).toBe(false);
    release();
    await waiting;
    const done2 = await getCheck(await openLibraryDb(), r.id);
    expect(done2?.level).toBe(r.level);
    expect(done2?.pending).toBeUndefined();
    expect(done2?.image?.[0]).toBe(0xff);
    expect(done2?.thumb?.[0]).toBe(0xff);
    expect(encodes.length).toBeGreaterThan(0);
  });

  it('pictures waiting are bounded: past PICTURES_BACKLOG a check holds its queue slot until they are stored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const svc = new CheckService({ ...platform, encode: async (img, type, q) => { await gate; return encodeInNode(img, type, q); } });
    const photo = await productJpeg(12, 320, 240);
    let resolved = 0;
    const all = Array.from({ length: PICTURES_BACKLOG + LIMITS.concurrency + 1 }, () => svc.check(photo, {}).then((r) => (resolved++, r)));
    await new Promise((r) => setTimeout(r, 1500));
    // every check but the last got its verdict; the last waits for a slot held by the backlog
    expect(resolved).toBe(PICTURES_BACKLOG + LIMITS.concurrency);
    release();
    const results = await Promise.all(all);
    expect(results.every((r) => r.level !== 'error')).toBe(true);
    await svc.idle();
    for (const r of results) expect((await getCheck(await openLibraryDb(), r.id))?.image?.[0]).toBe(0xff);
  });

  it('a check deleted before its pictures are added stays deleted', async () => {
    await saveRef(9, 'bowl.jpg');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const svc = new CheckService({ ...platform, encode: async (img, type, q) => { await gate; return encodeInNode(img, type, q); } });
    const r = await svc.check(await productJpeg(9, 640, 480, 70), {});
    await deleteCheck(await openLibraryDb(), r.id);
    release();
    await svc.recorded(r.id);
    expect(await getCheck(await openLibraryDb(), r.id)).toBeUndefined();
  });

  it('flags a repeat buyer from suspicious checks on other orders only', async () => {
    await saveRef(6, 'kettle.jpg');
    const svc = new CheckService(platform);
    const fake = await paintCrack(await productJpeg(6, 640, 480));
    const first = await svc.check(fake, { ticket: { buyer: 'zhang', orderId: 'A' } });
    expect((await svc.toCard(first)).repeatBuyer).toBeUndefined();
    const second = await svc.check(fake, { ticket: { buyer: 'zhang', orderId: 'B' } });
    expect((await svc.toCard(second)).repeatBuyer).toEqual({ buyer: 'zhang', count: 1 });
  });

  it('recomputes stored fingerprints from the working copy when the fingerprint version changed', async () => {
    await saveRef(7, 'lamp.jpg');
    const db = await openLibraryDb();
    const [f] = await db.getAll('fingerprints');
    await updateFingerprints(db, [{ id: f.id, fp: { ...f.fp, v: -1 } }]);
    const svc = new CheckService(platform);
    const r = await svc.check(await productJpeg(7, 640, 480, 60), {});
    expect(r.match?.referenceName).toBe('lamp.jpg');
    expect((await db.get('fingerprints', f.id))?.fp.v).not.toBe(-1);
  });

  it('a look-alike scene (same backdrop, table and box layout, other product) is not derived', async () => {
    const { demoImages } = await import('../fixtures/demo');
    const d = await demoImages();
    const db = await openLibraryDb();
    const lib = await ensureDefaultLibrary(db, 'Mine');
    await addReference(db, await prepareReference(d.saved, 'listing.jpg', lib.id, { decode: decodeInNode, encode: encodeInNode }));
    const svc = new CheckService(platform);
    expect((await svc.check(d.unrelated, {})).match).toBeUndefined();
    expect((await svc.check(d.doctored, {})).match?.referenceName).toBe('listing.jpg');
  });

  it('failures are recorded with their error and never throw', async () => {
    const svc = new CheckService(platform);
    const r = await svc.fail({ code: 'err_http_status', params: { status: 404 } }, { sourceUrl: 'http://x/404.jpg' });
    expect(r.level).toBe('error');
    const [row] = await listChecks(await openLibraryDb());
    expect(row.result.error).toEqual({ code: 'err_http_status', params: { status: 404 } });
  });
});

describe('TaskQueue', () => {
  it('never runs more than its limit at once and runs everything', async () => {
    const q = new TaskQueue(2);
    let running = 0, peak = 0;
    const done = await Promise.all(
      Array.from({ length: 50 }, (_, i) => q.run(async () => {
        running++; peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        return i;
      })),
    );
    expect(peak).toBe(2);
    expect(done).toHaveLength(50);
  });
});
