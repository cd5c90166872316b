import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsBase,
  MessageDeltaUsage,
  MessageParam,
  Tool,
  ToolChoice as AnthropicToolChoice,
  Usage,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { ChatMessage, ChatProvider, ChatRequest, ChatResult, ChatStreamEvent, ChatUsage, ToolCall } from './chat-provider';
import { LinkedAbort } from './linked-abort';
import { retryAfterMs } from './openai-compatible.provider';
import { abortError, PartialGeneration, ProviderError, ProviderErrorCode } from './provider-error';
import { withRetrievedContext } from './retrieved-context';
import { SdkErrorTranslator } from './sdk-error.translator';
import { TokenCounter } from './token-counter';
import { ToolCallAccumulator } from './tool-call.accumulator';

export interface AnthropicProviderOptions {
  providerId: string;
  /** Default https://api.anthropic.com (the SDK adds /v1/messages). */
  baseURL?: string;
  apiKey?: string;
  /** Longest wait for a whole answer, or for a stream's first event. Default 60 s. */
  timeoutMs?: number;
  streamIdleTimeoutMs?: number;
  /** Anthropic requires max_tokens; sent when the caller sets none. Default 4096. */
  defaultMaxTokens?: number;
  headers?: Record<string, string>;
  tokenCounter?: TokenCounter;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_TOKENS = 4096;
/** Anthropic has no JSON mode: a JSON answer is asked for as a forced call of this tool, whose input is the answer. */
const JSON_TOOL = 'json_response';

/** Anthropic's stop reasons in the OpenAI vocabulary our callers speak. */
function finishReasonOf(stopReason: string | null | undefined, jsonMode: boolean): string {
  switch (stopReason) {
    case 'tool_use':
      return jsonMode ? 'stop' : 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * A ChatProvider over Anthropic's Messages API and its official SDK (retries off: ours).
 * System turns become the `system` parameter, tool turns `tool_result` blocks; usage comes
 * from `message_start` (input) and `message_delta` (output, cumulative).
 */
export class AnthropicProvider implements ChatProvider {
  private readonly client: Anthropic;
  private readonly timeoutMs: number;
  private readonly streamIdleTimeoutMs: number;
  private readonly tokens: TokenCounter;
  private readonly errors: SdkErrorTranslator<APIError>;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.errors = new SdkErrorTranslator<APIError>(options.providerId, options.apiKey ?? '', { APIError, APIConnectionError, APIConnectionTimeoutError, APIUserAbortError }, fromAnthropicError);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? this.timeoutMs;
    this.tokens = options.tokenCounter ?? new TokenCounter();
    this.client = new Anthropic({
      apiKey: options.apiKey || 'no-key',
      authToken: null,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
      maxRetries: 0,
      timeout: this.timeoutMs + 1_000,
      logLevel: 'off',
    });
  }

  async generate(req: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const scope = new LinkedAbort(signal);
    scope.timeoutAfter(this.timeoutMs, `${this.options.providerId} gave no answer within ${this.timeoutMs} ms`);
    try {
      const message: Message = await this.client.messages.create({ ...this.body(req), stream: false }, { signal: scope.signal });
      let content = '';
      const toolCalls: ToolCall[] = [];
      for (const block of message.content) {
        if (block.type === 'text') content += block.text;
        if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, argumentsJson: JSON.stringify(block.input) });
      }
      const jsonMode = this.jsonMode(req);
      if (jsonMode) {
        content = toolCalls.find((call) => call.name === JSON_TOOL)?.argumentsJson ?? content;
      }
      return {
        content,
        finishReason: finishReasonOf(message.stop_reason, jsonMode),
        responseModel: message.model || req.model,
        usage: usageOf(message.usage),
        toolCalls: jsonMode ? [] : toolCalls,
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
    const jsonMode = this.jsonMode(req);
    let text = '';
    const tools = new ToolCallAccumulator();
    // message_start reports the input; message_delta the output so far (cumulative).
    let usage: ChatUsage | undefined;
    let outputReported = false;
    // Cut short, the stream never sent its final output count: the input count stands, the output is estimated.
    const partial = (): PartialGeneration => {
      const estimate = this.tokens.estimateUsage(req, text, tools.calls());
      if (!usage) return { text, usage: estimate };
      if (outputReported) return { text, usage };
      return { text, usage: { ...usage, outputTokens: estimate.outputTokens, estimated: true } };
    };
    try {
      let stream;
      try {
        stream = await this.client.messages.create({ ...this.body(req), stream: true }, { signal: scope.signal });
      } catch (err) {
        throw this.errors.toProviderError(err, scope.signal);
      }
      let stopReason: string | null | undefined;
      let responseModel = req.model;
      let stopped = false;
      // Content block index → tool call index, for input_json_delta events.
      const toolIndexOfBlock = new Map<number, number>();
      try {
        for await (const event of stream) {
          if (scope.signal.aborted) break;
          scope.timeoutAfter(
            this.streamIdleTimeoutMs,
            `${this.options.providerId} went silent for ${this.streamIdleTimeoutMs} ms mid-stream`,
          );
          switch (event.type) {
            case 'message_start':
              responseModel = event.message.model || responseModel;
              usage = usageOf(event.message.usage);
              break;
            case 'content_block_start':
              if (event.content_block.type === 'tool_use') {
                const index = tools.size;
                toolIndexOfBlock.set(event.index, index);
                const piece = tools.add(index, event.content_block.id, event.content_block.name, '');
                if (!jsonMode) yield { type: 'tool_call', delta: piece };
              } else if (event.content_block.type === 'text' && event.content_block.text) {
                text += event.content_block.text;
                yield { type: 'delta', text: event.content_block.text };
              }
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta' && event.delta.text) {
                text += event.delta.text;
                yield { type: 'delta', text: event.delta.text };
              } else if (event.delta.type === 'input_json_delta') {
                const index = toolIndexOfBlock.get(event.index);
                if (index === undefined || !event.delta.partial_json) break;
                const piece = tools.add(index, undefined, undefined, event.delta.partial_json);
                if (jsonMode) {
                  // The forced JSON tool's input is the answer itself.
                  text += event.delta.partial_json;
                  yield { type: 'delta', text: event.delta.partial_json };
                } else {
                  yield { type: 'tool_call', delta: piece };
                }
              }
              break;
            case 'message_delta':
              stopReason = event.delta.stop_reason ?? stopReason;
              usage = mergeDeltaUsage(usage, event.usage);
              outputReported = true;
              break;
            case 'message_stop':
              stopped = true;
              break;
            case 'content_block_stop':
              break;
          }
        }
      } catch (err) {
        throw this.errors.toStreamError(err, scope.signal, partial());
      }
      if (scope.signal.aborted) throw abortError(scope.signal, partial());
      if (!stopped) {
        throw new ProviderError(ProviderErrorCode.STREAM_BROKEN, `${this.options.providerId} ended the stream before message_stop`, {
          partial: partial(),
        });
      }
      const toolCalls = jsonMode ? [] : tools.calls();
      yield {
        type: 'done',
        result: {
          content: text,
          finishReason: finishReasonOf(stopReason, jsonMode),
          responseModel,
          usage: usage ?? this.tokens.estimateUsage(req, text, toolCalls),
          toolCalls,
        },
      };
    } finally {
      scope.dispose();
    }
  }

  private jsonMode(req: ChatRequest): boolean {
    return req.responseFormat?.type === 'json_object' || req.responseFormat?.type === 'json_schema';
  }

  private body(req: ChatRequest): MessageCreateParamsBase {
    const messages = withRetrievedContext(req.messages, req.passages);
    const system = messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => m.content)
      .join('\n\n');
    const body: MessageCreateParamsBase = {
      model: req.model,
      max_tokens: req.maxTokens ?? this.options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
      messages: messages.filter((m) => m.role !== 'system' && m.role !== 'developer').map(toAnthropicMessage),
    };
    if (system) body.system = system;
    // API version 2026-10-21 (what this SDK sends) rejects temperature/top_p with a 400: not sent.
    if (req.stop && req.stop.length > 0) body.stop_sequences = req.stop;
    const tools: Tool[] = (req.tools ?? []).map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.parametersJson
        ? (JSON.parse(tool.parametersJson) as Tool['input_schema'])
        : { type: 'object', properties: {} },
    }));
    const format = req.responseFormat;
    if (format?.type === 'json_object' || format?.type === 'json_schema') {
      tools.push({
        name: JSON_TOOL,
        description: 'Answer by calling this tool with the answer as its input.',
        input_schema:
          format.type === 'json_schema' ? (JSON.parse(format.schemaJson) as Tool['input_schema']) : { type: 'object', properties: {} },
      });
      body.tool_choice = { type: 'tool', name: JSON_TOOL };
    } else if (req.toolChoice !== undefined) {
      body.tool_choice = toAnthropicToolChoice(req.toolChoice);
    }
    if (tools.length > 0) body.tools = tools;
    return body;
  }
}

/**
 * Anthropic's input_tokens excludes cache reads and writes; ours, like OpenAI's prompt_tokens,
 * counts every input token with cached ones as a part of it.
 */
function usageOf(usage: Usage): ChatUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + cacheRead + cacheWrite,
    outputTokens: usage.output_tokens,
    cachedInputTokens: cacheRead,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
    estimated: false,
  };
}

/** message_delta usage is cumulative; fields it leaves null keep what message_start said. */
function mergeDeltaUsage(start: ChatUsage | undefined, delta: MessageDeltaUsage): ChatUsage {
  const base = start ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, estimated: false };
  const hasInput = delta.input_tokens !== null && delta.input_tokens !== undefined;
  const cacheRead = delta.cache_read_input_tokens ?? base.cachedInputTokens;
  return {
    inputTokens: hasInput
      ? (delta.input_tokens ?? 0) + (delta.cache_read_input_tokens ?? 0) + (delta.cache_creation_input_tokens ?? 0)
      : base.inputTokens,
    outputTokens: delta.output_tokens,
    cachedInputTokens: hasInput ? cacheRead : base.cachedInputTokens,
    reasoningTokens: delta.output_tokens_details?.thinking_tokens ?? base.reasoningTokens,
    estimated: false,
  };
}

function toAnthropicMessage(m: ChatMessage): MessageParam {
  if (m.role === 'tool') {
    return { role: 'user', content: [{ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content }] };
  }
  if (m.role === 'assistant') {
    if (!m.toolCalls || m.toolCalls.length === 0) return { role: 'assistant', content: m.content };
    const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
    for (const call of m.toolCalls) {
      blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.argumentsJson || '{}') as unknown });
    }
    return { role: 'assistant', content: blocks };
  }
  return { role: 'user', content: m.content };
}

function toAnthropicToolChoice(choice: NonNullable<ChatRequest['toolChoice']>): AnthropicToolChoice {
  if (typeof choice !== 'string') return { type: 'tool', name: choice.name };
  if (choice === 'required') return { type: 'any' };
  return { type: choice };
}

/** An error answer by Anthropic's error types (https://docs.anthropic.com/en/api/errors), then by status. */
function fromAnthropicError(err: APIError, message: string): ProviderError {
  const status = err.status;
  const type = err.type ?? undefined;
  const base = { status, cause: err };
  const retryAfter = retryAfterMs(err.headers);
  if (type === 'invalid_request_error' && /prompt is too long|context (window|length)|too many tokens/i.test(err.message)) {
    return new ProviderError(ProviderErrorCode.CONTEXT_LENGTH, message, base);
  }
  if (status === 413) return new ProviderError(ProviderErrorCode.CONTEXT_LENGTH, message, base);
  if (type === 'rate_limit_error' || status === 429) {
    return new ProviderError(ProviderErrorCode.RATE_LIMITED, message, { ...base, retryAfterMs: retryAfter });
  }
  if (type === 'overloaded_error' || type === 'api_error' || (status !== undefined && status >= 500)) {
    return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, message, { ...base, retryAfterMs: retryAfter });
  }
  if (type === 'timeout_error' || status === 408 || status === 504) return new ProviderError(ProviderErrorCode.TIMEOUT, message, base);
  if (type === 'authentication_error' || type === 'permission_error' || status === 401 || status === 403) {
    return new ProviderError(ProviderErrorCode.AUTH, message, base);
  }
  if (status !== undefined && status >= 400) return new ProviderError(ProviderErrorCode.BAD_REQUEST, message, base);
  return new ProviderError(ProviderErrorCode.UNKNOWN, message, base);
}
