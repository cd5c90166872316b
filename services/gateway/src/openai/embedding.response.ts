import type { EmbeddingOutcome } from '../embedding/embedding.use-case';
import type { EmbeddingEncoding } from './embedding.request';

/** A vector as OpenAI's `encoding_format: base64` sends it: little-endian float32, base64. */
export function toBase64Vector(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString('base64');
}

/**
 * A float32 as a JSON number of at most 9 significant digits (enough to read back the same
 * float32), not the ~17 digits of the double it was widened to: OpenAI's answers look like this,
 * and a 384-dimension vector is ~40 % smaller.
 */
export function toFloat32Number(value: number): number {
  return Number(value.toPrecision(9));
}

/** OpenAI's embeddings response, field for field. */
export function toEmbeddingList(outcome: EmbeddingOutcome, encoding: EmbeddingEncoding) {
  const inputTokens = outcome.usage?.inputTokens ?? 0;
  return {
    object: 'list' as const,
    data: outcome.vectors.map((vector, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? toBase64Vector(vector) : vector.map(toFloat32Number),
    })),
    model: outcome.model,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
}
