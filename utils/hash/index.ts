/**
 * In-memory index of the merchant's references (IndexedDB stays the truth).
 *
 * Two stages per lookup:
 *   1. SEARCH (in memory, sub-linear, multi-index hashing on compact typed arrays) finds a short
 *      list of slots:
 *      GLOBAL  the 256-bit blockhash of each reference, split into GLOBAL_CHUNKS 16-bit chunks
 *              (one CSR table per chunk, 4-byte postings = the slot). The mirror hash is not kept:
 *              a blockhash's mirror is its bits reversed within each 16-bit row (checked at add();
 *              the rare reference where float ties break it keeps its own mirror words), so the
 *              query probes its own mirrored variants instead. Every reference within
 *              GLOBAL_CHUNKS − 1 bits of a query variant is found, farther ones often.
 *      LOCAL   the first LOCAL_KEYPOINTS stored keypoints of each reference (strongest per
 *              pyramid level, round-robin) in one CSR table keyed on 16 descriptor bits (+ up to
 *              LOCAL_MAX_EXT more as the library grows, so that a mean bucket holds about
 *              LOCAL_BUCKET_TARGET postings), probed at Hamming radius 1 over the key; a posting
 *              is 8 bytes: slot·256 + 8 descriptor bits, then 32 more bits — 56 bits compared,
 *              LOCAL_COARSE_DISTANCE at most. A query keypoint votes once per reference it finds
 *              (1 + the bits left of the distance budget, so closer finds weigh more); one that
 *              finds more than LOCAL_COARSE_MAX_HITS references is a stop word.
 *      The SHORTLIST is the SHORTLIST_GLOBAL nearest global neighbours (≤ GLOBAL_CANDIDATE_DISTANCE)
 *      and the SHORTLIST_LOCAL references with the most local votes.
 *   2. RANK (exact, on the full fingerprints of the shortlisted references only, fetched through
 *      the `load` option — IndexedDB in the service — or kept in memory when no loader is given):
 *      exact global distance over every variant (stored mirror included); keypoint votes over all
 *      FP_KEYPOINTS stored descriptors, found as before through six 16-bit keys (now of the query's
 *      descriptors) and kept within LOCAL_MATCH_DISTANCE bits, counted in (reference, rotation,
 *      scale) Hough cells, LOCAL_MAX_HITS stop words, the same score.
 * The in-memory stage sees far fewer bits than the old index kept (56 of 128 bits, 28 of 48
 * keypoints), so its votes are noisy at a large library; the shortlist is wide to make up for it
 * (tests/bench/scale-eval.ts measures the pipeline's figures with 100k distractors).
 *
 * Memory per reference: global hash 32 B + its chunk postings 64 B + local postings
 * LOCAL_KEYPOINTS × 8 B + the id (a UUID packed in 17 B, its offset and hash slot ≈ 29 B) + flags
 * and lookup scratch + the fixed tables shared out: 389 B measured at 1M with UUID-shaped ids
 * (`node --max-old-space-size=16000 --expose-gc --import tsx tests/bench/million.ts`). No entry
 * objects, descriptors or strings per reference unless the index holds the entries itself (no
 * loader: tests, eval, the warm-up).
 *
 * Updates: add() files a reference's postings into a small delta (chained per key, typed arrays);
 * the next lookup (or build()) merges the delta into the CSR tables when it outgrows
 * DELTA_MIN_REFS and 1/DELTA_FRACTION of the library — one O(N) merge per ~3 % growth, and a bulk
 * load is merged once. remove() marks the slot dead; merges drop dead postings and renumber slots
 * when the dead dominate.
 */
import type { Fingerprint } from './fingerprint';
import { FP_KEYPOINTS, MIN_QUALITY } from './fingerprint';
import { popcount32 } from './features';

export interface IndexEntry {
  id: string;
  name: string;
  libraryId: string;
  fp: Fingerprint;
}

/** Full entries for slots of the shortlist (same order; undefined when gone from the store). */
export type EntryLoader = (ids: string[]) => Promise<(IndexEntry | undefined)[]>;

export interface IndexOptions {
  /**
   * Where full fingerprints come from at lookup (the service: IndexedDB). Without it the index keeps
   * the entries it is given in memory (tests, eval, the warm-up).
   */
  load?: EntryLoader;
}

export interface Candidate {
  entry: IndexEntry;
  /** Smallest Hamming distance over the global hash variants (0..256; 256 when not compared). */
  distance: number;
  /** Which global variant was closest: 'same', 'mirror', 'rot90', 'rot180', 'rot270', 'mirror+rot90', … */
  variant: string;
  /** Query keypoints that found a close descriptor of this reference (best Hough cell). */
  votes: number;
  /** Ranking score (higher first). */
  score: number;
}

export const GLOBAL_CHUNKS = 16;
/** Global distance at or under which a reference is a candidate on its own. */
export const GLOBAL_CANDIDATE_DISTANCE = 72;
/** Hough cells: rotation in 8 steps of 45°, scale in octaves. */
export const HOUGH_ANGLE_SHIFT = 5;
export const HOUGH_SCALE_STEP = 4;
/** Max Hamming distance over 128 bits for two descriptors to be the same point. */
export const LOCAL_MATCH_DISTANCE = 22;
/** Votes for a reference to be a candidate from the local stage alone. */
export const LOCAL_MIN_VOTES = 4;
/** Stored keypoints per reference in the in-memory local table (of FP_KEYPOINTS in the fingerprint). */
export const LOCAL_KEYPOINTS = 28;
/** Max differing bits of the 56 compared in memory (16 key + 8 + 32) for a local vote. */
export const LOCAL_COARSE_DISTANCE = 10;
/** Extra key bits (from the posting's 8-bit field) as the library grows: mean bucket ≤ LOCAL_BUCKET_TARGET. */
export const LOCAL_MAX_EXT = 8;
export const LOCAL_BUCKET_TARGET = 6;
/** Shortlist sizes: nearest global neighbours, best local votes. */
export const SHORTLIST_GLOBAL = 12;
export const SHORTLIST_LOCAL = 80;
/**
 * Buckets larger than MAX_BUCKET_FACTOR × the mean bucket size (and at least MAX_BUCKET_MIN) are
 * skipped at query time: they hold the commonest descriptors (flat areas, straight edges), which
 * say little and cost most.
 */
export const MAX_BUCKET_FACTOR = 4;
export const MAX_BUCKET_MIN = 64;
/** In memory (56 bits compared), a query descriptor finding more references than this is a stop word. */
export const LOCAL_COARSE_MAX_HITS = 24;
/** A query descriptor close to more stored descriptors than this is not distinctive and does not vote. */
export const LOCAL_MAX_HITS = 24;
/** The delta is merged into the CSR tables when it holds more than this many references and … */
export const DELTA_MIN_REFS = 2048;
/** … more than 1/DELTA_FRACTION of the library. */
export const DELTA_FRACTION = 32;
/** Slots are 24-bit in the local postings. */
export const MAX_SLOTS = 1 << 24;

const VARIANTS = ['same', 'rot90', 'rot180', 'rot270'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EMPTY = new Uint32Array(0);

function hexToWords(h: string, out: Uint32Array, at: number): void {
  for (let w = 0; w < 8; w++) out[at + w] = parseInt(h.slice(w * 8, w * 8 + 8), 16) >>> 0;
}

/** Reverse the low 16 bits. */
function rev16(v: number): number {
  v = ((v >>> 1) & 0x5555) | ((v & 0x5555) << 1);
  v = ((v >>> 2) & 0x3333) | ((v & 0x3333) << 2);
  v = ((v >>> 4) & 0x0f0f) | ((v & 0x0f0f) << 4);
  return ((v >>> 8) & 0x00ff) | ((v & 0x00ff) << 8);
}

/** Blockhash (16 rows of 16 bits, hex row-major) of the mirrored image: each row reversed. */
function mirrorWords(src: Uint32Array, at: number, out: Uint32Array, o: number): void {
  for (let w = 0; w < 8; w++) {
    const v = src[at + w];
    out[o + w] = ((rev16(v >>> 16) << 16) | rev16(v & 0xffff)) >>> 0;
  }
}

function chunkOf(words: Uint32Array, at: number, c: number): number {
  const word = words[at + (c >> 1)];
  return c & 1 ? word & 0xffff : word >>> 16;
}

function byteAt(d: Uint32Array, at: number, b: number): number {
  return (d[at + (b >> 2)] >>> ((b & 3) * 8)) & 0xff;
}
/** The 56 bits of a descriptor used in memory: key (bytes 0, 9), f8 (byte 2), f32 (bytes 11, 4, 13, 6). */
function key16(d: Uint32Array, at: number): number {
  return byteAt(d, at, 0) | (byteAt(d, at, 9) << 8);
}
function f8(d: Uint32Array, at: number): number {
  return byteAt(d, at, 2);
}
function f32(d: Uint32Array, at: number): number {
  return (byteAt(d, at, 11) | (byteAt(d, at, 4) << 8) | (byteAt(d, at, 13) << 16) | (byteAt(d, at, 6) << 24)) >>> 0;
}

/** Ids of the slots: UTF-8 bytes in one buffer, an open-addressing table id → slot. */
class IdTable {
  private bytes = new Uint8Array(4096);
  private used = 0;
  /** start[slot] .. start[slot + 1] in bytes. */
  private start = new Uint32Array(65);
  private n = 0;
  /** slot + 1, 0 empty, −1 deleted. */
  private table = new Int32Array(128);
  private filled = 0;
  private enc = new TextEncoder();
  private dec = new TextDecoder();

  get slots(): number { return this.n; }

  bytesUsed(): number { return this.bytes.byteLength + this.start.byteLength + this.table.byteLength; }

  private hashBytes(b: Uint8Array, from: number, to: number): number {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
    return h >>> 0;
  }

  /**
   * Stored form of an id: a lowercase UUID (the library's ids, crypto.randomUUID) as 0xFF and its
   * 16 bytes; anything else as UTF-8 (which never holds a 0xFF byte).
   */
  private encode(id: string): Uint8Array {
    if (id.length === 36 && UUID.test(id)) {
      const out = new Uint8Array(17);
      out[0] = 0xff;
      const hex = id.replace(/-/g, '');
      for (let i = 0; i < 16; i++) out[i + 1] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
      return out;
    }
    return this.enc.encode(id);
  }

  private decode(b: Uint8Array): string {
    if (b.length === 17 && b[0] === 0xff) {
      let h = '';
      for (let i = 1; i < 17; i++) h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    return this.dec.decode(b);
  }

  /** Give back the spare capacity of the growing buffers (after a bulk load). */
  trim(): void {
    if (this.bytes.length > this.used + 4096) this.bytes = this.bytes.slice(0, this.used + 4096);
    if (this.start.length > this.n + 1025) this.start = this.start.slice(0, this.n + 1025);
  }

  /** Appends the id of slot n (= slots), returns the slot. */
  push(id: string): number {
    const b = this.encode(id);
    if (this.used + b.length > this.bytes.length) {
      const g = new Uint8Array(Math.max(this.bytes.length * 2, this.used + b.length));
      g.set(this.bytes.subarray(0, this.used));
      this.bytes = g;
    }
    this.bytes.set(b, this.used);
    if (this.n + 2 > this.start.length) {
      const g = new Uint32Array(this.start.length * 2);
      g.set(this.start);
      this.start = g;
    }
    this.start[this.n] = this.used;
    this.used += b.length;
    this.start[this.n + 1] = this.used;
    const slot = this.n++;
    this.insert(slot, this.hashBytes(b, 0, b.length));
    return slot;
  }

  private insert(slot: number, h: number): void {
    if ((this.filled + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      if (this.table[i] <= 0) {
        if (this.table[i] === 0) this.filled++;
        this.table[i] = slot + 1;
        return;
      }
    }
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size);
    this.filled = 0;
    const mask = size - 1;
    for (let j = 0; j < old.length; j++) {
      const s = old[j] - 1;
      if (s < 0) continue;
      for (let i = this.hashBytes(this.bytes, this.start[s], this.start[s + 1]) & mask; ; i = (i + 1) & mask) {
        if (this.table[i] === 0) { this.table[i] = s + 1; this.filled++; break; }
      }
    }
  }

  /** Slot of a live id, or −1. */
  find(id: string): number {
    const b = this.encode(id);
    const mask = this.table.length - 1;
    for (let i = this.hashBytes(b, 0, b.length) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i];
      if (v === 0) return -1;
      if (v < 0) continue;
      const s = v - 1, from = this.start[s], len = this.start[s + 1] - from;
      if (len !== b.length) continue;
      let same = true;
      for (let k = 0; k < len; k++) if (this.bytes[from + k] !== b[k]) { same = false; break; }
      if (same) return s;
    }
  }

  /** Forget a slot's id for find() (its bytes stay until renumber()). */
  drop(id: string): void {
    const s = this.find(id);
    if (s < 0) return;
    const mask = this.table.length - 1;
    for (let i = this.hashBytes(this.bytes, this.start[s], this.start[s + 1]) & mask; ; i = (i + 1) & mask) {
      if (this.table[i] === s + 1) { this.table[i] = -1; return; }
    }
  }

  idOf(slot: number): string {
    return this.decode(this.bytes.subarray(this.start[slot], this.start[slot + 1]));
  }

  /** Keep the slots with remap[slot] ≥ 0, renumbered to remap[slot] (increasing). */
  renumber(remap: Int32Array, live: number): void {
    const bytes = new Uint8Array(Math.max(4096, this.used));
    const start = new Uint32Array(Math.max(65, live + 2));
    let used = 0;
    for (let s = 0; s < this.n; s++) {
      const t = remap[s];
      if (t < 0) continue;
      const from = this.start[s], to = this.start[s + 1];
      bytes.set(this.bytes.subarray(from, to), used);
      start[t] = used;
      used += to - from;
      start[t + 1] = used;
    }
    this.bytes = bytes; this.start = start; this.used = used; this.n = live;
    let size = 128;
    while (size < live * 2 + 2) size *= 2;
    this.table = new Int32Array(size);
    this.filled = 0;
    const mask = size - 1;
    for (let s = 0; s < live; s++) {
      for (let i = this.hashBytes(bytes, start[s], start[s + 1]) & mask; ; i = (i + 1) & mask) {
        if (this.table[i] === 0) { this.table[i] = s + 1; this.filled++; break; }
      }
    }
  }

  clear(): void {
    this.bytes = new Uint8Array(4096); this.used = 0; this.start = new Uint32Array(65); this.n = 0;
    this.table = new Int32Array(128); this.filled = 0;
  }
}

export class ReferenceIndex {
  private readonly loader?: EntryLoader;
  /** Entries by slot when no loader was given. */
  private held: (IndexEntry | undefined)[] = [];
  private ids = new IdTable();
  private live = 0;
  private cap = 0;
  /** slot × 8 words: the global hash. */
  private globals = EMPTY;
  /** 1 per live slot. */
  private alive = new Uint8Array(0);
  /** Slots whose mirror hash is not the row-reversed global (float ties in blockhash), and their mirror words. */
  private mirrorExc = new Map<number, Uint32Array>();
  /** Slots without a global hash (skipped by the global search). */
  private noGlobal = new Set<number>();
  /** Slots below this are in the CSR tables; the others are in the delta. */
  private indexed = 0;
  /** GLOBAL CSR: per chunk, bucket b = slots gPost[c][gStart[c][b] .. gStart[c][b + 1]). */
  private gStart: Uint32Array[] = [];
  private gPost: Uint32Array[] = [];
  /** LOCAL CSR over bucket = key16 << ext | (f8 & extMask): lA = slot << 8 | f8, lB = f32. */
  private ext = 0;
  private lStart = new Uint32Array(65537);
  private lA = EMPTY;
  private lB = EMPTY;
  /** LOCAL delta, chained per key16 (dHead), typed arrays only. */
  private dA = new Uint32Array(1024);
  private dB = new Uint32Array(1024);
  private dNext = new Int32Array(1024);
  private dKey = new Uint16Array(1024);
  private dHead = new Int32Array(65536).fill(-1);
  private dCount = new Uint32Array(65536);
  private dN = 0;
  /** Scratch: local votes per slot during one lookup (reset after). */
  private raw = new Uint16Array(0);
  /** Scratch: global distance + 1 per slot during one lookup (0 = not seen; reset after). */
  private gd = new Uint16Array(0);
  private hitBuf = new Int32Array(256);
  private probeBuf = new Int32Array(3 * (17 + LOCAL_MAX_EXT));
  /** Keeps the touching reads from being optimised away. */
  private sink = 0;


  constructor(opts: IndexOptions = {}) {
    this.loader = opts.load;
    this.resetCsr();
  }

  get size(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.ids.find(id) >= 0;
  }

  add(e: IndexEntry): void {
    if (this.ids.find(e.id) >= 0) this.remove(e.id);
    if (this.ids.slots >= MAX_SLOTS) this.merge(true);
    if (this.ids.slots >= MAX_SLOTS) throw new Error('ReferenceIndex: too many references');
    const slot = this.ids.push(e.id);
    this.grow(slot + 1);
    this.alive[slot] = 1;
    this.live++;
    if (!this.loader) this.held[slot] = e;
    const fp = e.fp;
    if (typeof fp?.global === 'string' && fp.global.length === 64) {
      hexToWords(fp.global, this.globals, slot * 8);
      if (typeof fp.mirror === 'string' && fp.mirror.length === 64) {
        const m = new Uint32Array(8), rm = new Uint32Array(8);
        hexToWords(fp.mirror, m, 0);
        mirrorWords(this.globals, slot * 8, rm, 0);
        for (let w = 0; w < 8; w++) if (m[w] !== rm[w]) { this.mirrorExc.set(slot, m); break; }
      }
    } else {
      // no global hash: never a global neighbour
      this.globals.fill(0, slot * 8, slot * 8 + 8);
      this.noGlobal.add(slot);
    }
    const kp = fp?.kp instanceof Uint32Array ? fp.kp : undefined;
    const n = kp ? Math.min(LOCAL_KEYPOINTS, kp.length >> 2) : 0;
    if (this.dN + n > this.dA.length) this.growDelta(this.dN + n);
    for (let k = 0; k < n; k++) {
      const key = key16(kp!, k * 4), p = this.dN++;
      this.dA[p] = ((slot << 8) | f8(kp!, k * 4)) >>> 0;
      this.dB[p] = f32(kp!, k * 4);
      this.dKey[p] = key;
      this.dNext[p] = this.dHead[key];
      this.dHead[key] = p;
      this.dCount[key]++;
    }
  }

  /** Merge what was added into the CSR tables now instead of at the first lookup (call after a bulk load). */
  build(): void {
    this.merge(true);
    // spare capacity from growing by doubling goes (a bulk load is usually followed by few adds)
    const n = this.ids.slots;
    if (this.cap > n + 1024) {
      this.globals = this.globals.slice(0, (n + 1024) * 8);
      this.alive = this.alive.slice(0, n + 1024);
      this.cap = n + 1024;
    }
    this.ids.trim();
  }

  remove(id: string): void {
    const slot = this.ids.find(id);
    if (slot < 0) return;
    this.ids.drop(id);
    this.alive[slot] = 0;
    this.held[slot] = undefined;
    this.mirrorExc.delete(slot);
    this.noGlobal.delete(slot);
    this.live--;
  }

  clear(): void {
    this.held = [];
    this.ids.clear();
    this.live = 0;
    this.cap = 0;
    this.globals = EMPTY;
    this.alive = new Uint8Array(0);
    this.mirrorExc.clear();
    this.noGlobal.clear();
    this.indexed = 0;
    this.resetCsr();
    this.resetDelta();
  }

  /** The entry of a live id (fetched through the loader when the index does not hold entries). */
  async get(id: string): Promise<IndexEntry | undefined> {
    const slot = this.ids.find(id);
    if (slot < 0) return undefined;
    return (await this.entriesOf([slot]))[0];
  }

  private async entriesOf(slots: number[]): Promise<(IndexEntry | undefined)[]> {
    if (!this.loader) return slots.map((s) => this.held[s]);
    const ids = slots.map((s) => this.ids.idOf(s));
    const got = await this.loader(ids);
    // a loaded entry must be the one asked for (a store changed meanwhile returns others or none)
    return got.map((e, i) => (e && e.id === ids[i] && e.fp ? e : undefined));
  }

  /**
   * Bytes per reference of the per-reference arrays at this size (typed arrays only; the fixed
   * tables — 16 global chunk heads, the local head table — are spread over the references too).
   */
  bytesPerReference(n = Math.max(1, this.live)): number {
    const fixed = GLOBAL_CHUNKS * 65537 * 4 + (65536 << this.extFor(n * LOCAL_KEYPOINTS)) * 4 + 65536 * 8;
    // global 32 B, chunk postings 4 B each, local postings 8 B each, alive 1 B, scratch 4 B, id offset + hash slot ~12 B
    return Math.round(32 + GLOBAL_CHUNKS * 4 + LOCAL_KEYPOINTS * 8 + 1 + 4 + 12 + fixed / n);
  }

  private extFor(postings: number): number {
    let e = 0;
    while (e < LOCAL_MAX_EXT && postings / (65536 << e) > LOCAL_BUCKET_TARGET) e++;
    return e;
  }

  private grow(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 64, this.cap * 2);
    const g = new Uint32Array(cap * 8); g.set(this.globals); this.globals = g;
    const a = new Uint8Array(cap); a.set(this.alive); this.alive = a;
    this.cap = cap;
  }

  private growDelta(n: number): void {
    const size = Math.max(n, this.dA.length * 2);
    const a = new Uint32Array(size); a.set(this.dA.subarray(0, this.dN)); this.dA = a;
    const b = new Uint32Array(size); b.set(this.dB.subarray(0, this.dN)); this.dB = b;
    const x = new Int32Array(size); x.set(this.dNext.subarray(0, this.dN)); this.dNext = x;
    const k = new Uint16Array(size); k.set(this.dKey.subarray(0, this.dN)); this.dKey = k;
  }

  private resetCsr(): void {
    this.gStart = Array.from({ length: GLOBAL_CHUNKS }, () => new Uint32Array(65537));
    this.gPost = Array.from({ length: GLOBAL_CHUNKS }, () => EMPTY);
    this.ext = 0;
    this.lStart = new Uint32Array(65537);
    this.lA = EMPTY;
    this.lB = EMPTY;
  }

  private resetDelta(): void {
    this.dHead.fill(-1);
    this.dCount.fill(0);
    this.dN = 0;
    if (this.dA.length > 1 << 16) {
      this.dA = new Uint32Array(1024); this.dB = new Uint32Array(1024);
      this.dNext = new Int32Array(1024); this.dKey = new Uint16Array(1024);
    }
  }

  /**
   * Before a lookup: merge the delta into the CSR tables when it is large (force: always). Dead
   * slots' postings go; slots are renumbered when the dead are more than the live.
   */
  private merge(force = false): void {
    const nslots = this.ids.slots;
    const pending = nslots - this.indexed;
    if (!pending && !force) return;
    if (!force && pending <= Math.max(DELTA_MIN_REFS, this.live / DELTA_FRACTION)) return;
    if (!pending && nslots - this.live === 0) return;
    // renumbering
    const dead = nslots - this.live;
    let remap: Int32Array | undefined;
    if (dead > 256 && dead > this.live) {
      remap = new Int32Array(nslots);
      let t = 0;
      for (let s = 0; s < nslots; s++) remap[s] = this.alive[s] ? t++ : -1;
    }
    const slotMap = (s: number) => (remap ? remap[s] : this.alive[s] ? s : -1);
    // LOCAL: count per new bucket, from the CSR (bucket order) and the delta
    const oldExt = this.ext, oldStart = this.lStart, oldA = this.lA, oldB = this.lB;
    let livePostings = 0;
    const oldBuckets = 65536 << oldExt;
    for (let b = 0; b < oldBuckets; b++) {
      for (let p = oldStart[b], end = oldStart[b + 1]; p < end; p++) if (this.alive[oldA[p] >>> 8]) livePostings++;
    }
    for (let p = 0; p < this.dN; p++) if (this.alive[this.dA[p] >>> 8]) livePostings++;
    const ext = this.extFor(livePostings), extMask = (1 << ext) - 1;
    const start = new Uint32Array((65536 << ext) + 1);
    const bucketOfOld = (b: number, a: number) => ((b >>> oldExt) << ext) | (a & extMask);
    for (let b = 0; b < oldBuckets; b++) {
      for (let p = oldStart[b], end = oldStart[b + 1]; p < end; p++) {
        const a = oldA[p];
        if (this.alive[a >>> 8]) start[bucketOfOld(b, a) + 1]++;
      }
    }
    for (let p = 0; p < this.dN; p++) {
      const a = this.dA[p];
      if (this.alive[a >>> 8]) start[((this.dKey[p] << ext) | (a & extMask)) + 1]++;
    }
    for (let b = 0; b < 65536 << ext; b++) start[b + 1] += start[b];
    const A = new Uint32Array(livePostings), B = new Uint32Array(livePostings);
    const fill = start.slice(0, 65536 << ext);
    for (let b = 0; b < oldBuckets; b++) {
      for (let p = oldStart[b], end = oldStart[b + 1]; p < end; p++) {
        const a = oldA[p], s = slotMap(a >>> 8);
        if (s < 0) continue;
        const q = fill[bucketOfOld(b, a)]++;
        A[q] = ((s << 8) | (a & 0xff)) >>> 0;
        B[q] = oldB[p];
      }
    }
    // delta in insertion order (slot order), so a bucket's postings stay in slot order
    for (let p = 0; p < this.dN; p++) {
      const a = this.dA[p], s = slotMap(a >>> 8);
      if (s < 0) continue;
      const q = fill[(this.dKey[p] << ext) | (a & extMask)]++;
      A[q] = ((s << 8) | (a & 0xff)) >>> 0;
      B[q] = this.dB[p];
    }
    this.ext = ext; this.lStart = start; this.lA = A; this.lB = B;
    this.resetDelta();
    // slots renumbered: globals, flags, held entries, exceptions, ids
    if (remap) {
      const live = this.live;
      const g = new Uint32Array(Math.max(64, live) * 8), al = new Uint8Array(Math.max(64, live));
      const held: (IndexEntry | undefined)[] = [];
      for (let s = 0; s < nslots; s++) {
        const t = remap[s];
        if (t < 0) continue;
        g.set(this.globals.subarray(s * 8, s * 8 + 8), t * 8);
        al[t] = 1;
        if (!this.loader) held[t] = this.held[s];
      }
      this.globals = g; this.alive = al; this.cap = Math.max(64, live); this.held = held;
      this.mirrorExc = new Map([...this.mirrorExc].map(([s, m]) => [remap![s], m]));
      this.noGlobal = new Set([...this.noGlobal].map((s) => remap![s]));
      this.ids.renumber(remap, live);
    }
    const n = this.ids.slots;
    // GLOBAL: rebuilt from the hashes (16 tables, counting sort per chunk)
    for (let c = 0; c < GLOBAL_CHUNKS; c++) {
      const gs = new Uint32Array(65537);
      let count = 0;
      for (let s = 0; s < n; s++) if (this.alive[s] && !this.noGlobal.has(s)) { gs[chunkOf(this.globals, s * 8, c) + 1]++; count++; }
      for (let b = 0; b < 65536; b++) gs[b + 1] += gs[b];
      const post = this.gPost[c].length === count ? this.gPost[c] : new Uint32Array(count);
      const f = gs.slice(0, 65536);
      for (let s = 0; s < n; s++) if (this.alive[s] && !this.noGlobal.has(s)) post[f[chunkOf(this.globals, s * 8, c)]++] = s;
      this.gStart[c] = gs;
      this.gPost[c] = post;
    }
    this.indexed = n;
  }

  /**
   * The k most likely references for a query fingerprint: global-hash neighbours over the
   * orientation variants the query carries, and local keypoint votes (see the file comment).
   */
  async candidates(q: Fingerprint, k = 5): Promise<Candidate[]> {
    const slots = this.shortlist(q);
    if (!slots.length) return [];
    const entries = await this.entriesOf(slots);
    const got: { slot: number; entry: IndexEntry }[] = [];
    slots.forEach((s, i) => { const e = entries[i]; if (e && this.alive[s]) got.push({ slot: s, entry: e }); });
    return rank(q, got, k);
  }

  /** Stage 1: the slots worth ranking exactly, in slot order (`debug` receives each voted slot's local votes). */
  shortlist(q: Fingerprint, debug?: Map<number, number>): number[] {
    this.merge();
    const n = this.ids.slots;
    if (this.gd.length < n) { this.gd = new Uint16Array(Math.max(n, this.gd.length * 2)); this.raw = new Uint16Array(this.gd.length); }
    const gd = this.gd, raw = this.raw, alive = this.alive, G = this.globals;
    const touchedG: number[] = [];
    // GLOBAL: 4 orientation variants of the query, each plain and mirrored
    const qh: string[] = [q.global, ...(q.rot ?? [])];
    const probes: Uint32Array[] = [];
    for (const h of qh) {
      if (typeof h !== 'string' || h.length !== 64) continue;
      const w = new Uint32Array(8), m = new Uint32Array(8);
      hexToWords(h, w, 0);
      mirrorWords(w, 0, m, 0);
      probes.push(w, m);
    }
    const see = (s: number, d: number) => {
      if (d > GLOBAL_CANDIDATE_DISTANCE || !alive[s]) return;
      if (gd[s] === 0) touchedG.push(s);
      if (gd[s] === 0 || d + 1 < gd[s]) gd[s] = d + 1;
    };
    const maxG = Math.max(MAX_BUCKET_MIN, n >> 4);
    for (let pi = 0; pi < probes.length; pi++) {
      const pw = probes[pi], mirrored = pi & 1;
      for (let c = 0; c < GLOBAL_CHUNKS; c++) {
        const key = chunkOf(pw, 0, c), gs = this.gStart[c], post = this.gPost[c];
        const from = gs[key], to = gs[key + 1];
        if (to - from > maxG) continue;
        for (let j = from; j < to; j++) {
          const s = post[j];
          if (mirrored && this.mirrorExc.has(s)) continue;
          let d = 0;
          for (let w = 0, at = s * 8; w < 8; w++) d += popcount32(pw[w] ^ G[at + w]);
          see(s, d);
        }
      }
      // the delta's references: linear
      for (let s = this.indexed; s < n; s++) {
        if (!alive[s] || this.noGlobal.has(s) || (mirrored && this.mirrorExc.has(s))) continue;
        let d = 0;
        for (let w = 0, at = s * 8; w < 8; w++) d += popcount32(pw[w] ^ G[at + w]);
        see(s, d);
      }
    }
    // references whose mirror is not the reversed global: their own mirror words, linear (rare)
    if (this.mirrorExc.size) {
      for (const [s, m] of this.mirrorExc) {
        if (this.noGlobal.has(s)) continue;
        for (let pi = 0; pi < probes.length; pi += 2) {
          let d = 0;
          for (let w = 0; w < 8; w++) d += popcount32(probes[pi][w] ^ m[w]);
          see(s, d);
        }
      }
    }
    touchedG.sort((a, b) => gd[a] - gd[b] || a - b);
    const pick = new Set<number>(touchedG.slice(0, SHORTLIST_GLOBAL));
    for (const s of touchedG) gd[s] = 0;
    // LOCAL votes
    const touchedL: number[] = [];
    const ext = this.ext, extMask = (1 << ext) - 1, keyBits = 16 + ext;
    const lStart = this.lStart, lA = this.lA, lB = this.lB;
    const meanBucket = this.lA.length / (65536 << ext);
    const maxBucket = Math.max(MAX_BUCKET_MIN, Math.ceil(MAX_BUCKET_FACTOR * meanBucket));
    const hasDelta = this.dN > 0, dA = this.dA, dB = this.dB, dNext = this.dNext, dHead = this.dHead, dCount = this.dCount;
    const dMax = Math.max(MAX_BUCKET_MIN, Math.ceil(MAX_BUCKET_FACTOR * (this.dN / 65536)));
    let hits = this.hitBuf, touch = 0;
    const probe = this.probeBuf;
    for (const set of [q.kp, q.kpm]) {
      if (!(set instanceof Uint32Array)) continue;
      const nq = set.length >> 2;
      for (let i = 0; i < nq; i++) {
        const at = i * 4, qk = key16(set, at), q8 = f8(set, at), q32 = f32(set, at);
        const qb = (qk << ext) | (q8 & extMask), restMask = 0xff & ~extMask;
        let nh = 0;
        // CSR: the bucket and its neighbours at one flipped key bit. Their bounds first, then a
        // touch of each bucket's first posting, then the scans: reads that do not wait on each
        // other, so their cache misses overlap
        let np = 0;
        for (let flip = -1; flip < keyBits; flip++) {
          const b = flip < 0 ? qb : qb ^ (1 << flip);
          probe[np] = lStart[b]; probe[np + 1] = lStart[b + 1]; probe[np + 2] = flip < 0 ? 0 : 1;
          np += 3;
        }
        for (let x = 0; x < np; x += 3) if (probe[x + 1] > probe[x]) touch ^= lA[probe[x]] ^ lB[probe[x]];
        for (let x = 0; x < np; x += 3) {
          const from = probe[x], to = probe[x + 1];
          if (to - from > maxBucket) continue;
          const budget = LOCAL_COARSE_DISTANCE - probe[x + 2];
          for (let p = from; p < to; p++) {
            const a = lA[p];
            const d = popcount32((a ^ q8) & restMask) + popcount32(lB[p] ^ q32);
            if (d > budget) continue;
            if (nh === hits.length) { const g = new Int32Array(hits.length * 2); g.set(hits); hits = this.hitBuf = g; }
            hits[nh++] = ((a >>> 8) << 4) | (budget - d);
          }
        }
        // delta: chains of the key and its one-bit neighbours (all 8 bits of f8 compared)
        if (hasDelta) {
          for (let flip = -1; flip < 16; flip++) {
            const key = flip < 0 ? qk : qk ^ (1 << flip);
            if (dCount[key] > dMax) continue;
            const budget = LOCAL_COARSE_DISTANCE - (flip < 0 ? 0 : 1);
            for (let p = dHead[key]; p >= 0; p = dNext[p]) {
              const a = dA[p];
              const d = popcount32((a ^ q8) & 0xff) + popcount32(dB[p] ^ q32);
              if (d > budget) continue;
              if (nh === hits.length) { const g = new Int32Array(hits.length * 2); g.set(hits); hits = this.hitBuf = g; }
              hits[nh++] = ((a >>> 8) << 4) | (budget - d);
            }
          }
        }
        if (!nh) continue;
        // hits are slot · 16 + closeness (bits left of the distance budget): one vote per
        // reference, worth a little more when closer (ranks references with equal votes)
        const h = hits.subarray(0, nh).sort();
        let distinct = 1;
        for (let j = 1; j < nh; j++) if (h[j] >>> 4 !== h[j - 1] >>> 4) distinct++;
        if (distinct > LOCAL_COARSE_MAX_HITS) continue; // a stop word
        for (let j = 0; j < nh; j++) {
          if (j + 1 < nh && h[j + 1] >>> 4 === h[j] >>> 4) continue; // the closest is last
          const s = h[j] >>> 4;
          if (!alive[s]) continue;
          if (raw[s] === 0) touchedL.push(s);
          raw[s] = Math.min(65535, raw[s] + (h[j] & 15) + 1);
        }
      }
    }
    this.sink ^= touch;
    touchedL.sort((a, b) => raw[b] - raw[a] || a - b);
    if (debug) for (const s of touchedL) debug.set(s, raw[s]);
    for (let j = 0; j < touchedL.length && j < SHORTLIST_LOCAL; j++) pick.add(touchedL[j]);
    for (const s of touchedL) raw[s] = 0;
    return [...pick].sort((a, b) => a - b);
  }
}

/**
 * Stage 2: exact scores of the shortlisted references from their full fingerprints (global distance
 * over every variant; Hough-cell keypoint votes over all their descriptors), best k.
 */
function rank(q: Fingerprint, got: { slot: number; entry: IndexEntry }[], k: number): Candidate[] {
  const nr = got.length;
  const dist = new Array<number>(nr).fill(256), variant = new Array<string>(nr).fill('same');
  // GLOBAL
  const qh: string[] = [q.global, ...(q.rot ?? [])];
  const qw = new Uint32Array(8), rw = new Uint32Array(16);
  qh.forEach((h, vi) => {
    if (typeof h !== 'string' || h.length !== 64) return;
    hexToWords(h, qw, 0);
    for (let r = 0; r < nr; r++) {
      const fp = got[r].entry.fp;
      if (typeof fp.global !== 'string' || fp.global.length !== 64) continue;
      hexToWords(fp.global, rw, 0);
      const hasMirror = typeof fp.mirror === 'string' && fp.mirror.length === 64;
      if (hasMirror) hexToWords(fp.mirror, rw, 8);
      for (let m = 0; m < (hasMirror ? 2 : 1); m++) {
        let d = 0;
        for (let w = 0; w < 8; w++) d += popcount32(qw[w] ^ rw[m * 8 + w]);
        if (d > GLOBAL_CANDIDATE_DISTANCE || d >= dist[r]) continue;
        dist[r] = d;
        variant[r] = m ? (vi ? `mirror+${VARIANTS[vi]}` : 'mirror') : VARIANTS[vi];
      }
    }
  });
  // LOCAL: the shortlist's stored descriptors (all FP_KEYPOINTS, one flat array) against the
  // query's, found through six 16-bit keys of the query descriptors (multi-index hashing, the
  // same keys the index used before it moved descriptors out of memory), then the full distance
  const votes = new Array<number>(nr).fill(0);
  let total = 0;
  for (const { entry } of got) total += entry.fp.kp instanceof Uint32Array ? Math.min(FP_KEYPOINTS, entry.fp.kp.length >> 2) : 0;
  const D = new Uint32Array(total * 4), owner = new Uint16Array(total), ga = new Uint8Array(total), gs = new Uint8Array(total).fill(128);
  let o = 0;
  got.forEach(({ entry }, r) => {
    const kp = entry.fp.kp, g = entry.fp.kpg instanceof Uint8Array ? entry.fp.kpg : undefined;
    if (!(kp instanceof Uint32Array)) return;
    const n = Math.min(FP_KEYPOINTS, kp.length >> 2);
    D.set(kp.subarray(0, n * 4), o * 4);
    for (let kk = 0; kk < n; kk++, o++) {
      owner[o] = r;
      if (g && g.length >= (kk + 1) * 2) { ga[o] = g[kk * 2]; gs[o] = g[kk * 2 + 1]; }
    }
  });
  const qs0 = q.kp instanceof Uint32Array ? q.kp : EMPTY, qs1 = q.kpm instanceof Uint32Array ? q.kpm : EMPTY;
  const n0 = qs0.length >> 2, nq = n0 + (qs1.length >> 2);
  const Q = new Uint32Array(nq * 4);
  Q.set(qs0.subarray(0, n0 * 4), 0);
  Q.set(qs1.subarray(0, (nq - n0) * 4), n0 * 4);
  const heads = rankHeads(), next = new Int32Array(nq * RANK_TABLES);
  for (let u = 0; u < nq; u++) {
    for (let t = 0; t < RANK_TABLES; t++) {
      const key = rankKey(Q, u * 4, t), b = t * 65536 + key;
      next[u * RANK_TABLES + t] = heads[b];
      heads[b] = u;
    }
  }
  // pairs (query descriptor u, stored descriptor j) within LOCAL_MATCH_DISTANCE, each once
  const pairU: number[] = [], pairJ: number[] = [];
  const stamp = new Int32Array(nq).fill(-1);
  for (let j = 0, b = 0; j < total; j++, b += 4) {
    const d0 = D[b], d1 = D[b + 1], d2 = D[b + 2], d3 = D[b + 3];
    for (let t = 0; t < RANK_TABLES; t++) {
      for (let u = heads[t * 65536 + rankKey(D, b, t)]; u >= 0; u = next[u * RANK_TABLES + t]) {
        if (stamp[u] === j) continue;
        const a = u * 4;
        if (popcount32(Q[a] ^ d0) + popcount32(Q[a + 1] ^ d1) + popcount32(Q[a + 2] ^ d2) + popcount32(Q[a + 3] ^ d3) > LOCAL_MATCH_DISTANCE) continue;
        stamp[u] = j;
        pairU.push(u); pairJ.push(j);
      }
    }
  }
  for (let u = 0; u < nq; u++) for (let t = 0; t < RANK_TABLES; t++) heads[t * 65536 + rankKey(Q, u * 4, t)] = -1;
  // per query descriptor: its hits in (reference, mirror set, rotation, scale) cells
  const order = pairU.map((_, i) => i).sort((x, y) => pairU[x] - pairU[y] || pairJ[x] - pairJ[y]);
  const qg = q.kpg instanceof Uint8Array ? q.kpg : undefined;
  const rawVotes = new Array<number>(nr).fill(0);
  const allHits: number[] = [];
  const hits: number[] = [];
  for (let x = 0; x < order.length;) {
    const u = pairU[order[x]];
    let y = x;
    while (y < order.length && pairU[order[y]] === u) y++;
    // a descriptor found in too many references is a "stop word": it votes for none
    if (y - x <= LOCAL_MAX_HITS) {
      const si = u < n0 ? 0 : 1, i = si ? u - n0 : u;
      // a mirrored keypoint's orientation is π − θ
      const qa = qg ? (si ? (128 - qg[i * 2]) & 255 : qg[i * 2]) : 0;
      const qs = qg ? qg[i * 2 + 1] : 128;
      hits.length = 0;
      for (let z = x; z < y; z++) {
        const j = pairJ[order[z]];
        const ab = (((ga[j] - qa) & 255) + (1 << (HOUGH_ANGLE_SHIFT - 1))) & 255;
        const sb = Math.max(0, Math.min(15, Math.floor((gs[j] - qs) / HOUGH_SCALE_STEP + 8.5)));
        hits.push((owner[j] * 2 + si) * 128 + (ab >> HOUGH_ANGLE_SHIFT) * 16 + sb);
      }
      hits.sort((p1, p2) => p1 - p2);
      for (let h = 0; h < hits.length; h++) {
        if (h && hits[h] === hits[h - 1]) continue;
        rawVotes[(hits[h] / 256) | 0]++;
        allHits.push(hits[h]);
      }
    }
    x = y;
  }
  const cells = new Map<number, number>();
  for (const cell of allHits) {
    const r = (cell / 256) | 0;
    if (rawVotes[r] < LOCAL_MIN_VOTES) continue;
    const v = (cells.get(cell) ?? 0) + 1;
    cells.set(cell, v);
    if (v > votes[r]) votes[r] = v;
  }
  const out: (Candidate & { slot: number })[] = [];
  for (let r = 0; r < nr; r++) {
    if (dist[r] > GLOBAL_CANDIDATE_DISTANCE && votes[r] < LOCAL_MIN_VOTES) continue;
    const entry = got[r].entry;
    const quality = Math.min(entry.fp.quality ?? 0, q.quality ?? 0);
    const score = (votes[r] + Math.max(0, GLOBAL_CANDIDATE_DISTANCE - dist[r]) / 4) * (quality >= MIN_QUALITY ? 1 : 0.5);
    out.push({ entry, distance: dist[r], variant: variant[r], votes: votes[r], score, slot: got[r].slot });
  }
  out.sort((a, b) => b.score - a.score || a.distance - b.distance || a.slot - b.slot);
  return out.slice(0, k).map(({ slot: _s, ...c }) => c);
}

/** Keys of the exact stage: six disjoint byte pairs of the 16-byte descriptor. */
const RANK_TABLES = 6;
const RANK_KEY_BYTES: [number, number][] = [[0, 9], [2, 11], [4, 13], [6, 15], [8, 1], [10, 3]];
function rankKey(d: Uint32Array, at: number, t: number): number {
  const kb = RANK_KEY_BYTES[t];
  return byteAt(d, at, kb[0]) | (byteAt(d, at, kb[1]) << 8);
}
let heads6: Int32Array | undefined;
/** Scratch heads of the exact stage's query tables (all −1 between calls). */
function rankHeads(): Int32Array {
  return (heads6 ??= new Int32Array(RANK_TABLES * 65536).fill(-1));
}
