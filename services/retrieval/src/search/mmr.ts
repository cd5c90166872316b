import { dot } from '@llmops/embeddings';

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): picks, one at a time, the candidate
 * maximising lambda * relevance - (1 - lambda) * max similarity to those already picked, so
 * near-identical passages do not fill the top k. Candidates keep their order when lambda is 1.
 */
export function maximalMarginalRelevance<T>(
  candidates: readonly T[],
  relevanceOf: (item: T) => number,
  vectorOf: (item: T) => Float32Array | undefined,
  lambda: number,
  limit: number,
): T[] {
  const remaining = [...candidates];
  const picked: T[] = [];
  while (picked.length < limit && remaining.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    remaining.forEach((candidate, index) => {
      const vector = vectorOf(candidate);
      const redundancy = vector ? Math.max(0, ...picked.map((other) => { const v = vectorOf(other); return v ? dot(vector, v) : 0; })) : 0;
      const score = lambda * relevanceOf(candidate) - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        best = index;
      }
    });
    picked.push(remaining.splice(best, 1)[0]);
  }
  return picked;
}
