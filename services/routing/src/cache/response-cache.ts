import { embedOne, type TextEmbedder } from '@llmops/embeddings';
import type { ModelRef } from '../catalog/model-catalog';
import type { SemanticIndex } from './semantic-index';

export interface CachedAnswer {
  content: string;
  model: ModelRef;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number };
  finishReason: string;
}

export interface CacheHit {
  kind: 'exact' | 'semantic';
  answer: CachedAnswer;
  similarity: number;
}

/** Where answers are cached: in-process (`ResponseCache`) or shared through Redis (`RedisAnswerCache`). */
export interface AnswerCache {
  getExact(key: string): Promise<CachedAnswer | undefined>;
  getSemantic(partition: string, text: string, threshold: number): Promise<CacheHit | undefined>;
  put(key: string, answer: CachedAnswer, ttlSeconds: number, semantic?: { partition: string; text: string }): Promise<void>;
}

interface Entry {
  answer: CachedAnswer;
  expiresAt: number;
  semantic: boolean;
}

/**
 * The in-process response cache: exact entries by key, with TTL and a capacity past which the
 * oldest entry goes; entries stored for semantic lookup are also in an LSH index of their
 * embeddings, partitioned by tenant, route and parameters. One replica's; a shared store would
 * sit behind the same methods.
 */
export class ResponseCache implements AnswerCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly embedder: TextEmbedder,
    private readonly index: SemanticIndex,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async getExact(key: string): Promise<CachedAnswer | undefined> {
    const entry = this.live(key);
    return entry?.answer;
  }

  async getSemantic(partition: string, text: string, threshold: number): Promise<CacheHit | undefined> {
    const match = this.index.nearest(await embedOne(this.embedder, text), partition, threshold, (id) => this.live(id) !== undefined);
    if (!match) return undefined;
    return { kind: 'semantic', answer: this.entries.get(match.id)!.answer, similarity: match.similarity };
  }

  async put(key: string, answer: CachedAnswer, ttlSeconds: number, semantic?: { partition: string; text: string }): Promise<void> {
    const vector = semantic ? await embedOne(this.embedder, semantic.text) : undefined;
    this.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    this.entries.set(key, { answer, expiresAt: this.now() + ttlSeconds * 1000, semantic: semantic !== undefined });
    if (semantic && vector) this.index.add(key, semantic.partition, vector);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.semantic) this.index.remove(key);
  }
}
