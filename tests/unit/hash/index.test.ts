import { describe, expect, it } from 'vitest';
import { DELTA_MIN_REFS, LOCAL_MATCH_DISTANCE, LOCAL_MIN_VOTES, ReferenceIndex } from '../../../utils/hash/index';
import { computeFingerprint, FINGERPRINT_VERSION, FP_KEYPOINTS, mirrorImage, rotateImage, type Fingerprint } from '../../../utils/hash/fingerprint';
import { rng } from '../../fixtures/images';
import { vectorImage } from './vector';
import type { RGBAImage } from '../../../utils/types';

function shifted(img: RGBAImage, seed: number): RGBAImage {
  // a different picture: the vector image scrambled in 16-px tiles
  const out = new Uint8ClampedArray(img.data.length);
  const tw = 16, cols = Math.floor(img.width / tw), rows = Math.floor(img.height / tw);
  for (let ty = 0; ty < rows; ty++) for (let tx = 0; tx < cols; tx++) {
    const sx = (tx * 7 + ty * 3 + seed) % cols, sy = (ty * 5 + tx + seed) % rows;
    for (let y = 0; y < tw; y++) out.set(img.data.subarray(((sy * tw + y) * img.width + sx * tw) * 4, ((sy * tw + y) * img.width + sx * tw + tw) * 4), ((ty * tw + y) * img.width + tx * tw) * 4);
  }
  return { width: img.width, height: img.height, data: out };
}

describe('ReferenceIndex', () => {
  const img = vectorImage();
  const entry = (id: string, im: RGBAImage) => ({ id, name: `${id}.jpg`, libraryId: 'L', fp: computeFingerprint(im) });

  it('keeps the basic map contract', async () => {
    const ix = new ReferenceIndex();
    ix.add(entry('a', img));
    ix.add(entry('b', shifted(img, 1)));
    expect(ix.size).toBe(2);
    expect((await ix.get('a'))?.name).toBe('a.jpg');
    ix.add(entry('a', img)); // replace
    expect(ix.size).toBe(2);
    ix.remove('a');
    expect(ix.size).toBe(1);
    expect(await ix.get('a')).toBeUndefined();
    expect((await ix.candidates(computeFingerprint(img, { query: true }), 3)).map((c) => c.entry.id)).not.toContain('a');
    ix.clear();
    expect(ix.size).toBe(0);
  });

  it('ranks the same picture first under orientation changes', async () => {
    const ix = new ReferenceIndex();
    ix.add(entry('a', img));
    for (let s = 1; s <= 5; s++) ix.add(entry(`other${s}`, shifted(img, s)));
    const cases: [RGBAImage, string][] = [[img, 'same'], [mirrorImage(img), 'mirror'], [rotateImage(img, 1), 'rot270'], [rotateImage(img, 2), 'rot180']];
    for (const [q, variant] of cases) {
      const [best] = await ix.candidates(computeFingerprint(q, { query: true }), 3);
      expect(best.entry.id).toBe('a');
      expect(best.distance).toBeLessThanOrEqual(8);
      expect(best.variant).toBe(variant);
    }
  });

  it('states its memory per reference', () => {
    // global hash, its 16 chunk postings, 8-byte local postings, the id: ≤ 400 B at a million
    expect(new ReferenceIndex().bytesPerReference(1_000_000)).toBeGreaterThan(200);
    expect(new ReferenceIndex().bytesPerReference(1_000_000)).toBeLessThan(400);
  });
});

/** Synthetic fingerprints: random descriptors, or a given descriptor set, with fixed geometry. */
function synthetic(r: () => number, kp?: Uint32Array): Fingerprint {
  const hex = () => Array.from({ length: 64 }, () => Math.floor(r() * 16).toString(16)).join('');
  const desc = kp ?? Uint32Array.from({ length: FP_KEYPOINTS * 4 }, () => (r() * 2 ** 32) >>> 0);
  const kpg = Uint8Array.from({ length: FP_KEYPOINTS * 2 }, (_, i) => (i & 1 ? 128 : (i * 37) & 255));
  return { v: FINGERPRINT_VERSION, quality: 0.8, global: hex(), mirror: hex(), width: 640, height: 480, trim: [0, 0, 640, 480], kp: desc, kpg };
}

/** A copy of kp with `bits` random bits flipped in each descriptor, none in bytes `keep`. */
function flipped(r: () => number, kp: Uint32Array, bits: number, keep: number[]): Uint32Array {
  const out = kp.slice();
  for (let k = 0; k < kp.length >> 2; k++) {
    const done = new Set<number>();
    while (done.size < bits) {
      const b = Math.floor(r() * 128);
      if (keep.includes(b >> 3) || done.has(b)) continue;
      done.add(b);
      out[k * 4 + (b >> 5)] ^= 1 << (b & 31);
    }
  }
  return out;
}

/** The query side of a reference's descriptors (no global hash in common, no mirror set). */
function queryOf(r: () => number, kp: Uint32Array): Fingerprint {
  return { ...synthetic(r, kp), global: '0'.repeat(64), mirror: '0'.repeat(64) };
}

describe('ReferenceIndex local postings (CSR + delta)', () => {
  const refsToCompact = DELTA_MIN_REFS + 20;
  const add = (ix: ReferenceIndex, id: string, fp: Fingerprint) => ix.add({ id, name: id, libraryId: 'L', fp });
  const ids = async (ix: ReferenceIndex, q: Fingerprint) => (await ix.candidates(q, 5)).map((c) => c.entry.id);

  it('finds references after a bulk compaction and in the delta, and forgets removed ones', async () => {
    const r = rng(11);
    const ix = new ReferenceIndex();
    const target = synthetic(r);
    add(ix, 'target', target);
    for (let i = 0; i < refsToCompact; i++) add(ix, `noise${i}`, synthetic(r));
    const q = queryOf(r, flipped(r, target.kp, 12, []));
    // first keypoint lookup: the pending references are compacted in bulk
    const [best] = await ix.candidates(q, 5);
    expect(best.entry.id).toBe('target');
    expect(best.votes).toBeGreaterThanOrEqual(LOCAL_MIN_VOTES);
    // added after the compaction: served from the delta
    const late = synthetic(r);
    add(ix, 'late', late);
    const ql = queryOf(r, flipped(r, late.kp, 12, []));
    expect((await ids(ix, ql))[0]).toBe('late');
    expect((await ids(ix, q))[0]).toBe('target');
    // removal: from the CSR and from the delta
    ix.remove('target');
    ix.remove('late');
    expect(await ids(ix, q)).not.toContain('target');
    expect(await ids(ix, ql)).not.toContain('late');
    // re-added (a new slot): found again
    add(ix, 'target', target);
    expect((await ids(ix, q))[0]).toBe('target');
    expect(ix.size).toBe(refsToCompact + 1);
  });

  it('keeps working across slot renumbering when removed references dominate', async () => {
    const r = rng(12);
    const ix = new ReferenceIndex();
    const keep = synthetic(r);
    for (let i = 0; i < 600; i++) add(ix, `n${i}`, synthetic(r));
    add(ix, 'keep', keep);
    const q = queryOf(r, flipped(r, keep.kp, 10, []));
    expect((await ids(ix, q))[0]).toBe('keep');
    for (let i = 0; i < 500; i++) ix.remove(`n${i}`);
    expect(ix.size).toBe(101);
    expect((await ids(ix, q))[0]).toBe('keep');
    expect(await ix.get('n0')).toBeUndefined();
  });

  it('finds a reference within LOCAL_MATCH_DISTANCE when its buckets are big, before and after compaction', async () => {
    const r = rng(13);
    // table 0 keys on descriptor bytes 0 and 9: decoys share them with the target (same bucket)
    // and differ by 40 bits elsewhere; the query differs from the target by LOCAL_MATCH_DISTANCE
    // bits, none in those two bytes
    const KEY0 = [0, 9];
    const build = (ix: ReferenceIndex, tag: string, decoys: number) => {
      const target = synthetic(r);
      add(ix, `${tag}-target`, target);
      for (let j = 0; j < decoys; j++) add(ix, `${tag}-decoy${j}`, synthetic(r, flipped(r, target.kp, 40, KEY0)));
      return queryOf(r, flipped(r, target.kp, LOCAL_MATCH_DISTANCE, KEY0));
    };
    const ix = new ReferenceIndex();
    for (let i = 0; i < refsToCompact; i++) add(ix, `noise${i}`, synthetic(r));
    // ~60 postings per bucket: under the cap (MAX_BUCKET_MIN at this size)
    const q1 = build(ix, 'a', 59);
    const [best1] = await ix.candidates(q1, 5); // compacts
    expect(best1.entry.id).toBe('a-target');
    expect(best1.votes).toBeGreaterThanOrEqual(LOCAL_MIN_VOTES);
    const q2 = build(ix, 'b', 59); // delta
    const [best2] = await ix.candidates(q2, 5);
    expect(best2.entry.id).toBe('b-target');
    expect(best2.votes).toBeGreaterThanOrEqual(LOCAL_MIN_VOTES);
  });
});

describe('ReferenceIndex with a loader (entries stay in the store)', () => {
  it('keeps only ids in memory, fetches the shortlist by id, and forgets removed ones', async () => {
    const r = rng(21);
    const store = new Map<string, { id: string; name: string; libraryId: string; fp: Fingerprint }>();
    const asked: string[][] = [];
    const ix = new ReferenceIndex({ load: async (ids) => { asked.push(ids); return ids.map((id) => store.get(id)); } });
    const uuid = (i: number) => `${(0x1234abcd + i).toString(16)}-89ab-4cde-8f01-${i.toString(16).padStart(12, '0')}`;
    for (let i = 0; i < 300; i++) {
      const e = { id: i === 7 ? `plain id ${i} ✓` : uuid(i), name: `n${i}.jpg`, libraryId: 'L', fp: synthetic(r) };
      store.set(e.id, e);
      ix.add(e);
    }
    ix.build();
    const target = store.get(uuid(42))!;
    const q = queryOf(r, flipped(r, target.fp.kp, 10, []));
    const [best] = await ix.candidates(q, 3);
    expect(best.entry.id).toBe(uuid(42));
    expect(best.entry.name).toBe('n42.jpg');
    // only the shortlist was read, not the library
    expect(asked.at(-1)!.length).toBeLessThan(100);
    expect(asked.at(-1)).toContain(uuid(42));
    expect((await ix.get(`plain id 7 ✓`))?.name).toBe('n7.jpg');
    expect(ix.has(uuid(42))).toBe(true);
    // exact global copy, found by its hash alone
    const g = store.get(uuid(99))!;
    const [byHash] = await ix.candidates({ ...g.fp, kp: new Uint32Array(0), kpg: new Uint8Array(0) }, 1);
    expect(byHash.entry.id).toBe(uuid(99));
    expect(byHash.distance).toBe(0);
    ix.remove(uuid(42));
    expect(ix.has(uuid(42))).toBe(false);
    expect((await ix.candidates(q, 3)).map((c) => c.entry.id)).not.toContain(uuid(42));
    // a record gone from the store is skipped, not returned half-made
    store.delete(uuid(99));
    expect((await ix.candidates({ ...g.fp, kp: new Uint32Array(0), kpg: new Uint8Array(0) }, 1)).map((c) => c.entry.id)).not.toContain(uuid(99));
    expect(ix.size).toBe(299);
  });
});
