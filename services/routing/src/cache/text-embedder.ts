import type { TextEmbedder } from '@llmops/embeddings';
import { stringHash32 } from '../hashing/string-hash';

/**
 * Function words every request shares. Left in, they make all vectors alike, which crowds the
 * LSH buckets and says nothing about meaning. Question words and negations are kept: "how" and
 * "why", "is" and "is not", ask different things.
 */
const STOPWORDS = new Set(
  'a an the of to in for on at by from with and or but is are was were be been being do does did i me my we our you your it its this that these those there here can could would should will shall may might must as into about than then so if please just'.split(' '),
);

/**
 * The lexical embedder (`cache.embedder: lexical`, and the fallback when the sentence model is
 * not installed): signed feature hashing of lower-cased content words (function
 * words dropped), word bigrams and character trigrams into a fixed number of dimensions,
 * L2-normalised. No model and no network,
 * so it costs microseconds and gives the same vector on every replica. It captures lexical
 * similarity (reworded whitespace, casing, punctuation, a changed word), not meaning.
 */
export class HashingTextEmbedder implements TextEmbedder {
  readonly id: string;

  constructor(readonly size = 128) {
    this.id = `lexical:${size}`;
  }

  dimensions(): Promise<number> {
    return Promise.resolve(this.size);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => this.embedOne(text)));
  }

  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.size);
    const normalized = text.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, ' ').replace(/\s+/g, ' ').trim();
    const words = normalized.split(' ').filter((word) => word.length > 0 && !STOPWORDS.has(word));
    for (let index = 0; index < words.length; index++) {
      this.add(vector, `w:${words[index]}`, 1);
      if (index > 0) this.add(vector, `b:${words[index - 1]} ${words[index]}`, 0.7);
    }
    const padded = ` ${words.join(' ')} `;
    for (let index = 0; index + 3 <= padded.length; index++) this.add(vector, `c:${padded.slice(index, index + 3)}`, 0.35);
    let norm = 0;
    for (let index = 0; index < vector.length; index++) norm += vector[index]! * vector[index]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let index = 0; index < vector.length; index++) vector[index]! /= norm;
    return vector;
  }

  private add(vector: Float32Array, feature: string, weight: number): void {
    const hashed = stringHash32(feature);
    const slot = (hashed >>> 1) % this.size;
    vector[slot]! += hashed & 1 ? weight : -weight;
  }
}

