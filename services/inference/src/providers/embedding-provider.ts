import { ChatUsage } from './chat-provider';

export interface EmbeddingRequest {
  /** The provider's pinned model version. */
  model: string;
  inputs: string[];
  dimensions?: number;
}

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  responseModel: string;
  usage: ChatUsage;
}

/** The port of a backend that turns texts into vectors. */
export interface EmbeddingProvider {
  embed(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult>;
}

export function isEmbeddingProvider(value: unknown): value is EmbeddingProvider {
  return typeof value === 'object' && value !== null && typeof (value as Partial<EmbeddingProvider>).embed === 'function';
}
