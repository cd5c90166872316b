import { ResponseCache } from './response-cache';
import { SemanticIndex } from './semantic-index';
import { HashingTextEmbedder } from './text-embedder';

const answer = (content: string) => ({ content, model: { provider: 'p', model: 'm', version: 'v' }, usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, finishReason: 'stop' });

describe('ResponseCache', () => {
  const embedder = new HashingTextEmbedder();

  it('evicts the oldest entry past capacity, from the semantic index too', async () => {
    const index = new SemanticIndex(embedder.size);
    const cache = new ResponseCache(embedder, index, 2);
    await cache.put('a', answer('A'), 60, { partition: 'p', text: 'how do I rotate gateway keys' });
    await cache.put('b', answer('B'), 60);
    await cache.put('c', answer('C'), 60);
    expect(cache.size).toBe(2);
    expect(index.size).toBe(0);
    expect(await cache.getExact('a')).toBeUndefined();
    expect(await cache.getSemantic('p', 'how do I rotate gateway keys', 0.95)).toBeUndefined();
    expect((await cache.getExact('c'))?.content).toBe('C');
  });

  it('never matches across partitions, and drops expired entries on lookup', async () => {
    let now = 0;
    const cache = new ResponseCache(embedder, new SemanticIndex(embedder.size), 10, () => now);
    await cache.put('k', answer('A'), 10, { partition: 'tenant-1', text: 'how do I rotate gateway keys' });
    expect(await cache.getSemantic('tenant-1', 'How do I rotate gateway keys?', 0.95)).toMatchObject({ kind: 'semantic', answer: { content: 'A' } });
    expect(await cache.getSemantic('tenant-2', 'how do I rotate gateway keys', 0.95)).toBeUndefined();
    now = 10_000;
    expect(await cache.getSemantic('tenant-1', 'how do I rotate gateway keys', 0.95)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps different questions apart: question words and negations count', () => {
    const similarity = (a: string, b: string) => {
      const x = embedder.embedOne(a);
      const y = embedder.embedOne(b);
      return x.reduce((sum, value, index) => sum + value * y[index]!, 0);
    };
    expect(similarity('How do I rotate the gateway keys?', 'how do i rotate the gateway keys')).toBeCloseTo(1, 6);
    expect(similarity('How do I rotate the gateway keys?', 'Why do I rotate the gateway keys?')).toBeLessThan(0.95);
    expect(similarity('Is the gateway stateless?', 'Is the gateway not stateless?')).toBeLessThan(0.95);
  });
});
