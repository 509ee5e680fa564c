/**
 * Node bench of the pure matching parts (`npx tsx tests/bench/node.ts`, or imported by the
 * lead's `npm run bench`).
 *
 *   benchLookup(sizes)     ms per index lookup (ReferenceIndex.candidates) at each library size.
 *                          Synthetic references: global hashes random, keypoint descriptors drawn
 *                          from a pool of real descriptors of 40 rendered scenes with 15 % of bits
 *                          flipped, so bucket sizes follow the skew of real descriptors.
 *   bytesPerReference(n)   heap + array-buffer growth per reference for n synthetic references
 *                          (index structures AND the entry objects with their fingerprints).
 *   benchCheck(refs)       full runCheck of a 12-MP phone JPEG against `refs` references vs a
 *                          decode-only of the same file with the same decoder (sharp), ratio.
 * Prints one JSON line when run directly.
 */
import sharp from 'sharp';
import { ReferenceIndex, type EntryLoader } from '../../utils/hash/index';
import { computeFingerprint, fingerprintWithFeatures, FINGERPRINT_VERSION, FP_KEYPOINTS, type Fingerprint } from '../../utils/hash/fingerprint';
import { decodeInNode } from '../../utils/image/decode-node';
import { runCheck } from '../../utils/check';
import { IN_MEMORY_MAX_REFERENCES, LIMITS } from '../../utils/limits';
import type { RGBAImage } from '../../utils/types';
import { rng } from '../fixtures/images';
import { BASE_CAMERA, sceneSvg } from '../fixtures/dataset';

async function renderRGBA(svg: string, width?: number): Promise<RGBAImage> {
  let s = sharp(Buffer.from(svg));
  if (width) s = s.resize(width);
  const { data, info } = await s.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}

let pool: { desc: Uint32Array; geo: Uint8Array; n: number } | undefined;
let making: Promise<NonNullable<typeof pool>> | undefined;
/** Made once (concurrent callers — the bench loader's Promise.all — share the one being made). */
function descriptorPool(): Promise<NonNullable<typeof pool>> {
  if (pool) return Promise.resolve(pool);
  return (making ??= makePool());
}
async function makePool(): Promise<NonNullable<typeof pool>> {
  const descs: number[] = [], geo: number[] = [];
  for (let p = 1; p <= 40; p++) {
    const img = await renderRGBA(sceneSvg(p, { ...BASE_CAMERA, background: p * 3, tilt: (p % 7) * 4, zoom: 0.7 + (p % 5) * 0.15 }));
    const fp = computeFingerprint(img);
    descs.push(...fp.kp);
    geo.push(...(fp.kpg ?? []));
  }
  pool = { desc: Uint32Array.from(descs), geo: Uint8Array.from(geo), n: descs.length / 4 };
  return pool;
}

function randomHex(r: () => number): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

function mirrorHex(h: string): string {
  let out = '';
  for (let row = 0; row < 16; row++) {
    const v = parseInt(h.slice(row * 4, row * 4 + 4), 16);
    let m = 0;
    for (let b = 0; b < 16; b++) if (v & (1 << b)) m |= 1 << (15 - b);
    out += m.toString(16).padStart(4, '0');
  }
  return out;
}

const FLIP_P = 0.15, LOG_KEEP = Math.log(1 - FLIP_P);

/** A fingerprint shaped like a real one, for index benches. */
export async function syntheticFingerprint(r: () => number): Promise<Fingerprint> {
  const P = await descriptorPool();
  const kp = new Uint32Array(FP_KEYPOINTS * 4), kpg = new Uint8Array(FP_KEYPOINTS * 2);
  for (let k = 0; k < FP_KEYPOINTS; k++) {
    const j = Math.floor(r() * P.n);
    for (let w = 0; w < 4; w++) kp[k * 4 + w] = P.desc[j * 4 + w];
    // each bit flipped with probability FLIP_P, drawn as gaps between flips (a few draws per
    // descriptor instead of 128: the bench loader makes fingerprints again at every lookup)
    for (let b = -1; ;) {
      b += 1 + Math.floor(Math.log(1 - r()) / LOG_KEEP);
      if (b >= 128) break;
      kp[k * 4 + (b >> 5)] ^= 1 << (b & 31);
    }
    kpg[k * 2] = Math.floor(r() * 256); kpg[k * 2 + 1] = P.geo[j * 2 + 1];
  }
  // a blockhash's mirror is the same bits reversed in each 16-bit row (as computeFingerprint's are)
  const global = randomHex(r);
  return { v: FINGERPRINT_VERSION, quality: 0.8, global, mirror: mirrorHex(global), width: 1024, height: 768, trim: [0, 0, 1024, 768], kp, kpg };
}

/** A random stream of its own for reference i of a bench library (so its fingerprint can be made again). */
function refRng(seed: number, i: number): () => number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed, 0x85ebca6b);
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15; h = Math.imul(h, 0x846ca68b); h ^= h >>> 16;
  const r = rng(h >>> 0 || 1);
  for (let k = 0; k < 4; k++) r();
  return r;
}

/** Bench ids are shaped like the library's (crypto.randomUUID) and carry their seed and number. */
export const benchId = (seed: number, i: number) => `${seed.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/**
 * The bench's stand-in for the IndexedDB fingerprint store: each reference's fingerprint is made
 * again from its id (as the service reads it from disk), so the index's memory is measured alone.
 */
export const benchLoader: EntryLoader = async (ids) => Promise.all(ids.map(async (id) => {
  const m = /^([0-9a-f]{8})-0000-4000-8000-([0-9a-f]{12})$/.exec(id);
  if (!m) return undefined;
  return { id, name: `${id}.jpg`, libraryId: 'bench', fp: await syntheticFingerprint(refRng(parseInt(m[1], 16), parseInt(m[2], 16))) };
}));

async function fillIndex(index: ReferenceIndex, n: number, seed = 1): Promise<void> {
  for (let i = index.size; i < n; i++) {
    index.add({ id: benchId(seed, i), name: `${benchId(seed, i)}.jpg`, libraryId: 'bench', fp: await syntheticFingerprint(refRng(seed, i)) });
  }
}

/** Milliseconds per lookup (median of queries) at each library size. */
export async function benchLookup(sizes: number[] = [1000, 10000, 100000], queries = 40): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // as the service: a library up to IN_MEMORY_MAX_REFERENCES keeps its fingerprints in the index,
  // a larger one reads the shortlist's back (benchLoader)
  const mem = new ReferenceIndex(), big = new ReferenceIndex({ load: benchLoader });
  // real query fingerprints (rendered scenes, query-side extras) so the lookup does its full work
  const qfps: Fingerprint[] = [];
  for (let i = 0; i < 8; i++) qfps.push(fingerprintWithFeatures(await renderRGBA(sceneSvg(100 + i, BASE_CAMERA), 1024), { query: true }).fp);
  for (const n of [...sizes].sort((a, b) => a - b)) {
    const index = n <= IN_MEMORY_MAX_REFERENCES ? mem : big;
    await fillIndex(index, n);
    const times: number[] = [];
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      await index.candidates(qfps[i % qfps.length], 3);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out[String(n)] = Math.round(times[times.length >> 1] * 100) / 100;
  }
  return out;
}

/** Full GCs with turns of the event loop between (array buffers of garbage are freed late). */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) { gc?.(); await new Promise((r) => setTimeout(r, 10)); }
}

/**
 * Bytes of memory per reference, measured over n synthetic references, in the service's setup: the
 * index holds its own arrays; full fingerprints stay in the store (benchLoader).
 */
export async function bytesPerReference(n = 20000): Promise<{ measured: number; indexStructures: number }> {
  await descriptorPool();
  await settle();
  const m0 = process.memoryUsage();
  const index = new ReferenceIndex({ load: benchLoader });
  await fillIndex(index, n, 7);
  index.build();
  await settle();
  const m1 = process.memoryUsage();
  const grew = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  void index.size;
  return { measured: Math.round(grew / n), indexStructures: index.bytesPerReference() };
}

/**
 * One index of n synthetic references: resident bytes per reference (heap + array buffers grown,
 * after a GC when exposed, the index and its entries) and the median lookup ms on it.
 */
export async function lookupAndBytes(n: number, queries = 40): Promise<{ lookupMs: number; bytesPerReference: number }> {
  await descriptorPool();
  const qfps: Fingerprint[] = [];
  for (let i = 0; i < 8; i++) qfps.push(fingerprintWithFeatures(await renderRGBA(sceneSvg(100 + i, BASE_CAMERA), 1024), { query: true }).fp);
  await settle();
  const m0 = process.memoryUsage();
  const index = new ReferenceIndex({ load: benchLoader });
  await fillIndex(index, n, 11);
  index.build();
  await index.candidates(qfps[0], 3); // its lookup scratch (per-slot vote counters) counted too
  await settle();
  const m1 = process.memoryUsage();
  const grew = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  const times: number[] = [];
  for (let i = 0; i < queries; i++) {
    const t = performance.now();
    await index.candidates(qfps[i % qfps.length], 3);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { lookupMs: Math.round(times[times.length >> 1] * 100) / 100, bytesPerReference: Math.round(grew / n) };
}

/** A 12-MP (4032×3024) phone-like JPEG rendered from a scene. */
export async function phoneJpeg(product = 5): Promise<Uint8Array> {
  const svg = sceneSvg(product, BASE_CAMERA, 4032, 3024);
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
}

/** Full check vs decode-only of a 12-MP JPEG with `refs` references (the true one among them). */
export async function benchCheck(refs = 1000, runs = 3): Promise<{ decodeMs: number; checkMs: number; ratio: number }> {
  const bytes = await phoneJpeg(5);
  const index = new ReferenceIndex();
  const refImg = (await decodeInNode(bytes, 'jpeg', LIMITS.workingMaxSide)).image;
  index.add({ id: 'true', name: 'listing.jpg', libraryId: 'bench', fp: computeFingerprint(refImg) });
  await fillIndex(index, refs);
  const deps = { index, loadReference: async (id: string) => (id === 'true' ? refImg : undefined), decode: decodeInNode };
  const dec: number[] = [], chk: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    let t = performance.now();
    await decodeInNode(bytes, 'jpeg', LIMITS.analysisMaxSide);
    if (i) dec.push(performance.now() - t);
    t = performance.now();
    const r = await runCheck({ bytes }, deps);
    if (i) chk.push(performance.now() - t);
    if (!r.match) throw new Error('bench: the check did not find the reference');
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const decodeMs = Math.round(med(dec)), checkMs = Math.round(med(chk));
  return { decodeMs, checkMs, ratio: Math.round((checkMs / decodeMs) * 100) / 100 };
}

const isMain = process.argv[1] && /bench[\\/]node\.ts$/.test(process.argv[1]);
if (isMain) {
  const lookupMs = await benchLookup([1000, 10000, 100000]);
  const mem = await bytesPerReference(20000);
  const check = await benchCheck(1000);
  console.log(JSON.stringify({ lookupMs, bytesPerReference: mem.measured, indexBytesPerReference: mem.indexStructures, nodeCheck: check }));
}
