/**
 * In-memory index of the merchant's references (IndexedDB stays the truth).
 *
 * Two sub-linear lookups, both multi-index hashing (exact match on disjoint substrings, then the
 * full Hamming distance on the few entries found):
 *   GLOBAL  the 256-bit blockhash (and its mirror) split into GLOBAL_CHUNKS 16-bit chunks; an entry
 *           within distance GLOBAL_CHUNKS − 1 is always found, farther ones often.
 *   LOCAL   each stored 128-bit keypoint descriptor split into LOCAL_TABLES 16-bit chunks; a query
 *           keypoint votes once for a reference when one of its descriptors is within
 *           LOCAL_MATCH_DISTANCE bits. Crops, rotations and screenshots keep enough keypoints
 *           to gather votes even when the global hash has drifted far.
 *
 * Layout: typed arrays only, so neither a bulk load nor a lookup makes per-bucket objects.
 *   GLOBAL  per chunk table, a chain through the codes slot·2 + isMirror (head per chunk value).
 *   LOCAL   a posting is three int32s: code = slot·FP_KEYPOINTS + k, then 64 more bits of the
 *           descriptor (8 bytes outside the table's key), compared inline (LOCAL_FILTER_DISTANCE)
 *           so that only the few postings that pass read the full descriptor — a cache miss in a
 *           large array, and the cost that dominated lookups when the inline filter was weak
 *           (descriptors sharing a key are alike, so a few bits separate little). Postings live
 *           in one contiguous array per table (CSR: offsets per key value, then the postings),
 *           built in bulk by compact(). add() only stores the descriptors; the next keypoint
 *           lookup (sync) chains the new references' postings into a small delta, or compacts
 *           when the delta would outgrow DELTA_MIN_POSTINGS and 1/DELTA_FRACTION of the CSR —
 *           so loading N references is one O(N) compaction at the first lookup (or at build(),
 *           which the service calls right after loading). Removed
 *           references are skipped at lookup and dropped at the next compaction.
 * A lookup per query descriptor: (1) finds its bucket in each table and touches their cache
 * lines, (2) scans them with the inline filter (branch-free), collecting the codes that pass,
 * (3) touches those descriptors, then computes the full distances — the memory reads of each
 * step are independent of each other, so the CPU overlaps their misses.
 * Cost per lookup grows with the bucket sizes (library size × FP_KEYPOINTS / 65 536 per table,
 * capped by MAX_BUCKET_FACTOR): a few ns per scanned posting plus one miss per filter pass; see
 * tests/bench/node.ts for the measured figures.
 *
 * Scale. Memory per reference: bytesPerReference() ≈ 4.5 kB of index structures, ≈ 8.5 kB with
 * the entries (`npx tsx tests/bench/node.ts`). Lookup stays under 5 ms to 100 000 references
 * (`npm run bench`), about 0.85 GB. One million references would take ≈ 35 ms per lookup and
 * ≈ 8 GB, which no browser tab gives, so that size is planned, not served by this class alone:
 *   1. shards — one index per library (a merchant's shops and seasons), loaded when a page of
 *      that shop is checked; lookup cost and memory follow the shard, not the whole collection;
 *   2. fewer stored keypoints for old references (FP_KEYPOINTS 48 → 16 keeps the global hash
 *      and the strongest points: about a third of the postings; costs recall on crops first);
 *   3. postings of cold shards in IndexedDB, read by key (6 tables × 300 query keys per check),
 *      with the global chunks kept in memory for the common re-saved copy.
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

export interface Candidate {
  entry: IndexEntry;
  /** Smallest Hamming distance over the global hash variants (0..256; 256 when not compared). */
  distance: number;
  /** Which global variant was closest: 'same', 'mirror', 'rot90', 'rot180', 'rot270', 'mirror+rot90', … */
  variant: string;
  /** Query keypoints that found a close descriptor of this reference. */
  votes: number;
  /** Ranking score (higher first). */
  score: number;
}

export const GLOBAL_CHUNKS = 16;
/** Global distance at or under which a reference is a candidate on its own. */
export const GLOBAL_CANDIDATE_DISTANCE = 72;
export const LOCAL_TABLES = 6;
/** Hough cells: rotation in 8 steps of 45°, scale in octaves. */
export const HOUGH_ANGLE_SHIFT = 5;
export const HOUGH_SCALE_STEP = 4;
/** Max Hamming distance over 128 bits for two descriptors to be the same point. */
export const LOCAL_MATCH_DISTANCE = 22;
/** Votes for a reference to be a candidate from the local stage alone. */
export const LOCAL_MIN_VOTES = 4;
/**
 * Buckets larger than MAX_BUCKET_FACTOR × the mean bucket size (and at least MAX_BUCKET_MIN) are
 * skipped at query time: they hold the commonest descriptors (flat areas, straight edges), which
 * say little and cost most.
 */
export const MAX_BUCKET_FACTOR = 4;
export const MAX_BUCKET_MIN = 64;
/**
 * Max differing filter bits (of 64) before the full descriptor is read. For a true match (≤
 * LOCAL_MATCH_DISTANCE differing bits, all outside the key, at uniform places) the filter rejects
 * it with probability 0.7 % at distance 22, 0.07 % at 20, < 0.001 % at ≤ 18 — at every distance
 * less often than the former 16-bit filter with threshold 6 (1.6 % at 22). On the bench's
 * descriptors (tests/bench/node.ts) it rejects 0.4 % of the matching postings of probed buckets
 * (former: 1.0 %) and passes ~9 % of all their postings (former: ~54 %; bucket-mates are alike;
 * for random descriptors it would be 0.01 %).
 */
export const LOCAL_FILTER_DISTANCE = 17;
/** A query descriptor close to more stored descriptors than this is not distinctive and does not vote. */
export const LOCAL_MAX_HITS = 24;
/**
 * Postings of references added since the last compaction are chained into the delta (cheap to
 * extend, slower to scan: one dependent read per posting) until it would hold more than
 * DELTA_MIN_POSTINGS and more than 1/DELTA_FRACTION of the CSR postings; then the next lookup
 * compacts (O(library size), about once per 1.6 % of growth).
 */
export const DELTA_MIN_POSTINGS = 65536;
export const DELTA_FRACTION = 64;

function hexToWords(h: string, out: Uint32Array, at: number): void {
  for (let w = 0; w < 8; w++) out[at + w] = parseInt(h.slice(w * 8, w * 8 + 8), 16) >>> 0;
}

const VARIANTS = ['same', 'rot90', 'rot180', 'rot270'];
const NO_POSTINGS = new Int32Array(0);

export class ReferenceIndex {
  private entries = new Map<string, IndexEntry>();
  private slotOf = new Map<string, number>();
  private slots: (IndexEntry | undefined)[] = [];
  private dead = 0;
  /** slot × 16 words: global then mirror. */
  private globals = new Uint32Array(16 * 64);
  /** slot × FP_KEYPOINTS × 4 words. */
  private desc = new Uint32Array(FP_KEYPOINTS * 4 * 64);
  private nkp = new Uint8Array(64);
  /** 1 per live slot (a removed reference's postings stay until the next compaction). */
  private alive = new Uint8Array(64);
  /** slot × FP_KEYPOINTS × 2 bytes: angle, size (see Fingerprint.kpg). */
  private geo = new Uint8Array(FP_KEYPOINTS * 2 * 64);
  /** Scratch: raw local votes per slot during one lookup (reset after). */
  private raw = new Uint16Array(64);
  /** Scratch: codes that passed the inline filter for one query descriptor. */
  private pass = new Int32Array(4096);
  /** Keeps the descriptor-touching loop from being optimised away. */
  private sink = 0;
  /** Scratch for probe(): per table the key, first and end posting word (−1: bucket skipped), the query's two filter words. */
  private range = new Int32Array(LOCAL_TABLES * 5);
  /** Scratch for probe(): the current delta posting per table. */
  private chain = new Int32Array(LOCAL_TABLES);
  /**
   * GLOBAL_CHUNKS chained tables over codes slot·2 + isMirror: gHead[c·65536 + chunk value] = the
   * latest code, gNext[code·GLOBAL_CHUNKS + c] = the one before it or −1; gCount = bucket sizes.
   */
  private gHead = new Int32Array(GLOBAL_CHUNKS * 65536).fill(-1);
  private gCount = new Uint32Array(GLOBAL_CHUNKS * 65536);
  private gNext = new Int32Array(2 * GLOBAL_CHUNKS * 64);
  /** Scratch: one global bucket in insertion order. */
  private gBucket = new Int32Array(256);
  /** LOCAL_TABLES CSR tables: bucket b holds postings start[b] .. start[b+1] − 1 of post. */
  private lStart: Uint32Array[] = Array.from({ length: LOCAL_TABLES }, () => new Uint32Array(65537));
  /** Postings, POSTING_WORDS int32 each: code = slot·FP_KEYPOINTS + k, then the filter words. */
  private lPost: Int32Array[] = Array.from({ length: LOCAL_TABLES }, () => NO_POSTINGS);
  private csrPostings = 0;
  /**
   * Delta postings (references added since the last compaction), POSTING_WORDS + 1 int32 each:
   * the posting, then the next posting of the same bucket or −1; chained per bucket from dHead,
   * dCount = bucket sizes. Typed arrays only: a bulk load creates no per-bucket objects.
   */
  private dPost = new Int32Array((POSTING_WORDS + 1) * 1024);
  private dHead: Int32Array[] = Array.from({ length: LOCAL_TABLES }, () => new Int32Array(65536).fill(-1));
  private dCount: Uint32Array[] = Array.from({ length: LOCAL_TABLES }, () => new Uint32Array(65536));
  private deltaPostings = 0;
  /** Slots below this have their local postings (CSR or delta); later ones wait for sync(). */
  private indexed = 0;

  get size(): number {
    return this.entries.size;
  }

  add(e: IndexEntry): void {
    if (this.entries.has(e.id)) this.remove(e.id);
    this.entries.set(e.id, e);
    const slot = this.slots.length;
    this.slots.push(e);
    this.slotOf.set(e.id, slot);
    this.grow(slot + 1);
    this.alive[slot] = 1;
    const fp = e.fp;
    if (typeof fp?.global === 'string' && fp.global.length === 64) {
      hexToWords(fp.global, this.globals, slot * 16);
      hexToWords(fp.mirror, this.globals, slot * 16 + 8);
      for (let m = 0; m < 2; m++) {
        const code = slot * 2 + m;
        for (let c = 0; c < GLOBAL_CHUNKS; c++) {
          const word = this.globals[slot * 16 + m * 8 + (c >> 1)];
          const b = c * 65536 + (c & 1 ? word >>> 16 : word & 0xffff);
          this.gNext[code * GLOBAL_CHUNKS + c] = this.gHead[b];
          this.gHead[b] = code;
          this.gCount[b]++;
        }
      }
    }
    const kp = fp?.kp instanceof Uint32Array ? fp.kp : undefined;
    const n = kp ? Math.min(FP_KEYPOINTS, kp.length >> 2) : 0;
    this.nkp[slot] = n;
    for (let k = 0; k < n; k++) {
      const code = slot * FP_KEYPOINTS + k;
      for (let w = 0; w < 4; w++) this.desc[code * 4 + w] = kp![k * 4 + w];
      const kpg = fp.kpg instanceof Uint8Array && fp.kpg.length >= (k + 1) * 2 ? fp.kpg : undefined;
      this.geo[code * 2] = kpg ? kpg[k * 2] : 0;
      this.geo[code * 2 + 1] = kpg ? kpg[k * 2 + 1] : 128;
    }
    // local postings are made at the next keypoint lookup (sync)
  }

  /** Index what was added now instead of at the first lookup (call after a bulk load). */
  build(): void {
    this.sync();
  }

  /**
   * Before a keypoint lookup: postings for the references added since the last one — into the
   * delta when few, else a compaction (so a bulk load is indexed once, in bulk).
   */
  private sync(): void {
    const nslots = this.slots.length;
    if (this.indexed === nslots) return;
    let pending = 0;
    for (let slot = this.indexed; slot < nslots; slot++) if (this.alive[slot]) pending += this.nkp[slot] * LOCAL_TABLES;
    if (this.deltaPostings + pending > Math.max(DELTA_MIN_POSTINGS, this.csrPostings / DELTA_FRACTION)) {
      this.compact();
      return;
    }
    const DW = POSTING_WORDS + 1;
    if ((this.deltaPostings + pending) * DW > this.dPost.length) {
      const grown = new Int32Array(Math.max(this.dPost.length * 2, (this.deltaPostings + pending) * DW));
      grown.set(this.dPost);
      this.dPost = grown;
    }
    const desc = this.desc, dPost = this.dPost;
    for (let slot = this.indexed; slot < nslots; slot++) {
      if (!this.alive[slot]) continue;
      for (let k = 0, code = slot * FP_KEYPOINTS, at = code * 4; k < this.nkp[slot]; k++, code++, at += 4) {
        for (let t = 0; t < LOCAL_TABLES; t++) {
          const key = localKey(desc, at, t), p = this.deltaPostings++, o = p * DW;
          dPost[o] = code;
          for (let w = 0; w < FILTER_WORDS; w++) dPost[o + 1 + w] = filterWord(desc, at, t, w);
          dPost[o + POSTING_WORDS] = this.dHead[t][key];
          this.dHead[t][key] = p;
          this.dCount[t][key]++;
        }
      }
    }
    this.indexed = nslots;
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.entries.delete(id);
    this.slotOf.delete(id);
    this.slots[slot] = undefined;
    this.alive[slot] = 0;
    this.dead++;
    // postings of dead slots are skipped at lookup and dropped at the next compaction; slots
    // are renumbered when dead ones dominate
    if (this.dead > 256 && this.dead > this.entries.size) this.rebuild();
  }

  clear(): void {
    this.entries.clear();
    this.slotOf.clear();
    this.slots = [];
    this.alive.fill(0);
    this.dead = 0;
    this.gHead.fill(-1);
    this.gCount.fill(0);
    this.lStart = Array.from({ length: LOCAL_TABLES }, () => new Uint32Array(65537));
    this.lPost = Array.from({ length: LOCAL_TABLES }, () => NO_POSTINGS);
    this.csrPostings = 0;
    this.indexed = 0;
    this.dPost = new Int32Array((POSTING_WORDS + 1) * 1024);
    this.resetDelta();
  }

  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  /** All entries (for re-fingerprinting after a version bump). */
  values(): IterableIterator<IndexEntry> {
    return this.entries.values();
  }

  /**
   * Approximate bytes held per reference by the typed arrays (excludes the entry objects and the
   * fixed per-key tables, ~12 MB): global hash + mirror, their chain links, descriptors + geometry,
   * the CSR postings (POSTING_WORDS int32 each; the delta's are transient), keypoint count, live
   * flag, slot pointer.
   */
  bytesPerReference(): number {
    return 16 * 4 + 2 * GLOBAL_CHUNKS * 4 + FP_KEYPOINTS * (4 * 4 + 2) + FP_KEYPOINTS * LOCAL_TABLES * POSTING_WORDS * 4 + 1 + 1 + 8;
  }

  /**
   * Rebuild the CSR postings from the stored descriptors of all live references (so the delta
   * and removed references' postings go). Per table, a two-pass bucket sort: records in descriptor
   * order into 256 ranges by the key's high byte (sequential write streams), then each range's
   * records to their buckets (a cache-sized span of the postings), so neither pass writes to
   * random places of a large array.
   */
  private compact(): void {
    const nslots = this.slots.length, desc = this.desc, PW = POSTING_WORDS, TW = PW + 1;
    let live = 0;
    for (let slot = 0; slot < nslots; slot++) if (this.alive[slot]) live += this.nkp[slot];
    const tmp = new Int32Array(live * TW);
    let total = 0;
    for (let t = 0; t < LOCAL_TABLES; t++) {
      const start = new Uint32Array(65537), hiStart = new Uint32Array(257);
      for (let slot = 0; slot < nslots; slot++) {
        if (!this.alive[slot]) continue;
        for (let k = 0, at = slot * FP_KEYPOINTS * 4; k < this.nkp[slot]; k++, at += 4) {
          const key = localKey(desc, at, t);
          start[key + 1]++;
          hiStart[(key >> 8) + 1]++;
        }
      }
      for (let b = 0; b < 65536; b++) start[b + 1] += start[b];
      for (let b = 0; b < 256; b++) hiStart[b + 1] += hiStart[b];
      // 1. by high byte: [key, posting] records
      const hiFill = hiStart.slice(0, 256);
      for (let slot = 0; slot < nslots; slot++) {
        if (!this.alive[slot]) continue;
        for (let k = 0, code = slot * FP_KEYPOINTS, at = code * 4; k < this.nkp[slot]; k++, code++, at += 4) {
          const key = localKey(desc, at, t);
          const o = hiFill[key >> 8]++ * TW;
          tmp[o] = key;
          tmp[o + 1] = code;
          for (let w = 0; w < FILTER_WORDS; w++) tmp[o + 2 + w] = filterWord(desc, at, t, w);
        }
      }
      // 2. within each high-byte range, by the full key
      // rewritten in place when it fits (this reads desc, not the old postings): fresh memory is slow to touch
      const post = this.lPost[t].length >= live * PW ? this.lPost[t] : new Int32Array(live * PW);
      const fill = start.slice(0, 65536);
      for (let r = 0; r < live; r++) {
        const o = r * TW, p = fill[tmp[o]]++ * PW;
        for (let w = 0; w < PW; w++) post[p + w] = tmp[o + 1 + w];
      }
      this.lStart[t] = start;
      this.lPost[t] = post;
      total += live;
    }
    this.csrPostings = total;
    this.indexed = nslots;
    if (this.dPost.length > (POSTING_WORDS + 1) * 4096) this.dPost = new Int32Array((POSTING_WORDS + 1) * 1024);
    this.resetDelta();
  }

  private resetDelta(): void {
    for (let t = 0; t < LOCAL_TABLES; t++) { this.dHead[t].fill(-1); this.dCount[t].fill(0); }
    this.deltaPostings = 0;
  }

  private rebuild(): void {
    const all = [...this.entries.values()];
    this.clear();
    for (const e of all) this.add(e);
  }

  private grow(n: number): void {
    if (n * 16 <= this.globals.length) return;
    const cap = Math.max(n, Math.ceil(this.globals.length / 16) * 2);
    const g = new Uint32Array(cap * 16); g.set(this.globals); this.globals = g;
    const gn = new Int32Array(cap * 2 * GLOBAL_CHUNKS); gn.set(this.gNext); this.gNext = gn;
    const d = new Uint32Array(cap * FP_KEYPOINTS * 4); d.set(this.desc); this.desc = d;
    const k = new Uint8Array(cap); k.set(this.nkp); this.nkp = k;
    const a = new Uint8Array(cap); a.set(this.alive); this.alive = a;
    const g2 = new Uint8Array(cap * FP_KEYPOINTS * 2); g2.set(this.geo); this.geo = g2;
  }

  /**
   * Codes of the stored descriptors that pass the inline filter against query descriptor
   * set[at..at+3], from every table, into this.pass; returns their number. (Small and hot, so it
   * is optimised early; the steps keep their memory reads independent so their misses overlap.)
   */
  private probe(set: Uint32Array, at: number, maxBucket: number): number {
    const range = this.range, hasDelta = this.deltaPostings > 0;
    // 1. the bucket of each table; touch their cache lines first
    let touch = 0, total = 0;
    for (let t = 0; t < LOCAL_TABLES; t++) {
      const key = localKey(set, at, t);
      const from = this.lStart[t][key], to = this.lStart[t][key + 1];
      const size = to - from + (hasDelta ? this.dCount[t][key] : 0);
      range[t * 5] = key;
      range[t * 5 + 1] = from * POSTING_WORDS;
      range[t * 5 + 2] = size > maxBucket ? -1 : to * POSTING_WORDS;
      if (size > maxBucket) continue;
      total += size;
      const post = this.lPost[t];
      for (let p = from * POSTING_WORDS, end = to * POSTING_WORDS; p < end; p += 16) touch ^= post[p];
    }
    if (total > this.pass.length) this.pass = new Int32Array(Math.max(this.pass.length * 2, total));
    // 2. scan with the inline filter
    const pass = this.pass;
    let nc = 0;
    for (let t = 0; t < LOCAL_TABLES; t++) {
      const end = range[t * 5 + 2];
      if (end < 0) continue;
      const post = this.lPost[t];
      const f0 = filterWord(set, at, t, 0), f1 = filterWord(set, at, t, 1);
      range[t * 5 + 3] = f0;
      range[t * 5 + 4] = f1;
      for (let p = range[t * 5 + 1]; p < end; p += POSTING_WORDS) {
        // branch-free: the filter passes a hard-to-predict share of postings
        pass[nc] = post[p];
        nc += ((LOCAL_FILTER_DISTANCE - popcount32(f0 ^ post[p + 1]) - popcount32(f1 ^ post[p + 2])) >>> 31) ^ 1;
      }
    }
    // the delta's chains, all tables in step (their reads do not wait on each other)
    if (hasDelta) {
      const chain = this.chain, dPost = this.dPost;
      for (let t = 0; t < LOCAL_TABLES; t++) chain[t] = range[t * 5 + 2] < 0 ? -1 : this.dHead[t][range[t * 5]];
      for (let more = true; more;) {
        more = false;
        for (let t = 0; t < LOCAL_TABLES; t++) {
          const p = chain[t];
          if (p < 0) continue;
          const o = p * (POSTING_WORDS + 1);
          if (popcount32(range[t * 5 + 3] ^ dPost[o + 1]) + popcount32(range[t * 5 + 4] ^ dPost[o + 2]) <= LOCAL_FILTER_DISTANCE) pass[nc++] = dPost[o];
          chain[t] = dPost[o + POSTING_WORDS];
          more = true;
        }
      }
    }
    // 3. touch the passing descriptors (a loop this small keeps many misses in flight)
    const desc = this.desc;
    for (let j = 0; j < nc; j++) touch ^= desc[pass[j] * 4];
    this.sink ^= touch;
    return nc;
  }

  /**
   * Full distances for the nc codes probe() left in this.pass: a hit (reference, Hough cell) for
   * each live one within LOCAL_MATCH_DISTANCE, stopping past LOCAL_MAX_HITS.
   */
  private verify(set: Uint32Array, at: number, nc: number, si: number, qa: number, qs: number, hits: number[]): void {
    const pass = this.pass, desc = this.desc, geo = this.geo, alive = this.alive;
    const a0 = set[at], a1 = set[at + 1], a2 = set[at + 2], a3 = set[at + 3];
    hits.length = 0;
    for (let j = 0; j < nc; j++) {
      const code = pass[j], b = code * 4;
      const d = popcount32(a0 ^ desc[b]) + popcount32(a1 ^ desc[b + 1]) + popcount32(a2 ^ desc[b + 2]) + popcount32(a3 ^ desc[b + 3]);
      if (d > LOCAL_MATCH_DISTANCE) continue;
      const slot = (code / FP_KEYPOINTS) | 0;
      if (!alive[slot]) continue;
      const ab = (((geo[code * 2] - qa) & 255) + (1 << (HOUGH_ANGLE_SHIFT - 1))) & 255;
      const sb = Math.max(0, Math.min(15, Math.floor((geo[code * 2 + 1] - qs) / HOUGH_SCALE_STEP + 8.5)));
      hits.push((slot * 2 + si) * 128 + (ab >> HOUGH_ANGLE_SHIFT) * 16 + sb);
      if (hits.length > LOCAL_MAX_HITS) return;
    }
  }

  /**
   * The k most likely references for a query fingerprint: global-hash neighbours over the
   * orientation variants the query carries, and local keypoint votes.
   */
  candidates(q: Fingerprint, k = 5): Candidate[] {
    const found = new Map<number, { distance: number; variant: string; votes: number }>();
    const get = (slot: number) => {
      let c = found.get(slot);
      if (!c) found.set(slot, (c = { distance: 256, variant: 'same', votes: 0 }));
      return c;
    };
    // GLOBAL
    const qh: string[] = [q.global, ...(q.rot ?? [])];
    const qw = new Uint32Array(8);
    const seen = new Set<number>();
    qh.forEach((h, vi) => {
      if (typeof h !== 'string' || h.length !== 64) return;
      hexToWords(h, qw, 0);
      seen.clear();
      for (let c = 0; c < GLOBAL_CHUNKS; c++) {
        const word = qw[c >> 1];
        const key = c & 1 ? word >>> 16 : word & 0xffff;
        const size = this.gCount[c * 65536 + key];
        if (!size || size > Math.max(MAX_BUCKET_MIN, this.slots.length >> 4)) continue;
        if (size > this.gBucket.length) this.gBucket = new Int32Array(Math.max(size, this.gBucket.length * 2));
        // the chain runs newest first: visit in insertion order (ties keep the earliest-added)
        const l = this.gBucket;
        for (let code = this.gHead[c * 65536 + key], j = size; code >= 0; code = this.gNext[code * GLOBAL_CHUNKS + c]) l[--j] = code;
        for (let j = 0; j < size; j++) {
          const code = l[j];
          if (seen.has(code)) continue;
          seen.add(code);
          const slot = code >> 1;
          if (!this.slots[slot]) continue;
          const at = slot * 16 + (code & 1) * 8;
          let d = 0;
          for (let w = 0; w < 8; w++) d += popcount32(qw[w] ^ this.globals[at + w]);
          if (d > GLOBAL_CANDIDATE_DISTANCE) continue;
          const cand = get(slot);
          if (d < cand.distance) {
            cand.distance = d;
            const m = code & 1;
            cand.variant = m ? (vi ? `mirror+${VARIANTS[vi]}` : 'mirror') : VARIANTS[vi];
          }
        }
      }
    });
    // LOCAL: Hough voting in (reference, rotation, scale) cells
    const sets = [q.kp, q.kpm];
    if (sets.some((s) => s instanceof Uint32Array && s.length >= 4)) this.sync();
    const cells = new Map<number, number>();
    const qg = q.kpg instanceof Uint8Array ? q.kpg : undefined;
    const postings = (this.slots.length - this.dead) * FP_KEYPOINTS;
    const maxBucket = Math.max(MAX_BUCKET_MIN, Math.ceil((MAX_BUCKET_FACTOR * postings) / 65536));
    const hits: number[] = [];
    const allHits: number[] = [];
    const touched: number[] = [];
    if (this.raw.length < this.slots.length) this.raw = new Uint16Array(Math.max(this.slots.length, this.raw.length * 2));
    const raw = this.raw;
    for (let si = 0; si < 2; si++) {
      const set = sets[si];
      if (!(set instanceof Uint32Array)) continue;
      const n = set.length >> 2;
      for (let i = 0; i < n; i++) {
        const nc = this.probe(set, i * 4, maxBucket);
        // a mirrored keypoint's orientation is π − θ
        const qa = qg ? (si ? (128 - qg[i * 2]) & 255 : qg[i * 2]) : 0;
        const qs = qg ? qg[i * 2 + 1] : 128;
        this.verify(set, i * 4, nc, si, qa, qs, hits);
        // a descriptor found in too many references is a "stop word": it votes for none
        if (!hits.length || hits.length > LOCAL_MAX_HITS) continue;
        hits.sort((x, y) => x - y);
        for (let h = 0; h < hits.length; h++) {
          if (h && hits[h] === hits[h - 1]) continue;
          const slot = (hits[h] / 256) | 0;
          if (raw[slot]++ === 0) touched.push(slot);
          allHits.push(hits[h]);
        }
      }
    }
    // Hough cells only for references with enough raw votes (typed-array counting first keeps the
    // per-query cost independent of how many references got a stray vote)
    for (const cell of allHits) {
      const slot = (cell / 256) | 0;
      if (raw[slot] < LOCAL_MIN_VOTES) continue;
      const v = (cells.get(cell) ?? 0) + 1;
      cells.set(cell, v);
      const c = get(slot);
      if (v > c.votes) c.votes = v;
    }
    for (const slot of touched) raw[slot] = 0;
    const out: Candidate[] = [];
    for (const [slot, c] of found) {
      const entry = this.slots[slot]!;
      if (!entry) continue;
      if (c.distance > GLOBAL_CANDIDATE_DISTANCE && c.votes < LOCAL_MIN_VOTES) continue;
      const quality = Math.min(entry.fp.quality ?? 0, q.quality ?? 0);
      const score = (c.votes + Math.max(0, GLOBAL_CANDIDATE_DISTANCE - c.distance) / 4) * (quality >= MIN_QUALITY ? 1 : 0.5);
      out.push({ entry, distance: c.distance, variant: c.variant, votes: c.votes, score });
    }
    out.sort((a, b) => b.score - a.score || a.distance - b.distance);
    return out.slice(0, k);
  }
}

function byteAt(d: Uint32Array, at: number, b: number): number {
  return (d[at + (b >> 2)] >>> ((b & 3) * 8)) & 0xff;
}

/** Table t keys on two bytes of the 16-byte descriptor (disjoint pairs across tables). */
const KEY_BYTES: [number, number][] = [[0, 9], [2, 11], [4, 13], [6, 15], [8, 1], [10, 3]];
function localKey(d: Uint32Array, at: number, t: number): number {
  const kb = KEY_BYTES[t];
  return byteAt(d, at, kb[0]) | (byteAt(d, at, kb[1]) << 8);
}

/**
 * Postings of table t carry FILTER_WORDS × 32 more descriptor bits, none of them in t's key: the
 * four bytes no key uses, then the keys of tables t + 1 and t + 3 (so that tables finding the
 * same point filter it on partly different bits). probe() reads exactly two words.
 */
const FILTER_WORDS = 2;
const POSTING_WORDS = 1 + FILTER_WORDS;
const FILTER_BYTES: number[][] = KEY_BYTES.map((_, t) => [5, 7, 12, 14, ...KEY_BYTES[(t + 1) % LOCAL_TABLES], ...KEY_BYTES[(t + 3) % LOCAL_TABLES]]);
function filterWord(d: Uint32Array, at: number, t: number, w: number): number {
  const fb = FILTER_BYTES[t];
  return byteAt(d, at, fb[w * 4]) | (byteAt(d, at, fb[w * 4 + 1]) << 8) | (byteAt(d, at, fb[w * 4 + 2]) << 16) | (byteAt(d, at, fb[w * 4 + 3]) << 24);
}
