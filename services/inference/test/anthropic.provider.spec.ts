import { FAKE_ANTHROPIC_JSON_CHUNK_CHARS, FakeAnthropicServer, startFakeAnthropicServer } from '@llmops/testing';
import { AnthropicProvider } from '../src/providers/anthropic.provider';
import { ChatRequest, ChatStreamEvent } from '../src/providers/chat-provider';
import { ProviderError, ProviderErrorCode } from '../src/providers/provider-error';
import { TokenCounter } from '../src/providers/token-counter';

const API_KEY = 'sk-ant-test-0123456789abcdef';
const ANSWER = 'Paris is the capital of France.';
const signal = () => new AbortController().signal;

function ask(model: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model,
    messages: [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content: 'What is the capital of France?' },
    ],
    ...extra,
  };
}

async function collect(stream: AsyncIterable<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, deltas: events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])) };
  } catch (error) {
    return { events, deltas: events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])), error };
  }
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('AnthropicProvider against a server speaking the Messages API wire format', () => {
  let server: FakeAnthropicServer;
  let provider: AnthropicProvider;

  beforeEach(async () => {
    server = await startFakeAnthropicServer({
      expectedApiKey: API_KEY,
      scenario: { kind: 'ok', answer: ANSWER, usage: { inputTokens: 21, outputTokens: 9, cacheReadInputTokens: 100, cacheCreationInputTokens: 7 } },
    });
    provider = new AnthropicProvider({ providerId: 'anthropic', baseURL: server.url, apiKey: API_KEY, timeoutMs: 10_000, defaultMaxTokens: 1024 });
  });
  afterEach(() => server.close());

  it('moves system turns to `system`, sends max_tokens, and reads usage with cache reads as cached input', async () => {
    const result = await provider.generate(ask('claude-sonnet-4-20250514', { stop: ['\n\n'], temperature: 0.2 }), signal());
    expect(result).toEqual({
      content: ANSWER,
      finishReason: 'stop',
      responseModel: 'claude-sonnet-4-20250514',
      toolCalls: [],
      // 21 uncached + 100 read from cache + 7 written to it; 100 of them cached.
      usage: { inputTokens: 128, outputTokens: 9, cachedInputTokens: 100, reasoningTokens: 0, estimated: false },
    });
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1024,
      system: 'You answer briefly.',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      stop_sequences: ['\n\n'],
      stream: false,
    });
    expect(sent.headers['anthropic-version']).toBeDefined();
  });

  it('streams text deltas; input usage from message_start, output from the cumulative message_delta', async () => {
    const { events, deltas, error } = await collect(provider.generateStream(ask('claude-sonnet-4'), signal()));
    expect(error).toBeUndefined();
    expect(deltas).toEqual(['Paris ', 'is ', 'the ', 'capital ', 'of ', 'France.']);
    expect(events[events.length - 1]).toEqual({
      type: 'done',
      result: {
        content: ANSWER,
        finishReason: 'stop',
        responseModel: 'claude-sonnet-4',
        toolCalls: [],
        // message_start says output_tokens 1; the final message_delta's 9 is the total, not 1 + 9.
        usage: { inputTokens: 128, outputTokens: 9, cachedInputTokens: 100, reasoningTokens: 0, estimated: false },
      },
    });
  });

  it('translates tools and tool_choice, returns tool_use blocks as tool calls, whole and streamed', async () => {
    const input = { city: 'Paris', unit: 'celsius' };
    server.setScenario({ kind: 'ok', answer: 'Let me check.', toolUses: [{ id: 'toolu_01A', name: 'get_weather', input }], usage: { inputTokens: 40, outputTokens: 25 } });
    const tools = [{ name: 'get_weather', description: 'Weather in a city', parametersJson: '{"type":"object","properties":{"city":{"type":"string"}}}' }];
    const whole = await provider.generate(ask('claude-sonnet-4', { tools, toolChoice: 'required' }), signal());
    expect(whole).toMatchObject({
      content: 'Let me check.',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'toolu_01A', name: 'get_weather', argumentsJson: JSON.stringify(input) }],
      usage: { inputTokens: 40, outputTokens: 25, estimated: false },
    });
    expect(server.requests[0]!.body).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
    });

    const streamed = await collect(provider.generateStream(ask('claude-sonnet-4', { tools, toolChoice: { name: 'get_weather' } }), signal()));
    const pieces = streamed.events.flatMap((e) => (e.type === 'tool_call' ? [e.delta] : []));
    expect(pieces[0]).toEqual({ index: 0, id: 'toolu_01A', name: 'get_weather', argumentsDelta: '' });
    expect(pieces).toHaveLength(1 + Math.ceil(JSON.stringify(input).length / FAKE_ANTHROPIC_JSON_CHUNK_CHARS));
    expect(streamed.events[streamed.events.length - 1]).toMatchObject({
      type: 'done',
      result: { content: 'Let me check.', finishReason: 'tool_calls', toolCalls: [{ id: 'toolu_01A', name: 'get_weather', argumentsJson: JSON.stringify(input) }] },
    });
    expect(server.requests[1]!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'get_weather' } });
  });

  it('sends tool results back as tool_result blocks and assistant calls as tool_use blocks', async () => {
    await provider.generate(
      {
        model: 'claude-sonnet-4',
        messages: [
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_01A', name: 'get_weather', argumentsJson: '{"city":"Paris"}' }] },
          { role: 'tool', content: '18 degrees', toolCallId: 'toolu_01A' },
        ],
      },
      signal(),
    );
    expect(server.requests[0]!.body).toMatchObject({
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: '18 degrees' }] },
      ],
    });
  });

  it('answers JSON mode through a forced tool whose input is the answer', async () => {
    server.setScenario({ kind: 'ok', answer: '', toolUses: [{ id: 'toolu_J', name: 'json_response', input: { ok: true } }], usage: { inputTokens: 30, outputTokens: 6 } });
    const format = { type: 'json_schema' as const, name: 'verdict', schemaJson: '{"type":"object","properties":{"ok":{"type":"boolean"}}}' };
    const whole = await provider.generate(ask('claude-sonnet-4', { responseFormat: format }), signal());
    expect(whole).toMatchObject({ content: '{"ok":true}', finishReason: 'stop', toolCalls: [] });
    expect(server.requests[0]!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'json_response' } });
    const streamed = await collect(provider.generateStream(ask('claude-sonnet-4', { responseFormat: format }), signal()));
    expect(streamed.deltas.join('')).toBe('{"ok":true}');
    expect(streamed.events[streamed.events.length - 1]).toMatchObject({ result: { content: '{"ok":true}', usage: { outputTokens: 6 } } });
  });

  it.each([
    ['fail-429', ProviderErrorCode.RATE_LIMITED, 429],
    ['fail-529', ProviderErrorCode.UPSTREAM_UNAVAILABLE, 529],
    ['fail-500', ProviderErrorCode.UPSTREAM_UNAVAILABLE, 500],
    ['fail-400-context', ProviderErrorCode.CONTEXT_LENGTH, 400],
    ['fail-401', ProviderErrorCode.AUTH, 401],
    ['malformed-json', ProviderErrorCode.UPSTREAM_UNAVAILABLE, undefined],
  ])('maps %s to %s', async (model, code, status) => {
    const error = await rejection(provider.generate(ask(model), signal()));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain(API_KEY);
    if (code === ProviderErrorCode.RATE_LIMITED) expect(error.retryAfterMs).toBe(1_000);
    const streamed = await collect(provider.generateStream(ask(model), signal()));
    expect(streamed.deltas).toEqual([]);
    expect(streamed.error).toMatchObject({ code: model === 'malformed-json' ? ProviderErrorCode.STREAM_BROKEN : code });
  });

  it('ends with the error event of a stream mid-way: reported input usage, estimated output of what was generated', async () => {
    const { deltas, error } = await collect(provider.generateStream(ask('error-event-after-2'), signal()));
    expect(deltas).toEqual(['Paris ', 'is ']);
    expect(error).toMatchObject({
      code: ProviderErrorCode.UPSTREAM_UNAVAILABLE,
      partial: {
        text: 'Paris is ',
        // message_start's output_tokens (1) is not a count of what came; ours is, and says so.
        usage: { inputTokens: 128, cachedInputTokens: 100, outputTokens: new TokenCounter().countText('Paris is ', 'error-event-after-2'), estimated: true },
      },
    });
  });

  it('ends a stream whose connection breaks with STREAM_BROKEN after the deltas', async () => {
    const { deltas, error } = await collect(provider.generateStream(ask('break-after-3'), signal()));
    expect(deltas).toEqual(['Paris ', 'is ', 'the ']);
    expect(error).toMatchObject({ code: ProviderErrorCode.STREAM_BROKEN, partial: { text: 'Paris is the ' } });
  });

  it('times out on a slow first byte, and cancels upstream when the caller aborts', async () => {
    const impatient = new AnthropicProvider({ providerId: 'anthropic', baseURL: server.url, apiKey: API_KEY, timeoutMs: 150 });
    expect((await rejection(impatient.generate(ask('slow-2000'), signal()))).code).toBe(ProviderErrorCode.TIMEOUT);
    const controller = new AbortController();
    const pending = rejection(provider.generate(ask('slow-5000'), controller.signal));
    while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect((await pending).code).toBe(ProviderErrorCode.CANCELLED);
    while (!server.requests[1]!.clientClosedEarly) await new Promise((r) => setTimeout(r, 10));
  });

  it('estimates with the tokenizer, marked estimated, when a stream carried no usage before it broke', async () => {
    // Not an Anthropic behaviour we expect, but the guarantee holds: a count is always there.
    const tokens = new TokenCounter();
    const { error } = await collect(provider.generateStream(ask('malformed-json'), signal()));
    expect((error as ProviderError).partial?.usage).toEqual({
      inputTokens: tokens.countMessages(ask('x').messages, 'malformed-json'),
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    });
  });
});
