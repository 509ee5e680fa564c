import { describe, expect, it } from 'vitest';
import { LruMap } from '../../utils/lru';

describe('LruMap', () => {
  it('drops the least recently used entry beyond its size; get refreshes, set replaces', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now newest
    m.set('c', 3); // drops b
    expect(m.get('b')).toBeUndefined();
    expect([m.get('a'), m.get('c')]).toEqual([1, 3]);
    m.set('a', 10); // replace, no growth
    m.set('d', 4); // drops c (a was refreshed by set)
    expect([m.get('a'), m.get('c'), m.get('d')]).toEqual([10, undefined, 4]);
    m.clear();
    expect(m.get('a')).toBeUndefined();
  });
});
