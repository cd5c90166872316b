import { reciprocalRankFusion } from './rank-fusion';
import { normalizeQuery, SearchCache } from './search-cache';

describe('reciprocal rank fusion', () => {
  it('adds 1/(k+rank) over the lists, so an item high in both beats one first in only one', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['b', 'd', 'a']], (x) => x, 60);
    expect(fused.map((f) => f.item)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[3].score).toBeCloseTo(1 / 63, 12);
  });
});

describe('SearchCache', () => {
  it('serves an entry until its scope is invalidated or it expires, and evicts the least recently used', () => {
    let now = 0;
    const cache = new SearchCache<string>(2, 1000, () => now);
    cache.set('t/a', 'q1', 'r1');
    cache.set('t/b', 'q1', 'r2');
    expect(cache.get('t/a', 'q1')).toBe('r1');
    cache.invalidate('t/a');
    expect(cache.get('t/a', 'q1')).toBeUndefined();
    expect(cache.get('t/b', 'q1')).toBe('r2');
    cache.set('t/b', 'q2', 'r3');
    cache.set('t/b', 'q3', 'r4');
    expect(cache.get('t/b', 'q1')).toBeUndefined();
    now = 1000;
    expect(cache.get('t/b', 'q3')).toBeUndefined();
  });

  it('normalises case, Unicode form, spaces and trailing punctuation only', () => {
    expect(normalizeQuery('  How  do I\tRESET ｔhe router?? ')).toBe('how do i reset the router');
    expect(normalizeQuery('C++ vs C#')).toBe('c++ vs c#');
  });
});
