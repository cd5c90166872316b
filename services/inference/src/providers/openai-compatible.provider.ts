import { withRetrievedContext } from './retrieved-context';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { ChatMessage, ChatProvider, ChatRequest, ChatResult, ChatStreamEvent, ChatUsage, ToolCall, ToolChoice } from './chat-provider';
import { EmbeddingProvider, EmbeddingRequest, EmbeddingResult } from './embedding-provider';
import { ToolCallAccumulator } from './tool-call.accumulator';
import { LinkedAbort } from './linked-abort';
import { abortError, PartialGeneration, ProviderError, ProviderErrorCode } from './provider-error';
import { SdkErrorTranslator } from './sdk-error.translator';
import { TokenCounter } from './token-counter';

export interface OpenAiCompatibleProviderOptions {
  /** Provider id from llmops.yaml; names the upstream in error messages. */
  providerId: string;
  /** Base URL including the version segment, e.g. https://api.openai.com/v1. */
  baseURL: string;
  /** Empty or absent for local servers (Ollama, vLLM) that take no key: no Authorization is sent. */
  apiKey?: string;
  /**
   * How long we wait for a whole non-streamed answer, and for a stream's first chunk.
   * Default 60 s. Retries are ours to decide (the SDK's own retries are off).
   */
  timeoutMs?: number;
  /** Longest silence between two chunks of a stream. Default: timeoutMs. */
  streamIdleTimeoutMs?: number;
  /** Newer OpenAI models take only max_completion_tokens; most compatible servers take max_tokens. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Whether the server honours stream_options.include_usage (default true); without it usage is estimated. */
  streamUsage?: boolean;
  /** Sent with every request (llmops.yaml `quirks.headers`). */
  headers?: Record<string, string>;
  /** max_tokens sent when the caller sets none. */
  defaultMaxTokens?: number;
  /** Inputs per /embeddings request; longer lists are split into batches sent in parallel. Default 256. */
  embeddingBatchSize?: number;
  tokenCounter?: TokenCounter;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A ChatProvider over the official OpenAI SDK, for OpenAI and every server that speaks its
 * chat.completions API (vLLM, Groq, Ollama, TGI...). Usage reported by the provider is the
 * truth; our tokenizer only fills in when the provider reports none.
 */
export class OpenAiCompatibleProvider implements ChatProvider, EmbeddingProvider {
  private readonly client: OpenAI;
  private readonly timeoutMs: number;
  private readonly streamIdleTimeoutMs: number;
  private readonly tokens: TokenCounter;
  private readonly errors: SdkErrorTranslator<APIError>;

  constructor(private readonly options: OpenAiCompatibleProviderOptions) {
    this.errors = new SdkErrorTranslator<APIError>(options.providerId, options.apiKey ?? '', { APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError }, fromOpenAiError);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? this.timeoutMs;
    this.tokens = options.tokenCounter ?? new TokenCounter();
    const hasKey = Boolean(options.apiKey);
    this.client = new OpenAI({
      baseURL: options.baseURL,
      // The SDK insists on a credential; without a key we send a placeholder it never uses,
      // because the Authorization header is removed below.
      apiKey: hasKey ? options.apiKey : 'no-key',
      defaultHeaders: { ...options.headers, ...(hasKey ? {} : { Authorization: null }) },
      // Passed explicitly so the SDK does not pick them up from the environment.
      organization: null,
      project: null,
      maxRetries: 0,
      // A backstop only: our own timers abort earlier with a reason we can classify.
      timeout: this.timeoutMs + 1_000,
      logLevel: 'off',
    });
  }

  async generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const scope = new LinkedAbort(signal);
    scope.timeoutAfter(this.timeoutMs, `${this.options.providerId} gave no answer within ${this.timeoutMs} ms`);
    try {
      const completion: ChatCompletion = await this.client.chat.completions.create(
        Object.assign(this.body(req), { stream: false as const }),
        { signal: scope.signal },
      );
      const choice = completion.choices[0];
      if (!choice) {
        throw new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, `${this.options.providerId} returned no choices`);
      }
      const content = choice.message.content ?? '';
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((call) =>
        call.type === 'function' ? [{ id: call.id, name: call.function.name, argumentsJson: call.function.arguments }] : [],
      );
      return {
        content,
        finishReason: choice.finish_reason ?? 'stop',
        responseModel: completion.model || req.model,
        usage: this.usage(completion.usage, req, content, toolCalls),
        toolCalls,
      };
    } catch (err) {
      throw this.errors.toProviderError(err, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  async *generateStream(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatStreamEvent> {
    const scope = new LinkedAbort(signal);
    scope.timeoutAfter(this.timeoutMs, `${this.options.providerId} sent nothing within ${this.timeoutMs} ms`);
    let text = '';
    const tools = new ToolCallAccumulator();
    let reported: CompletionUsage | undefined;
    const partial = (): PartialGeneration => ({ text, usage: this.usage(reported, req, text, tools.calls()) });
    const streamUsage = this.options.streamUsage ?? true;
    try {
      let stream;
      try {
        stream = await this.client.chat.completions.create(
          Object.assign(this.body(req), { stream: true as const }, streamUsage ? { stream_options: { include_usage: true } } : {}),
          { signal: scope.signal },
        );
      } catch (err) {
        throw this.errors.toProviderError(err, scope.signal);
      }

      let finishReason: string | undefined;
      let responseModel = req.model;
      try {
        for await (const chunk of stream) {
          // Chunks already buffered when the abort landed are not passed on.
          if (scope.signal.aborted) break;
          scope.timeoutAfter(
            this.streamIdleTimeoutMs,
            `${this.options.providerId} went silent for ${this.streamIdleTimeoutMs} ms mid-stream`,
          );
          if (chunk.model) responseModel = chunk.model;
          if (chunk.usage) reported = chunk.usage;
          const choice = chunk.choices[0];
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          const delta = choice?.delta?.content;
          if (delta) {
            text += delta;
            yield { type: 'delta', text: delta };
          }
          for (const call of choice?.delta?.tool_calls ?? []) {
            const piece = tools.add(call.index, call.id, call.function?.name, call.function?.arguments ?? '');
            yield { type: 'tool_call', delta: piece };
          }
        }
      } catch (err) {
        throw this.errors.toStreamError(err, scope.signal, partial());
      }
      // The SDK ends iteration quietly when its signal aborts, so an abort must be checked here.
      if (scope.signal.aborted) throw abortError(scope.signal, partial());
      if (!finishReason) {
        throw new ProviderError(
          ProviderErrorCode.STREAM_BROKEN,
          `${this.options.providerId} ended the stream without a finish reason`,
          { partial: partial() },
        );
      }
      const toolCalls = tools.calls();
      yield {
        type: 'done',
        result: { content: text, finishReason, responseModel, usage: this.usage(reported, req, text, toolCalls), toolCalls },
      };
    } finally {
      scope.dispose();
    }
  }

  /** Embeddings through /embeddings, in batches; vectors come back in input order. */
  async embed(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
    const scope = new LinkedAbort(signal);
    scope.timeoutAfter(this.timeoutMs, `${this.options.providerId} gave no embeddings within ${this.timeoutMs} ms`);
    const size = this.options.embeddingBatchSize ?? 256;
    const batches: string[][] = [];
    for (let i = 0; i < req.inputs.length; i += size) batches.push(req.inputs.slice(i, i + size));
    try {
      const responses = await Promise.all(
        batches.map((input) =>
          this.client.embeddings.create(
            { model: req.model, input, ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}) },
            { signal: scope.signal },
          ),
        ),
      );
      const vectors: number[][] = [];
      let inputTokens = 0;
      let reportedAll = true;
      for (const response of responses) {
        const ordered = [...response.data].sort((a, b) => a.index - b.index);
        for (const item of ordered) vectors.push(item.embedding);
        if (response.usage) inputTokens += response.usage.prompt_tokens;
        else reportedAll = false;
      }
      if (vectors.length !== req.inputs.length) {
        throw new ProviderError(
          ProviderErrorCode.UPSTREAM_UNAVAILABLE,
          `${this.options.providerId} returned ${vectors.length} embeddings for ${req.inputs.length} inputs`,
        );
      }
      if (!reportedAll) inputTokens = req.inputs.reduce((sum, text) => sum + this.tokens.countText(text, req.model), 0);
      return {
        vectors,
        responseModel: responses[0]?.model || req.model,
        usage: { inputTokens, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, estimated: !reportedAll },
      };
    } catch (err) {
      throw this.errors.toProviderError(err, scope.signal);
    } finally {
      scope.dispose();
    }
  }

  private body(req: ChatRequest): ChatCompletionCreateParamsBase {
    const body: ChatCompletionCreateParamsBase = {
      model: req.model,
      messages: withRetrievedContext(req.messages, req.passages).map(toOpenAiMessage),
    };
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
    const maxTokens = req.maxTokens ?? this.options.defaultMaxTokens;
    if (maxTokens !== undefined) body[this.options.maxTokensField ?? 'max_tokens'] = maxTokens;
    if (req.stop && req.stop.length > 0) body.stop = req.stop;
    if (req.tools && req.tools.length > 0) {
      body.tools = req.tools.map((tool) => ({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          ...(tool.parametersJson ? { parameters: JSON.parse(tool.parametersJson) as Record<string, unknown> } : {}),
        },
      }));
    }
    if (req.toolChoice !== undefined) body.tool_choice = toOpenAiToolChoice(req.toolChoice);
    const format = req.responseFormat;
    if (format?.type === 'json_object' || format?.type === 'text') body.response_format = { type: format.type };
    if (format?.type === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: format.name, schema: JSON.parse(format.schemaJson) as Record<string, unknown>, strict: true },
      };
    }
    return body;
  }

  private usage(reported: CompletionUsage | null | undefined, req: ChatRequest, content: string, toolCalls: ToolCall[] = []): ChatUsage {
    if (reported) {
      return {
        inputTokens: reported.prompt_tokens,
        outputTokens: reported.completion_tokens,
        cachedInputTokens: reported.prompt_tokens_details?.cached_tokens ?? 0,
        reasoningTokens: reported.completion_tokens_details?.reasoning_tokens ?? 0,
        estimated: false,
      };
    }
    return this.tokens.estimateUsage(req, content, toolCalls);
  }

}

/** Retry-After as OpenAI sends it: `retry-after-ms`, or `retry-after` in seconds or as a date. */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function toOpenAiMessage(m: ChatMessage): ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', content: m.content, tool_call_id: m.toolCallId ?? '' };
  if (m.role === 'assistant' && m.toolCalls && m.toolCalls.length > 0) {
    return {
      role: 'assistant',
      content: m.content || null,
      tool_calls: m.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.argumentsJson },
      })),
    };
  }
  // Other roles pass through as the caller gave them.
  return { role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) } as ChatCompletionMessageParam;
}

function toOpenAiToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** An error answer by OpenAI's error code, then by status. */
function fromOpenAiError(err: APIError, message: string): ProviderError {
  const status = err.status;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const base = { status, cause: err };
  // OpenAI's /embeddings (and vLLM) say it with code null: only the message tells.
  if (code === 'context_length_exceeded' || (status === 400 && /maximum context length/i.test(err.message))) {
    return new ProviderError(ProviderErrorCode.CONTEXT_LENGTH, message, base);
  }
  if (code === 'content_policy_violation' || code === 'content_filter') {
    return new ProviderError(ProviderErrorCode.CONTENT_POLICY, message, base);
  }
  if (status === undefined) {
    // An error event inside a stream: only its type says what went wrong.
    return err.type === 'server_error'
      ? new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, message, base)
      : new ProviderError(ProviderErrorCode.UNKNOWN, message, base);
  }
  if (status === 429) {
    return new ProviderError(ProviderErrorCode.RATE_LIMITED, message, {
      ...base,
      retryAfterMs: retryAfterMs(err.headers),
    });
  }
  if (status === 401 || status === 403) return new ProviderError(ProviderErrorCode.AUTH, message, base);
  if (status === 408) return new ProviderError(ProviderErrorCode.TIMEOUT, message, base);
  if (status >= 500) {
    return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, message, {
      ...base,
      retryAfterMs: retryAfterMs(err.headers),
    });
  }
  if (status >= 400) return new ProviderError(ProviderErrorCode.BAD_REQUEST, message, base);
  return new ProviderError(ProviderErrorCode.UNKNOWN, message, base);
}
