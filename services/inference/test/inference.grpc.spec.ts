import 'reflect-metadata';
import { resolve } from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Inference, type GenerateChunk, type GenerateRequestSchema, type GenerationParamsSchema } from '@llmops/contracts';
import { createGrpcClient, ErrorCode, PlatformError, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { FakeAnthropicServer, FakeOpenAiServer, startFakeAnthropicServer, startFakeOpenAiServer } from '@llmops/testing';
import { InferenceModule } from '../src/inference.module';
import { TokenCounter } from '../src/providers/token-counter';

const REPOSITORY_CONFIG = resolve(__dirname, '../../../llmops.yaml');
const OPENAI_KEY = 'sk-grpc-test-openai-0000';
const ANTHROPIC_KEY = 'sk-ant-grpc-test-0000';
const ANSWER = 'The breaker opens after five failures.';

async function failureOf(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function collect(stream: AsyncIterable<GenerateChunk>): Promise<{ chunks: GenerateChunk[]; error?: PlatformError }> {
  const chunks: GenerateChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    return { chunks, error };
  }
}

describe('Inference gRPC service over a real socket, providers from llmops.yaml pointed at local fake upstreams', () => {
  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  let openai: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let handle: GrpcServiceHandle;
  let client: GrpcClient<typeof Inference>;

  beforeAll(async () => {
    tracing.register();
    openai = await startFakeOpenAiServer({ expectedApiKey: OPENAI_KEY, scenario: { kind: 'ok', answer: ANSWER, usage: { promptTokens: 31, completionTokens: 7, cachedTokens: 16, reasoningTokens: 2 } } });
    anthropic = await startFakeAnthropicServer({ expectedApiKey: ANTHROPIC_KEY, scenario: { kind: 'ok', answer: ANSWER, usage: { inputTokens: 40, outputTokens: 7, cacheReadInputTokens: 8 } } });
    const env = {
      LLMOPS_CONFIG: REPOSITORY_CONFIG,
      LLMOPS_PROVIDER_OPENAI_BASE_URL: openai.url,
      LLMOPS_PROVIDER_ANTHROPIC_BASE_URL: anthropic.url,
      OPENAI_API_KEY: OPENAI_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    };
    handle = await startGrpcService(InferenceModule.forRoot(env), { address: '127.0.0.1:0', services: [Inference] });
    client = createGrpcClient(Inference, `127.0.0.1:${handle.port}`);
  });

  afterAll(async () => {
    client?.close();
    await handle?.app.close();
    await openai?.close();
    await anthropic?.close();
    await tracing.shutdown();
    trace.disable();
  });

  beforeEach(() => spans.reset());

  const context = { tenantId: 'acme', requestId: 'req-1' };
  const question = [{ role: 'user', content: 'When does the breaker open?' }];
  const claude = { provider: 'anthropic', model: 'claude-sonnet-4', version: 'claude-sonnet-4-20250514' };
  const gpt = { provider: 'openai', model: 'gpt-4o-mini', version: 'gpt-4o-mini-2024-07-18' };
  type GenerateInit = MessageInitShape<typeof GenerateRequestSchema>;
  type ModelInit = { provider: string; model: string; version: string };
  const request = (extra: { chain?: ModelInit[]; params?: MessageInitShape<typeof GenerationParamsSchema> } = {}): GenerateInit => ({
    context,
    chain: extra.chain ?? [gpt],
    messages: question,
    ...(extra.params ? { params: extra.params } : {}),
  });

  it('answers with the provider-reported usage, cached and reasoning tokens apart, and the attempt', async () => {
    const response = await client.generate(request(), { timeoutMs: 10_000 });
    expect(response.content).toBe(ANSWER);
    expect(response.model).toMatchObject(gpt);
    expect(response.responseModel).toBe('gpt-4o-mini-2024-07-18');
    expect(response.usage).toMatchObject({ inputTokens: 31, outputTokens: 7, cachedInputTokens: 16, reasoningTokens: 2, estimated: false });
    expect(response.attempts).toHaveLength(1);
    expect(response.attempts[0]).toMatchObject({ errorCode: '', retry: 0, skipped: false });
  });

  it('falls back from an Anthropic model that breaks to an OpenAI one, and the span records every attempt', async () => {
    const broken = { provider: 'anthropic', model: 'claude-broken', version: 'fail-400-context' };
    const response = await client.generate(request({ chain: [broken, gpt] }), { timeoutMs: 10_000 });
    expect(response.model).toMatchObject(gpt);
    expect(response.attempts.map((a) => [a.model?.provider, a.errorCode])).toEqual([
      ['anthropic', 'CONTEXT_LENGTH'],
      ['openai', ''],
    ]);
    const events = spans.getFinishedSpans().flatMap((span) => span.events.filter((e) => e.name === 'llmops.inference.attempt'));
    expect(events.map((e) => e.attributes?.['llmops.attempt.error_code'])).toEqual(['CONTEXT_LENGTH', '']);
  });

  it('streams Claude with its usage, and tool-call pieces through the stream', async () => {
    const { chunks, error } = await collect(client.generateStream(request({ chain: [claude] }), { timeoutMs: 10_000 }));
    expect(error).toBeUndefined();
    const text = chunks.flatMap((c) => (c.event.case === 'delta' ? [c.event.value] : [])).join('');
    expect(text).toBe(ANSWER);
    const done = chunks[chunks.length - 1]!.event;
    expect(done.case).toBe('done');
    expect(done.value).toMatchObject({ usage: { inputTokens: 48, outputTokens: 7, cachedInputTokens: 8, estimated: false }, finishReason: 'stop' });

    openai.setScenario({ kind: 'ok', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"breaker"}' }] });
    try {
      const tools = await collect(
        client.generateStream(
          request({ params: { tools: [{ name: 'lookup', parametersJson: '{"type":"object"}' }], toolChoice: 'auto' } }),
          { timeoutMs: 10_000 },
        ),
      );
      const pieces = tools.chunks.flatMap((c) => (c.event.case === 'toolCall' ? [c.event.value] : []));
      expect(pieces[0]).toMatchObject({ index: 0, id: 'call_1', name: 'lookup' });
      expect(pieces.map((p) => p.argumentsDelta).join('')).toBe('{"q":"breaker"}');
      const last = tools.chunks[tools.chunks.length - 1]!.event;
      expect(last.case === 'done' && last.value.toolCalls).toEqual([expect.objectContaining({ id: 'call_1', name: 'lookup', argumentsJson: '{"q":"breaker"}' })]);
      expect(last.case === 'done' && last.value.finishReason).toBe('tool_calls');
    } finally {
      openai.setScenario({ kind: 'ok', answer: ANSWER, usage: { promptTokens: 31, completionTokens: 7, cachedTokens: 16, reasoningTokens: 2 } });
    }
  });

  it('ends a stream that breaks mid-way with a partial chunk carrying the usage of what was generated, then an error status', async () => {
    const breaking = { provider: 'anthropic', model: 'claude-breaking', version: 'error-event-after-3' };
    const openaiCallsBefore = openai.requests.length;
    const { chunks, error } = await collect(client.generateStream(request({ chain: [breaking, gpt] }), { timeoutMs: 10_000 }));
    const deltas = chunks.flatMap((c) => (c.event.case === 'delta' ? [c.event.value] : []));
    expect(deltas).toEqual(['The ', 'breaker ', 'opens ']);
    const partial = chunks[chunks.length - 1]!.event;
    expect(partial.case).toBe('partial');
    expect(partial.value).toMatchObject({
      content: 'The breaker opens ',
      finishReason: 'error',
      model: { provider: 'anthropic', version: 'error-event-after-3' },
      usage: { inputTokens: 48, cachedInputTokens: 8, outputTokens: new TokenCounter().countText('The breaker opens ', 'error-event-after-3'), estimated: true },
    });
    expect(error?.code).toBe(ErrorCode.UpstreamError);
    // Something went out: no fallback to the OpenAI model.
    expect(openai.requests).toHaveLength(openaiCallsBefore);
  });

  it('gives up at the gRPC deadline and aborts the upstream call', async () => {
    const slow = { provider: 'openai', model: 'slow', version: 'slow-5000' };
    const started = Date.now();
    const error = await failureOf(client.generate(request({ chain: [slow] }), { timeoutMs: 400 }));
    expect(error.code).toBe(ErrorCode.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(2_000);
    const sent = openai.requests.find((r) => (r.body as { model?: string }).model === 'slow-5000');
    for (let i = 0; i < 100 && sent && !sent.clientClosedEarly; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent?.clientClosedEarly).toBe(true);
  });

  it('embeds a batch through the provider and reports its usage', async () => {
    const response = await client.embed(
      { context, model: { provider: 'openai', model: 'text-embedding-3-small', version: 'text-embedding-3-small' }, inputs: ['one two', 'three'], dimensions: 4 },
      { timeoutMs: 10_000 },
    );
    expect(response.embeddings.map((e) => e.vector.length)).toEqual([4, 4]);
    expect(response.usage).toMatchObject({ inputTokens: 3, estimated: false });
  });

  it('rejects bad tools and a local provider for embeddings as invalid requests', async () => {
    const badTools = await failureOf(
      client.generate(
        request({ params: { tools: [{ name: 'lookup', parametersJson: '{not json' }] } }),
        { timeoutMs: 10_000 },
      ),
    );
    expect(badTools.code).toBe(ErrorCode.InvalidRequest);
    expect(badTools.message).toContain('tools[0].parameters');
    const localEmbed = await failureOf(client.embed({ context, model: { provider: 'local', model: 'x', version: 'x' }, inputs: ['a'] }, { timeoutMs: 10_000 }));
    expect(localEmbed.code).toBe(ErrorCode.InvalidRequest);
  });

  it('shows each provider model breaker in ProviderHealth', async () => {
    const health = await client.providerHealth({}, { timeoutMs: 10_000 });
    const openaiStatus = health.providers.find((p) => p.provider === 'openai');
    expect(openaiStatus).toMatchObject({ kind: 'openai-compatible', configured: true });
    expect(openaiStatus!.breakers).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'gpt-4o-mini-2024-07-18', state: 'closed', consecutiveFailures: 0 })]));
    expect(health.providers.find((p) => p.provider === 'anthropic')).toMatchObject({ kind: 'anthropic', configured: true });
  });
});
