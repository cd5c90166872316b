import { embedOne, type TextEmbedder } from '@llmops/embeddings';
import type { Redis } from 'ioredis';
import type { AnswerCache, CacheHit, CachedAnswer } from './response-cache';
import type { SemanticIndex } from './semantic-index';

const PREFIX = 'llmops:answer:';

/**
 * Answers shared by every routing replica through Redis: an exact hit on one replica serves an
 * answer stored through another, and Redis expires entries by TTL. The semantic index (vectors
 * of the stored questions) stays in each replica's memory: a semantic hit needs the answer to be
 * stored through the same replica, and the index drops a vector whose answer Redis has expired.
 */
export class RedisAnswerCache implements AnswerCache {
  /** Semantic entries of this replica, oldest first, so the index stays within `maxIndexed`. */
  private readonly indexed = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly embedder: TextEmbedder,
    private readonly index: SemanticIndex,
    private readonly maxIndexed: number,
  ) {}

  async getExact(key: string): Promise<CachedAnswer | undefined> {
    const stored = await this.redis.get(PREFIX + key);
    return stored === null ? undefined : (JSON.parse(stored) as CachedAnswer);
  }

  async getSemantic(partition: string, text: string, threshold: number): Promise<CacheHit | undefined> {
    const match = this.index.nearest(await embedOne(this.embedder, text), partition, threshold);
    if (!match) return undefined;
    const answer = await this.getExact(match.id);
    if (!answer) {
      this.forget(match.id);
      return undefined;
    }
    return { kind: 'semantic', answer, similarity: match.similarity };
  }

  async put(key: string, answer: CachedAnswer, ttlSeconds: number, semantic?: { partition: string; text: string }): Promise<void> {
    const vector = semantic ? await embedOne(this.embedder, semantic.text) : undefined;
    await this.redis.set(PREFIX + key, JSON.stringify(answer), 'PX', ttlSeconds * 1000);
    if (!semantic || !vector) return;
    this.forget(key);
    while (this.indexed.size >= this.maxIndexed) this.forget(this.indexed.values().next().value as string);
    this.index.add(key, semantic.partition, vector);
    this.indexed.add(key);
  }

  private forget(key: string): void {
    this.indexed.delete(key);
    this.index.remove(key);
  }
}
