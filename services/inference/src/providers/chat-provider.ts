/**
 * The port every model backend implements: one chat turn, whole or streamed. Providers speak
 * in these domain types only; SDK types and wire formats stay inside the adapters.
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole | string;
  content: string;
  name?: string;
}

/** A retrieved passage; `index` is the [n] marker an answer uses to cite it. */
export interface ChatPassage {
  index: number;
  source: string;
  section: string;
  text: string;
}

export interface ChatRequest {
  /** The provider's pinned model version, e.g. `gpt-4o-mini-2024-07-18`. */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  passages?: ChatPassage[];
}

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** True when we counted with our tokenizer because the provider reported nothing. */
  estimated: boolean;
}

export interface ChatResult {
  content: string;
  /** `stop`, `length`, `content_filter`, `tool_calls`... as the provider said it. */
  finishReason: string;
  /** The model name the provider reported answering with. */
  responseModel: string;
  usage: ChatUsage;
}

export type ChatStreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: ChatResult };

export interface ChatProvider {
  generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /**
   * Yields deltas then exactly one `done`. Failures are thrown from the iterator as
   * ProviderError; a failure after deltas carries what was generated so far in `partial`.
   */
  generateStream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamEvent>;
}
