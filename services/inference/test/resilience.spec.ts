import { FakeOpenAiServer, startFakeOpenAiServer } from '@llmops/testing';
import { register } from 'prom-client';
import { chainFailure, drain } from './chain-outcome';
import { ChainModel, ChainRequest, ModelChainError, ModelChainExecutor } from '../src/generation/model-chain.executor';
import { DEFAULT_RESILIENCE, ModelPolicies, ResilienceSettings } from '../src/generation/model-policies';
import { ChatProvider } from '../src/providers/chat-provider';
import { ExtractiveAnswererProvider } from '../src/providers/extractive-answerer.provider';
import { OpenAiCompatibleProvider } from '../src/providers/openai-compatible.provider';
import { ProviderErrorCode } from '../src/providers/provider-error';
import { TokenCounter } from '../src/providers/token-counter';

const ANSWER = 'Retries wait with full jitter.';
const model = (version: string, provider = 'openai'): ChainModel => ({ provider, model: version, version });
const local: ChainModel = { provider: 'local', model: 'extractive-answerer', version: 'extractive-answerer-1' };
const request: ChainRequest['request'] = { messages: [{ role: 'user', content: 'How do retries wait?' }] };

/** No waiting between retries unless a test says so: random() = 0 makes full jitter sleep 0 ms. */
function policies(overrides: Partial<ResilienceSettings> = {}, random: () => number = () => 0): ModelPolicies {
  return new ModelPolicies(() => ({ ...DEFAULT_RESILIENCE, ...overrides }), random);
}


describe('resilience: retries, circuit breakers and fallbacks (cockatiel) against a real OpenAI-format server', () => {
  let server: FakeOpenAiServer;
  let providers: Map<string, ChatProvider>;
  const sentModels = () => server.requests.map((r) => (r.body as { model: string }).model);

  beforeEach(async () => {
    server = await startFakeOpenAiServer({ scenario: { kind: 'ok', answer: ANSWER, usage: { promptTokens: 12, completionTokens: 5 } } });
    providers = new Map<string, ChatProvider>([
      ['openai', new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, timeoutMs: 10_000 })],
      ['local', new ExtractiveAnswererProvider()],
    ]);
  });
  afterEach(() => server.close());

  it('retries a 500 on the same model and answers, recording every try', async () => {
    server.setScenario({ kind: 'server-error', failFirst: 2, answer: ANSWER, usage: { promptTokens: 12, completionTokens: 5 } });
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 2 }) });
    const out = await executor.generate({ chain: [model('gpt-4o-mini'), local], request });
    expect(out.model).toEqual(model('gpt-4o-mini'));
    expect(out.result.usage).toEqual({ inputTokens: 12, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0, estimated: false });
    expect(out.attempts.map((a) => [a.retry, a.error?.code])).toEqual([
      [0, ProviderErrorCode.UPSTREAM_UNAVAILABLE],
      [1, ProviderErrorCode.UPSTREAM_UNAVAILABLE],
      [2, undefined],
    ]);
    expect(sentModels()).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini']);
  });

  it('waits for Retry-After on a 429 before the retry', async () => {
    server.setScenario({ kind: 'rate-limited', retryAfterSeconds: 0.3, failFirst: 1, answer: ANSWER });
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 1 }) });
    const started = Date.now();
    const out = await executor.generate({ chain: [model('gpt-4o-mini')], request });
    expect(out.attempts.map((a) => a.error?.code)).toEqual([ProviderErrorCode.RATE_LIMITED, undefined]);
    expect(out.attempts[0]!.error?.retryAfterMs).toBe(300);
    // random() = 0 would retry at once; only Retry-After explains the wait.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('falls back instead of waiting when Retry-After is longer than max_retry_after_ms', async () => {
    server.setScenario({ kind: 'rate-limited', retryAfterSeconds: 60, answer: ANSWER });
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 3, maxRetryAfterMs: 5_000 }) });
    const out = await executor.generate({ chain: [model('gpt-4o-mini'), local], request });
    expect(out.model).toEqual(local);
    expect(out.attempts.map((a) => [a.model.provider, a.error?.code])).toEqual([
      ['openai', ProviderErrorCode.RATE_LIMITED],
      ['local', undefined],
    ]);
  });

  it('backs off exponentially with full jitter: uniform in [0, min(max, initial * 2^n)]', async () => {
    const draws: number[] = [];
    const started: number[] = [];
    server.setScenario({ kind: 'server-error', answer: ANSWER });
    const executor = new ModelChainExecutor(providers, {
      policies: policies({ maxRetries: 3, backoffInitialMs: 40, backoffMaxMs: 100 }, () => {
        draws.push(Date.now());
        return 1; // the top of each jitter window: 40, 80, then 100 (capped)
      }),
    });
    const t0 = Date.now();
    await chainFailure(executor.generate({ chain: [model('gpt-4o-mini')], request }));
    started.push(Date.now() - t0);
    expect(draws).toHaveLength(3);
    expect(server.requests).toHaveLength(4);
    // 40 + 80 + 100 ms of backoff at least.
    expect(started[0]).toBeGreaterThanOrEqual(215);
  });

  it('does not retry a timeout, a bad request or an auth failure on the same model', async () => {
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 3, attemptTimeoutMs: 300 }) });
    const timedOut = await executor.generate({ chain: [model('slow-5000'), local], request });
    expect(timedOut.attempts.map((a) => a.error?.code)).toEqual([ProviderErrorCode.TIMEOUT, undefined]);
    const auth = await chainFailure(executor.generate({ chain: [model('fail-401'), local], request }));
    expect(auth.code).toBe(ProviderErrorCode.AUTH);
    expect(sentModels()).toEqual(['slow-5000', 'fail-401']);
  });

  it('opens the breaker after consecutive failures, skips the model at once, then half-opens after the cooldown', async () => {
    server.setScenario({ kind: 'server-error', answer: ANSWER });
    const shared = policies({ maxRetries: 0, breakerFailureThreshold: 2, breakerCooldownMs: 300 });
    const executor = new ModelChainExecutor(providers, { policies: shared });
    const chain = [model('gpt-4o-mini'), local];

    await executor.generate({ chain, request });
    await executor.generate({ chain, request });
    expect(executor.breakerStatuses().filter((b) => b.provider === 'openai')).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', state: 'open', consecutiveFailures: 2 }]);
    expect(await register.getSingleMetricAsString('llmops_inference_breaker_state')).toContain(
      'llmops_inference_breaker_state{provider="openai",model="gpt-4o-mini"} 2',
    );

    const skipped = await executor.generate({ chain, request });
    expect(skipped.model).toEqual(local);
    expect(skipped.attempts[0]).toMatchObject({ skipped: true, latencyMs: 0, error: { code: ProviderErrorCode.UPSTREAM_UNAVAILABLE } });
    expect(server.requests).toHaveLength(2);

    server.setScenario({ kind: 'ok', answer: ANSWER });
    await new Promise((r) => setTimeout(r, 350));
    const recovered = await executor.generate({ chain, request });
    expect(recovered.model).toEqual(model('gpt-4o-mini'));
    expect(executor.breakerStatuses().find((b) => b.provider === 'openai')).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('never retries once a streamed token went out, and keeps what was generated for usage', async () => {
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 3 }) });
    const { deltas, done, error } = await drain(executor.generateStream({ chain: [model('break-after-2'), local], request }));
    expect(done).toBeUndefined();
    expect(deltas).toEqual(['Retries ', 'wait ']);
    expect(error).toMatchObject({ code: ProviderErrorCode.STREAM_BROKEN, partial: { text: 'Retries wait ' } });
    expect((error as ModelChainError).partial!.usage).toMatchObject({ outputTokens: new TokenCounter().countText('Retries wait ', 'break-after-2'), estimated: true });
    expect(server.requests).toHaveLength(1);
  });

  it('counts a stream that broke mid-way against the breaker, but not a caller who cancelled', async () => {
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 0, breakerFailureThreshold: 2 }) });
    // The breaker hears a stream's outcome when it ends, a few microtasks after the caller does.
    const settled = () => new Promise((r) => setImmediate(r));
    await drain(executor.generateStream({ chain: [model('break-after-1')], request }));
    await settled();
    expect(executor.breakerStatuses()).toEqual([expect.objectContaining({ model: 'break-after-1', state: 'closed', consecutiveFailures: 1 })]);
    await drain(executor.generateStream({ chain: [model('break-after-1')], request }));
    await settled();
    expect(executor.breakerStatuses()[0]).toMatchObject({ state: 'open', consecutiveFailures: 2 });

    server.setScenario({ kind: 'ok', answer: ANSWER, chunkDelayMs: 30 });
    const controller = new AbortController();
    const cancelled = await drain(
      (async function* () {
        for await (const event of executor.generateStream({ chain: [model('gpt-4o-mini')], request, signal: controller.signal })) {
          if (event.type === 'delta') controller.abort();
          yield event;
        }
      })(),
    );
    expect(cancelled.error).toMatchObject({ code: ProviderErrorCode.CANCELLED });
    await settled();
    expect(executor.breakerStatuses().find((b) => b.model === 'gpt-4o-mini')).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('retries a stream that failed before its first token', async () => {
    server.setScenario({ kind: 'server-error', failFirst: 1, answer: ANSWER, usage: { promptTokens: 12, completionTokens: 5 } });
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 1 }) });
    const { deltas, done, error } = await drain(executor.generateStream({ chain: [model('gpt-4o-mini')], request }));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe(ANSWER);
    expect(done!.result.usage).toMatchObject({ inputTokens: 12, outputTokens: 5, estimated: false });
    expect(done!.attempts.map((a) => [a.retry, a.error?.code])).toEqual([
      [0, ProviderErrorCode.UPSTREAM_UNAVAILABLE],
      [1, undefined],
    ]);
  });

  it('falls back on a content-policy refusal only where the provider is configured to', async () => {
    server.setScenario({ kind: 'ok', answer: 'I cannot help with that.', finishReason: 'content_filter' });
    const refusing = new ModelChainExecutor(providers, { policies: policies({ fallbackOnContentPolicy: true }) });
    const out = await refusing.generate({ chain: [model('gpt-4o-mini'), local], request });
    expect(out.model).toEqual(local);
    expect(out.attempts[0]!.error?.code).toBe(ProviderErrorCode.CONTENT_POLICY);

    const keeping = new ModelChainExecutor(providers, { policies: policies({ fallbackOnContentPolicy: false }) });
    const kept = await keeping.generate({ chain: [model('gpt-4o-mini'), local], request });
    expect(kept.model).toEqual(model('gpt-4o-mini'));
    expect(kept.result.finishReason).toBe('content_filter');
  });

  it('after a context overflow skips models whose window is no larger, and tries a larger one', async () => {
    const windows: Record<string, number> = { 'fail-400-context': 8_192, 'small-model': 8_192, 'big-model': 128_000 };
    const executor = new ModelChainExecutor(providers, {
      policies: policies(),
      contextWindowOf: (m) => windows[m.version],
    });
    const out = await executor.generate({ chain: [model('fail-400-context'), model('small-model'), model('big-model')], request });
    expect(out.model.version).toBe('big-model');
    expect(out.attempts.map((a) => [a.model.version, a.error?.code, a.skipped ?? false])).toEqual([
      ['fail-400-context', ProviderErrorCode.CONTEXT_LENGTH, false],
      ['small-model', ProviderErrorCode.CONTEXT_LENGTH, true],
      ['big-model', undefined, false],
    ]);
    expect(sentModels()).toEqual(['fail-400-context', 'big-model']);
  });

  it('stops retrying when the caller cancels during a backoff', async () => {
    server.setScenario({ kind: 'server-error', answer: ANSWER });
    const executor = new ModelChainExecutor(providers, { policies: policies({ maxRetries: 3, backoffInitialMs: 1_000, backoffMaxMs: 1_000 }, () => 1) });
    const controller = new AbortController();
    const pending = chainFailure(executor.generate({ chain: [model('gpt-4o-mini'), local], request, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await pending;
    expect(error.code).toBe(ProviderErrorCode.CANCELLED);
    // Well before the 1 s backoff would have ended.
    expect(Date.now() - started).toBeLessThan(800);
    expect(server.requests).toHaveLength(1);
  });
});
