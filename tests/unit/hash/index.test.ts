import { describe, expect, it } from 'vitest';
import { ReferenceIndex } from '../../../utils/hash/index';
import { computeFingerprint, mirrorImage, rotateImage } from '../../../utils/hash/fingerprint';
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

  it('keeps the basic map contract', () => {
    const ix = new ReferenceIndex();
    ix.add(entry('a', img));
    ix.add(entry('b', shifted(img, 1)));
    expect(ix.size).toBe(2);
    expect(ix.get('a')?.name).toBe('a.jpg');
    ix.add(entry('a', img)); // replace
    expect(ix.size).toBe(2);
    ix.remove('a');
    expect(ix.size).toBe(1);
    expect(ix.get('a')).toBeUndefined();
    expect(ix.candidates(computeFingerprint(img, { query: true }), 3).map((c) => c.entry.id)).not.toContain('a');
    ix.clear();
    expect(ix.size).toBe(0);
  });

  it('ranks the same picture first under orientation changes', () => {
    const ix = new ReferenceIndex();
    ix.add(entry('a', img));
    for (let s = 1; s <= 5; s++) ix.add(entry(`other${s}`, shifted(img, s)));
    const cases: [RGBAImage, string][] = [[img, 'same'], [mirrorImage(img), 'mirror'], [rotateImage(img, 1), 'rot270'], [rotateImage(img, 2), 'rot180']];
    for (const [q, variant] of cases) {
      const [best] = ix.candidates(computeFingerprint(q, { query: true }), 3);
      expect(best.entry.id).toBe('a');
      expect(best.distance).toBeLessThanOrEqual(8);
      expect(best.variant).toBe(variant);
    }
  });

  it('states its memory per reference', () => {
    expect(new ReferenceIndex().bytesPerReference()).toBeGreaterThan(1000);
    expect(new ReferenceIndex().bytesPerReference()).toBeLessThan(4000);
  });
});
