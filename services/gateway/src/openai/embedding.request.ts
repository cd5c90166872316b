import { ErrorCode, PlatformError } from '@llmops/grpc';
import { z } from 'zod';
import { parseBody } from './openai-request.validation';

/** OpenAI's own ceiling on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

export type EmbeddingEncoding = 'float' | 'base64';

/** The OpenAI embeddings.create request. Token arrays parse, to be refused with a clear message. */
const embeddingRequestSchema = z.object({
  model: z.string().min(1, 'you must provide a model parameter'),
  input: z.union([z.string(), z.array(z.union([z.string(), z.number(), z.array(z.number())]))], {
    error: 'must be a string or an array of strings',
  }),
  encoding_format: z.enum(['float', 'base64'], { error: "must be 'float' or 'base64'" }).nullish(),
  dimensions: z.number().int().positive().nullish(),
  user: z.string().nullish(),
});

export interface EmbeddingRequest {
  model: string;
  inputs: string[];
  encodingFormat: EmbeddingEncoding;
  dimensions?: number;
  user: string;
}

function invalidInput(message: string, param = 'input'): PlatformError {
  return new PlatformError(ErrorCode.InvalidRequest, `Invalid request: ${param}: ${message}`, { param });
}

export function parseEmbeddingRequest(body: unknown): EmbeddingRequest {
  const request = parseBody(embeddingRequestSchema, body);
  const items = typeof request.input === 'string' ? [request.input] : request.input;
  if (items.length === 0) throw invalidInput('must hold at least one text');
  if (items.length > MAX_EMBEDDING_INPUTS) throw invalidInput(`at most ${MAX_EMBEDDING_INPUTS} inputs per request; got ${items.length}`);
  // The inference service's Embed carries texts only: tokens of one tokenizer mean nothing to another provider.
  if (items.some((item) => typeof item !== 'string')) throw invalidInput('token arrays are not supported; send the texts as strings');
  const inputs = items as string[];
  const empty = inputs.findIndex((text) => text === '');
  if (empty >= 0) throw invalidInput('must not be an empty string', typeof request.input === 'string' ? 'input' : `input.${empty}`);
  return {
    model: request.model,
    inputs,
    encodingFormat: request.encoding_format ?? 'float',
    ...(request.dimensions !== null && request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    user: request.user ?? '',
  };
}
