import { stringHash32 } from '../hashing/string-hash';

/** Turns text into a unit vector; similar texts give vectors with a high dot product. */
export interface TextEmbedder {
  readonly dimensions: number;
  embed(text: string): Float32Array;
}

/**
 * Function words every request shares. Left in, they make all vectors alike, which crowds the
 * LSH buckets and says nothing about meaning. Question words and negations are kept: "how" and
 * "why", "is" and "is not", ask different things.
 */
const STOPWORDS = new Set(
  'a an the of to in for on at by from with and or but is are was were be been being do does did i me my we our you your it its this that these those there here can could would should will shall may might must as into about than then so if please just'.split(' '),
);

/**
 * A deterministic local embedder: signed feature hashing of lower-cased content words (function
 * words dropped), word bigrams and character trigrams into a fixed number of dimensions,
 * L2-normalised. No model and no network,
 * so it runs inside Route's budget and gives the same vector on every replica. It captures
 * lexical similarity (reworded whitespace, casing, punctuation, a changed word), not meaning;
 * an embedding from the inference service can stand behind the same interface.
 */
export class HashingTextEmbedder implements TextEmbedder {
  constructor(readonly dimensions = 128) {}

  embed(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
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
    const slot = (hashed >>> 1) % this.dimensions;
    vector[slot]! += hashed & 1 ? weight : -weight;
  }
}

