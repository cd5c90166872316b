import { FakeOpenAiServer, startFakeOpenAiServer } from '@llmops/testing';
import { ChatRequest, ChatStreamEvent } from '../src/providers/chat-provider';
import { OpenAiCompatibleProvider } from '../src/providers/openai-compatible.provider';
import { ProviderError, ProviderErrorCode } from '../src/providers/provider-error';
import { TokenCounter } from '../src/providers/token-counter';

const API_KEY = 'sk-test-0123456789abcdef';
const tokens = new TokenCounter();

function request(model: string, content = 'What is the capital of France?'): ChatRequest {
  return {
    model,
    messages: [
      { role: 'system', content: 'You answer briefly.' },
      { role: 'user', content },
    ],
    temperature: 0.2,
    topP: 0.9,
    maxTokens: 64,
    stop: ['\n\n'],
  };
}

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<{ deltas: string[]; error?: unknown; done?: ChatStreamEvent }> {
  const deltas: string[] = [];
  try {
    for await (const event of events) {
      if (event.type === 'delta') deltas.push(event.text);
      else return { deltas, done: event };
    }
    return { deltas };
  } catch (error) {
    return { deltas, error };
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

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('OpenAiCompatibleProvider against a server speaking the OpenAI wire format', () => {
  let server: FakeOpenAiServer;
  let provider: OpenAiCompatibleProvider;
  const signal = () => new AbortController().signal;

  beforeEach(async () => {
    server = await startFakeOpenAiServer({
      expectedApiKey: API_KEY,
      scenario: {
        kind: 'ok',
        answer: 'Paris is the capital of France.',
        usage: { promptTokens: 27, completionTokens: 8, cachedTokens: 11, reasoningTokens: 3 },
      },
    });
    provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, apiKey: API_KEY, timeoutMs: 5_000 });
  });
  afterEach(() => server.close());

  it('answers a whole request with the usage the provider reported', async () => {
    const result = await provider.generate(request('gpt-4o-mini-2024-07-18'), signal());
    expect(result).toEqual({
      content: 'Paris is the capital of France.',
      finishReason: 'stop',
      responseModel: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 27, outputTokens: 8, cachedInputTokens: 11, reasoningTokens: 3, estimated: false },
      toolCalls: [],
    });
    const sent = server.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.body).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      messages: [
        { role: 'system', content: 'You answer briefly.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      stop: ['\n\n'],
      stream: false,
    });
  });

  it('streams deltas then a result with the usage from the final chunk', async () => {
    const { deltas, done, error } = await collect(provider.generateStream(request('gpt-4o-mini'), signal()));
    expect(error).toBeUndefined();
    expect(deltas).toEqual(['Paris ', 'is ', 'the ', 'capital ', 'of ', 'France.']);
    expect(done).toEqual({
      type: 'done',
      result: {
        content: 'Paris is the capital of France.',
        finishReason: 'stop',
        responseModel: 'gpt-4o-mini',
        usage: { inputTokens: 27, outputTokens: 8, cachedInputTokens: 11, reasoningTokens: 3, estimated: false },
        toolCalls: [],
      },
    });
    expect(server.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('counts with the tokenizer and marks usage estimated when the provider reports none', async () => {
    const req = request('no-usage');
    const expectedInput = tokens.countMessages(req.messages, 'no-usage');
    const whole = await provider.generate(req, signal());
    expect(whole.content).toBe('Paris is the capital of France.');
    expect(whole.usage).toEqual({
      inputTokens: expectedInput,
      outputTokens: tokens.countText('Paris is the capital of France.', 'no-usage'),
      cachedInputTokens: 0,
      reasoningTokens: 0,
      estimated: true,
    });
    // cl100k_base: "Paris is the capital of France." is 7 tokens; the messages are framed as OpenAI does.
    expect(whole.usage.outputTokens).toBe(7);
    expect(expectedInput).toBe(3 + (3 + 1 + 4) + (3 + 1 + 7));

    const streamed = await collect(provider.generateStream(req, signal()));
    expect(streamed.done).toMatchObject({ result: { usage: whole.usage } });
  });

  it('sends no Authorization header when no key is configured (local servers)', async () => {
    const open = await startFakeOpenAiServer();
    try {
      const local = new OpenAiCompatibleProvider({ providerId: 'ollama', baseURL: open.url });
      const result = await local.generate(request('llama3.1:8b', 'hello'), signal());
      expect(result.content).toBe('hello');
      expect(open.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it.each([
    ['fail-429', ProviderErrorCode.RATE_LIMITED, 429, true],
    ['fail-500', ProviderErrorCode.UPSTREAM_UNAVAILABLE, 500, true],
    ['fail-400-context', ProviderErrorCode.CONTEXT_LENGTH, 400, false],
    ['fail-401', ProviderErrorCode.AUTH, 401, false],
    ['malformed-json', ProviderErrorCode.UPSTREAM_UNAVAILABLE, undefined, true],
  ])('maps %s to %s', async (model, code, status, retryable) => {
    const error = await rejection(provider.generate(request(model), signal()));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(retryable);
    expect(error.message).not.toContain(API_KEY);
    if (code === ProviderErrorCode.RATE_LIMITED) expect(error.retryAfterMs).toBe(1_000);
    // Streaming requests fail the same way before any delta.
    const streamed = await collect(provider.generateStream(request(model), signal()));
    expect(streamed.deltas).toEqual([]);
    expect(streamed.error).toMatchObject({ code: model === 'malformed-json' ? ProviderErrorCode.STREAM_BROKEN : code });
  });

  it('maps a plain 400 to BAD_REQUEST and a wrong key to AUTH without leaking the key', async () => {
    const bad = await rejection(provider.generate({ model: 'gpt-4o-mini', messages: [] }, signal()));
    expect(bad.code).toBe(ProviderErrorCode.BAD_REQUEST);
    expect(bad.retryable).toBe(false);
    const wrongKey = 'sk-wrong-9876543210fedcba';
    const wrong = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, apiKey: wrongKey });
    const auth = await rejection(wrong.generate(request('gpt-4o-mini'), signal()));
    expect(auth.code).toBe(ProviderErrorCode.AUTH);
    expect(auth.message).not.toContain(wrongKey);
  });

  it('maps a refused connection to UPSTREAM_UNAVAILABLE', async () => {
    const gone = await startFakeOpenAiServer();
    const url = gone.url;
    await gone.close();
    const unreachable = new OpenAiCompatibleProvider({ providerId: 'vllm', baseURL: url });
    const error = await rejection(unreachable.generate(request('m'), signal()));
    expect(error.code).toBe(ProviderErrorCode.UPSTREAM_UNAVAILABLE);
    expect(error.retryable).toBe(true);
  });

  it('times out on a slow first byte with TIMEOUT', async () => {
    const impatient = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, apiKey: API_KEY, timeoutMs: 150 });
    const started = Date.now();
    const error = await rejection(impatient.generate(request('slow-2000'), signal()));
    expect(error.code).toBe(ProviderErrorCode.TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1_500);
    const streamed = await collect(impatient.generateStream(request('slow-2000'), signal()));
    expect(streamed.error).toMatchObject({ code: ProviderErrorCode.TIMEOUT });
  });

  it('ends a stream that breaks mid-way with STREAM_BROKEN after the deltas, carrying the partial output', async () => {
    const { deltas, error, done } = await collect(provider.generateStream(request('break-after-3'), signal()));
    expect(done).toBeUndefined();
    expect(deltas).toEqual(['Paris ', 'is ', 'the ']);
    expect(error).toBeInstanceOf(ProviderError);
    const broken = error as ProviderError;
    expect(broken.code).toBe(ProviderErrorCode.STREAM_BROKEN);
    expect(broken.retryable).toBe(true);
    expect(broken.partial).toEqual({
      text: 'Paris is the ',
      usage: {
        inputTokens: tokens.countMessages(request('x').messages, 'break-after-3'),
        outputTokens: tokens.countText('Paris is the ', 'break-after-3'),
        cachedInputTokens: 0,
        reasoningTokens: 0,
        estimated: true,
      },
    });
  });

  it('cancels the upstream request when the caller aborts, and the server sees the socket close', async () => {
    const controller = new AbortController();
    const pending = rejection(provider.generate(request('slow-5000'), controller.signal));
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe(ProviderErrorCode.CANCELLED);
    expect(error.retryable).toBe(false);
    await waitFor(() => server.requests[0]!.clientClosedEarly);
  });

  it('cancels a stream mid-way: the deltas so far, then CANCELLED, and the socket closes', async () => {
    server.setScenario({ kind: 'ok', answer: 'one two three four five six seven eight nine ten', chunkDelayMs: 50 });
    const controller = new AbortController();
    const deltas: string[] = [];
    let caught: unknown;
    try {
      for await (const event of provider.generateStream(request('gpt-4o-mini'), controller.signal)) {
        if (event.type === 'delta') {
          deltas.push(event.text);
          if (deltas.length === 2) controller.abort();
        }
      }
    } catch (e) {
      caught = e;
    }
    expect(deltas).toEqual(['one ', 'two ']);
    expect(caught).toMatchObject({ code: ProviderErrorCode.CANCELLED, partial: { text: 'one two ' } });
    await waitFor(() => server.requests[0]!.clientClosedEarly);
  });
});
