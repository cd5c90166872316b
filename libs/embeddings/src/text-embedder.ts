/** Port for turning text into unit-length vectors; cosine similarity is then their dot product. */
export interface TextEmbedder {
  /** Stable identity of the model (and its settings): vectors of different ids are never compared. */
  readonly id: string;
  /** Vector length; may be known only after the first call for a remote model. */
  dimensions(): Promise<number>;
  /** One vector per text, same order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export async function embedOne(embedder: TextEmbedder, text: string): Promise<Float32Array> {
  const [vector] = await embedder.embed([text]);
  return vector!;
}
