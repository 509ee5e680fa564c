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
 * Cost per lookup depends on bucket sizes, not on the library size, until buckets fill
 * (≈ 65 536 entries per table); see tests/bench/node.ts for the measured figures.
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
/** Max differing filter bits (of 16) before the full descriptor is read (true matches: ~3). */
export const LOCAL_FILTER_DISTANCE = 6;
/** A query descriptor close to more stored descriptors than this is not distinctive and does not vote. */
export const LOCAL_MAX_HITS = 24;

function hexToWords(h: string, out: Uint32Array, at: number): void {
  for (let w = 0; w < 8; w++) out[at + w] = parseInt(h.slice(w * 8, w * 8 + 8), 16) >>> 0;
}

const VARIANTS = ['same', 'rot90', 'rot180', 'rot270'];

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
  /** slot × FP_KEYPOINTS × 2 bytes: angle, size (see Fingerprint.kpg). */
  private geo = new Uint8Array(FP_KEYPOINTS * 2 * 64);
  /** Scratch: raw local votes per slot during one lookup (reset after). */
  private raw = new Uint16Array(64);
  /** GLOBAL_CHUNKS tables: chunk value → slot*2+isMirror. */
  private gTables: Map<number, number[]>[] = Array.from({ length: GLOBAL_CHUNKS }, () => new Map());
  /** LOCAL_TABLES tables: chunk value → slot*FP_KEYPOINTS+k. */
  private lTables: (number[] | undefined)[][] = Array.from({ length: LOCAL_TABLES }, () => new Array(65536));

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
    const fp = e.fp;
    if (typeof fp?.global === 'string' && fp.global.length === 64) {
      hexToWords(fp.global, this.globals, slot * 16);
      hexToWords(fp.mirror, this.globals, slot * 16 + 8);
      for (let m = 0; m < 2; m++) {
        for (let c = 0; c < GLOBAL_CHUNKS; c++) {
          const word = this.globals[slot * 16 + m * 8 + (c >> 1)];
          const key = c & 1 ? word >>> 16 : word & 0xffff;
          const t = this.gTables[c];
          let l = t.get(key);
          if (!l) t.set(key, (l = []));
          l.push(slot * 2 + m);
        }
      }
    }
    const kp = fp?.kp instanceof Uint32Array ? fp.kp : undefined;
    const n = kp ? Math.min(FP_KEYPOINTS, kp.length >> 2) : 0;
    this.nkp[slot] = n;
    for (let k = 0; k < n; k++) {
      const at = (slot * FP_KEYPOINTS + k) * 4;
      for (let w = 0; w < 4; w++) this.desc[at + w] = kp![k * 4 + w];
      const kpg = fp.kpg instanceof Uint8Array && fp.kpg.length >= (k + 1) * 2 ? fp.kpg : undefined;
      this.geo[(slot * FP_KEYPOINTS + k) * 2] = kpg ? kpg[k * 2] : 0;
      this.geo[(slot * FP_KEYPOINTS + k) * 2 + 1] = kpg ? kpg[k * 2 + 1] : 128;
      for (let t = 0; t < LOCAL_TABLES; t++) {
        const key = localKey(this.desc, at, t);
        const tab = this.lTables[t];
        // posting = code · 2^16 + 16 filter bits (a double: stays unboxed, checked before the descriptor)
        (tab[key] ??= []).push((slot * FP_KEYPOINTS + k) * 65536 + filterBits(this.desc, at, t));
      }
    }
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.entries.delete(id);
    this.slotOf.delete(id);
    this.slots[slot] = undefined;
    this.dead++;
    // postings of dead slots are skipped at lookup; rebuild when they dominate
    if (this.dead > 256 && this.dead > this.entries.size) this.rebuild();
  }

  clear(): void {
    this.entries.clear();
    this.slotOf.clear();
    this.slots = [];
    this.dead = 0;
    this.gTables = Array.from({ length: GLOBAL_CHUNKS }, () => new Map());
    this.lTables = Array.from({ length: LOCAL_TABLES }, () => new Array(65536));
  }

  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  /** All entries (for re-fingerprinting after a version bump). */
  values(): IterableIterator<IndexEntry> {
    return this.entries.values();
  }

  /** Approximate bytes held per reference by the typed arrays and postings (excludes the entry objects). */
  bytesPerReference(): number {
    return 16 * 4 + 2 * GLOBAL_CHUNKS * 4 + FP_KEYPOINTS * (4 * 4 + 2) + FP_KEYPOINTS * LOCAL_TABLES * 8 + 1 + 8;
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
    const d = new Uint32Array(cap * FP_KEYPOINTS * 4); d.set(this.desc); this.desc = d;
    const k = new Uint8Array(cap); k.set(this.nkp); this.nkp = k;
    const g2 = new Uint8Array(cap * FP_KEYPOINTS * 2); g2.set(this.geo); this.geo = g2;
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
        const l = this.gTables[c].get(key);
        if (!l || l.length > Math.max(MAX_BUCKET_MIN, this.slots.length >> 4)) continue;
        for (const code of l) {
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
    const cells = new Map<number, number>();
    const qg = q.kpg instanceof Uint8Array ? q.kpg : undefined;
    const sets = [q.kp, q.kpm];
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
        const at = i * 4;
        const a0 = set[at], a1 = set[at + 1], a2 = set[at + 2], a3 = set[at + 3];
        // a mirrored keypoint's orientation is π − θ
        const qa = qg ? (si ? (128 - qg[i * 2]) & 255 : qg[i * 2]) : 0;
        const qs = qg ? qg[i * 2 + 1] : 128;
        hits.length = 0;
        scan: for (let t = 0; t < LOCAL_TABLES; t++) {
          const l = this.lTables[t][localKey(set, at, t)];
          if (!l || l.length > maxBucket) continue;
          const qf = filterBits(set, at, t);
          for (let p = 0; p < l.length; p++) {
            const e = l[p];
            const f = e % 65536;
            if (popcount32(qf ^ f) > LOCAL_FILTER_DISTANCE) continue;
            const code = (e - f) / 65536;
            const b = code * 4;
            const d = popcount32(a0 ^ this.desc[b]) + popcount32(a1 ^ this.desc[b + 1]) + popcount32(a2 ^ this.desc[b + 2]) + popcount32(a3 ^ this.desc[b + 3]);
            if (d > LOCAL_MATCH_DISTANCE) continue;
            const slot = (code / FP_KEYPOINTS) | 0;
            if (!this.slots[slot]) continue;
            const ab = (((this.geo[code * 2] - qa) & 255) + (1 << (HOUGH_ANGLE_SHIFT - 1))) & 255;
            const sb = Math.max(0, Math.min(15, Math.floor((this.geo[code * 2 + 1] - qs) / HOUGH_SCALE_STEP + 8.5)));
            hits.push((slot * 2 + si) * 128 + (ab >> HOUGH_ANGLE_SHIFT) * 16 + sb);
            if (hits.length > LOCAL_MAX_HITS) break scan;
          }
        }
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

/** Postings carry 16 more descriptor bits (bytes no key uses), compared before the full descriptor. */
const FILTER_BYTES: [number, number][] = [[5, 12], [7, 14]];
function filterBits(d: Uint32Array, at: number, t: number): number {
  const [a, b] = FILTER_BYTES[t & 1];
  return ((d[at + (a >> 2)] >>> ((a & 3) * 8)) & 0xff) | (((d[at + (b >> 2)] >>> ((b & 3) * 8)) & 0xff) << 8);
}

/** Table t keys on two bytes of the 16-byte descriptor (disjoint pairs across tables). */
const KEY_BYTES: [number, number][] = [[0, 9], [2, 11], [4, 13], [6, 15], [8, 1], [10, 3]];
function localKey(d: Uint32Array, at: number, t: number): number {
  const [a, b] = KEY_BYTES[t];
  return ((d[at + (a >> 2)] >>> ((a & 3) * 8)) & 0xff) | (((d[at + (b >> 2)] >>> ((b & 3) * 8)) & 0xff) << 8);
}
