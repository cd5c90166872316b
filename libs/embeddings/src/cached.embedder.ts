import { createHash } from 'node:crypto';
import type { TextEmbedder } from './text-embedder';

/**
 * Memoises another embedder by text (an LRU of `capacity` vectors): repeated queries and
 * re-ingested unchanged chunks cost nothing, and only the missing texts reach the model.
 */
export class CachedEmbedder implements TextEmbedder {
  readonly id: string;
  private readonly entries = new Map<string, Float32Array>();

  constructor(
    private readonly inner: TextEmbedder,
    private readonly capacity = 10_000,
  ) {
    this.id = inner.id;
  }

  dimensions(): Promise<number> {
    return this.inner.dimensions();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const keys = texts.map((text) => createHash('sha256').update(text).digest('base64'));
    const missing = [...new Set(keys.filter((key) => !this.entries.has(key)))];
    if (missing.length > 0) {
      const textOf = new Map(keys.map((key, index) => [key, texts[index]]));
      const vectors = await this.inner.embed(missing.map((key) => textOf.get(key)!));
      missing.forEach((key, index) => this.remember(key, vectors[index]));
    }
    return keys.map((key) => {
      const vector = this.entries.get(key)!;
      // Refresh recency: Map iteration order is insertion order.
      this.entries.delete(key);
      this.entries.set(key, vector);
      return vector;
    });
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }

  private remember(key: string, vector: Float32Array): void {
    this.entries.set(key, vector);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
