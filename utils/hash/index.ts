import type { Fingerprint } from './fingerprint';
import { hammingHex } from './blockhash';

export interface IndexEntry {
  id: string;
  name: string;
  libraryId: string;
  fp: Fingerprint;
}

export interface Candidate {
  entry: IndexEntry;
  /** Smallest Hamming distance over the stored variants (0..256). */
  distance: number;
  variant: string;
}

/** In-memory index of the merchant's references (IndexedDB stays the truth). */
export class ReferenceIndex {
  private entries = new Map<string, IndexEntry>();

  get size(): number {
    return this.entries.size;
  }
  add(e: IndexEntry): void {
    this.entries.set(e.id, e);
  }
  remove(id: string): void {
    this.entries.delete(id);
  }
  clear(): void {
    this.entries.clear();
  }
  get(id: string): IndexEntry | undefined {
    return this.entries.get(id);
  }

  /** The k nearest references to a query fingerprint. */
  candidates(q: Fingerprint, k = 5): Candidate[] {
    const out: Candidate[] = [];
    for (const entry of this.entries.values()) {
      const a = hammingHex(q.global, entry.fp.global);
      const b = hammingHex(q.global, entry.fp.mirror);
      out.push(a <= b ? { entry, distance: a, variant: 'same' } : { entry, distance: b, variant: 'mirror' });
    }
    out.sort((x, y) => x.distance - y.distance);
    return out.slice(0, k);
  }
}
