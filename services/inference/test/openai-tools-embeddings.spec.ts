import { FAKE_ARGUMENTS_CHUNK_CHARS, FakeOpenAiServer, startFakeOpenAiServer } from '@llmops/testing';
import { ChatRequest, ChatStreamEvent } from '../src/providers/chat-provider';
import { OpenAiCompatibleProvider } from '../src/providers/openai-compatible.provider';
import { TokenCounter } from '../src/providers/token-counter';

const WEATHER_ARGS = '{"city":"Paris","unit":"celsius"}';
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  parametersJson: '{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}',
};
const signal = () => new AbortController().signal;

function ask(model: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model, messages: [{ role: 'user', content: 'Weather in Paris?' }], ...extra };
}

async function events(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

describe('OpenAiCompatibleProvider: tools, JSON mode, quirks from config, embeddings', () => {
  let server: FakeOpenAiServer;

  beforeEach(async () => {
    server = await startFakeOpenAiServer({
      scenario: {
        kind: 'ok',
        toolCalls: [{ id: 'call_abc123', name: 'get_weather', arguments: WEATHER_ARGS }],
        usage: { promptTokens: 61, completionTokens: 18, cachedTokens: 32, reasoningTokens: 0 },
      },
    });
  });
  afterEach(() => server.close());

  it('sends tools and tool_choice in OpenAI shape and returns the tool calls of a whole answer', async () => {
    const provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url });
    const result = await provider.generate(ask('gpt-4o', { tools: [weatherTool], toolChoice: { name: 'get_weather' } }), signal());
    expect(result).toEqual({
      content: '',
      finishReason: 'tool_calls',
      responseModel: 'gpt-4o',
      toolCalls: [{ id: 'call_abc123', name: 'get_weather', argumentsJson: WEATHER_ARGS }],
      usage: { inputTokens: 61, outputTokens: 18, cachedInputTokens: 32, reasoningTokens: 0, estimated: false },
    });
    expect(server.requests[0]!.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters: JSON.parse(weatherTool.parametersJson) } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
  });

  it('streams tool-call pieces that join into the call, with the usage chunk', async () => {
    const provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url });
    const out = await events(provider.generateStream(ask('gpt-4o', { tools: [weatherTool] }), signal()));
    const pieces = out.flatMap((e) => (e.type === 'tool_call' ? [e.delta] : []));
    expect(pieces[0]).toEqual({ index: 0, id: 'call_abc123', name: 'get_weather', argumentsDelta: '' });
    expect(pieces).toHaveLength(1 + Math.ceil(WEATHER_ARGS.length / FAKE_ARGUMENTS_CHUNK_CHARS));
    expect(pieces.map((p) => p.argumentsDelta).join('')).toBe(WEATHER_ARGS);
    const done = out[out.length - 1]!;
    expect(done).toEqual({
      type: 'done',
      result: {
        content: '',
        finishReason: 'tool_calls',
        responseModel: 'gpt-4o',
        toolCalls: [{ id: 'call_abc123', name: 'get_weather', argumentsJson: WEATHER_ARGS }],
        usage: { inputTokens: 61, outputTokens: 18, cachedInputTokens: 32, reasoningTokens: 0, estimated: false },
      },
    });
  });

  it('sends an assistant tool call and the tool result back in OpenAI shape', async () => {
    server.setScenario({ kind: 'ok', answer: 'It is 18 degrees in Paris.' });
    const provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url });
    await provider.generate(
      {
        model: 'gpt-4o',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc123', name: 'get_weather', argumentsJson: WEATHER_ARGS }] },
          { role: 'tool', content: '{"temp":18}', toolCallId: 'call_abc123' },
        ],
      },
      signal(),
    );
    expect((server.requests[0]!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: WEATHER_ARGS } }] },
      { role: 'tool', content: '{"temp":18}', tool_call_id: 'call_abc123' },
    ]);
  });

  it('asks for JSON mode and a JSON schema through response_format', async () => {
    server.setScenario({ kind: 'ok', answer: '{"ok":true}' });
    const provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url });
    await provider.generate(ask('gpt-4o', { responseFormat: { type: 'json_object' } }), signal());
    await provider.generate(
      ask('gpt-4o', { responseFormat: { type: 'json_schema', name: 'verdict', schemaJson: '{"type":"object","properties":{"ok":{"type":"boolean"}}}' } }),
      signal(),
    );
    expect(server.requests[0]!.body).toMatchObject({ response_format: { type: 'json_object' } });
    expect(server.requests[1]!.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true, schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
    });
  });

  it('follows the quirks from config: no stream_options, extra headers, max_completion_tokens with a default', async () => {
    server.setScenario({ kind: 'ok', answer: 'Sunny and mild.' });
    const tokens = new TokenCounter();
    const provider = new OpenAiCompatibleProvider({
      providerId: 'tgi',
      baseURL: server.url,
      streamUsage: false,
      headers: { 'X-Title': 'llmops' },
      maxTokensField: 'max_completion_tokens',
      defaultMaxTokens: 256,
    });
    const out = await events(provider.generateStream(ask('tgi-model'), signal()));
    const sent = server.requests[0]!;
    expect(sent.body).not.toHaveProperty('stream_options');
    expect(sent.body).toMatchObject({ max_completion_tokens: 256, stream: true });
    expect(sent.headers['x-title']).toBe('llmops');
    // Without include_usage the server sends no usage: counted by our tokenizer and marked estimated.
    expect(out[out.length - 1]).toMatchObject({
      type: 'done',
      result: {
        usage: {
          inputTokens: tokens.countMessages([{ role: 'user', content: 'Weather in Paris?' }], 'tgi-model'),
          outputTokens: tokens.countText('Sunny and mild.', 'tgi-model'),
          estimated: true,
        },
      },
    });
  });

  it('embeds in batches, keeps input order and adds up the reported usage', async () => {
    const provider = new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, embeddingBatchSize: 2 });
    const inputs = ['alpha beta', 'gamma', 'delta epsilon zeta', 'eta', 'theta'];
    const result = await provider.embed({ model: 'text-embedding-3-small', inputs, dimensions: 8 }, signal());
    expect(server.requests.filter((r) => r.path === '/v1/embeddings').map((r) => (r.body as { input: string[] }).input)).toEqual([
      ['alpha beta', 'gamma'],
      ['delta epsilon zeta', 'eta'],
      ['theta'],
    ]);
    expect(result.vectors).toHaveLength(5);
    expect(result.vectors.every((v) => v.length === 8)).toBe(true);
    // The same text embeds the same, wherever it sits in the batch.
    const again = await provider.embed({ model: 'text-embedding-3-small', inputs: ['theta'], dimensions: 8 }, signal());
    expect(again.vectors[0]!.map((x) => Number(x.toFixed(5)))).toEqual(result.vectors[4]!.map((x) => Number(x.toFixed(5))));
    // The fake reports one token per word: 2 + 1 + 3 + 1 + 1.
    expect(result.usage).toEqual({ inputTokens: 8, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, estimated: false });
    expect(result.responseModel).toBe('text-embedding-3-small');
  });
});
