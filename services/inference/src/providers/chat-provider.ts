/**
 * The port every model backend implements: one chat turn, whole or streamed. Providers speak
 * in these domain types only; SDK types and wire formats stay inside the adapters.
 */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A function call the model made; `argumentsJson` is the arguments object as JSON text. */
export interface ToolCall {
  id: string;
  name: string;
  argumentsJson: string;
}

/** A function the model may call; `parametersJson` is its JSON Schema as JSON text. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parametersJson?: string;
}

/** `auto`, `none`, `required`, or `{ name }` to force one tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schemaJson: string };

export interface ChatMessage {
  role: ChatRole | string;
  content: string;
  name?: string;
  /** An assistant turn that called tools. */
  toolCalls?: ToolCall[];
  /** A tool turn: the id of the call it answers. */
  toolCallId?: string;
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
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
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
  /** Calls the model made, in order; empty when it answered in text only. */
  toolCalls: ToolCall[];
}

/** A piece of a streamed tool call: the first piece of a call carries its id and name. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  argumentsDelta: string;
}

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; delta: ToolCallDelta }
  | { type: 'done'; result: ChatResult };

export interface ChatProvider {
  generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  /**
   * Yields deltas (text and tool-call pieces) then exactly one `done`. Failures are thrown from the iterator as
   * ProviderError; a failure after deltas carries what was generated so far in `partial`.
   */
  generateStream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamEvent>;
}
