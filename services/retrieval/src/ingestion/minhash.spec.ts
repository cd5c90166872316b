import { MinHasher } from './minhash';

describe('MinHasher', () => {
  const hasher = new MinHasher();
  const words = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('estimates Jaccard similarity of word shingles within a few points', () => {
    // 100 words; replacing 10 of them changes ~30 of 98 shingles: Jaccard ~ 68/128 ≈ 0.53.
    const base = words(100);
    const edited = base.map((word, i) => (i % 10 === 5 ? `x${i}` : word));
    const estimate = MinHasher.similarity(hasher.signature(base.join(' ')), hasher.signature(edited.join(' ')));
    expect(estimate).toBeGreaterThan(0.35);
    expect(estimate).toBeLessThan(0.7);
    expect(MinHasher.similarity(hasher.signature(base.join(' ')), hasher.signature(base.join('  ').toUpperCase()))).toBe(1);
    expect(MinHasher.similarity(hasher.signature(base.join(' ')), hasher.signature(words(100, 'z').join(' ')))).toBeLessThan(0.1);
  });

  it('gives near-duplicates most band keys and unrelated texts almost none', () => {
    const text = words(120).join(' ');
    const nearDuplicate = text.replace('w60', 'changed');
    const shared = (a: string, b: string) => {
      const keys = new Set(hasher.bandKeys(hasher.signature(a)));
      return hasher.bandKeys(hasher.signature(b)).filter((key) => keys.has(key)).length;
    };
    expect(shared(text, nearDuplicate)).toBeGreaterThanOrEqual(8);
    expect(shared(text, words(120, 'q').join(' '))).toBe(0);
  });

  it('is deterministic across instances (band keys are stored)', () => {
    expect(new MinHasher().bandKeys(new MinHasher().signature('a b c d e'))).toEqual(hasher.bandKeys(hasher.signature('a b c d e')));
  });
});
