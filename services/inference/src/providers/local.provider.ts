import type { ChatProvider, ChatRequest, ChatResult, ChatStreamEvent } from './chat-provider';
import type { EmbeddingProvider, EmbeddingRequest, EmbeddingResult } from './embedding-provider';

/**
 * The built-in `local` provider: the extractive answerer for chat, the local sentence model for
 * embeddings. Each model of llmops.yaml names one of them by its version.
 */
export class LocalProvider implements ChatProvider, EmbeddingProvider {
  constructor(
    private readonly answerer: ChatProvider,
    private readonly embedder: EmbeddingProvider,
  ) {}

  generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    return this.answerer.generate(req, signal);
  }

  generateStream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamEvent> {
    return this.answerer.generateStream(req, signal);
  }

  embed(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
    return this.embedder.embed(req, signal);
  }
}
