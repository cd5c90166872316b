import { FakeOpenAiServer, startFakeOpenAiServer } from '@llmops/testing';
import {
  ChainModel,
  ChainRequest,
  ModelChainError,
  ModelChainExecutor,
} from '../src/generation/model-chain.executor';
import { chainFailure, drain } from './chain-outcome';
import { ChatProvider } from '../src/providers/chat-provider';
import { ExtractiveAnswererProvider } from '../src/providers/extractive-answerer.provider';
import { OpenAiCompatibleProvider } from '../src/providers/openai-compatible.provider';
import { ProviderErrorCode } from '../src/providers/provider-error';
import { buildProviderRegistry } from '../src/providers/provider.registry';
import { parsePlatformConfig } from '@llmops/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_RESILIENCE, ModelPolicies, ResilienceSettings } from '../src/generation/model-policies';

/** Fresh breakers per test, and no retries: these specs are about falling back along the chain. */
const noRetries = (overrides: Partial<ResilienceSettings> = {}) =>
  new ModelPolicies(() => ({ ...DEFAULT_RESILIENCE, maxRetries: 0, ...overrides }));

const API_KEY = 'sk-chain-test-key-000111';
const ANSWER = 'The outbox keeps events on disk until Kafka returns.';

const upstream = (version: string, model = version): ChainModel => ({ provider: 'openai', model, version });
const local: ChainModel = { provider: 'local', model: 'extractive-answerer', version: 'extractive-answerer-1' };

const chatRequest: ChainRequest['request'] = {
  messages: [{ role: 'user', content: 'Where do events go when Kafka is unreachable?' }],
  passages: [
    { index: 1, source: 'docs/kafka.md', section: 'Outbox', text: 'When Kafka is unreachable, events go to a bounded local outbox on disk.' },
  ],
};


async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ModelChainExecutor over real providers', () => {
  let server: FakeOpenAiServer;
  let providers: Map<string, ChatProvider>;

  beforeEach(async () => {
    server = await startFakeOpenAiServer({
      expectedApiKey: API_KEY,
      scenario: { kind: 'ok', answer: ANSWER, usage: { promptTokens: 20, completionTokens: 9 } },
    });
    providers = new Map<string, ChatProvider>([
      ['openai', new OpenAiCompatibleProvider({ providerId: 'openai', baseURL: server.url, apiKey: API_KEY, timeoutMs: 10_000 })],
      ['local', new ExtractiveAnswererProvider()],
    ]);
  });
  afterEach(() => server.close());

  it('falls back from a model answering 500 to the next one and records both attempts', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const out = await executor.generate({ chain: [upstream('fail-500', 'gpt-4o'), upstream('gpt-4o-mini')], request: chatRequest });
    expect(out.result.content).toBe(ANSWER);
    expect(out.result.usage).toMatchObject({ inputTokens: 20, outputTokens: 9, estimated: false });
    expect(out.model).toEqual(upstream('gpt-4o-mini'));
    expect(out.attempts).toHaveLength(2);
    expect(out.attempts[0]!.model.model).toBe('gpt-4o');
    expect(out.attempts[0]!.error?.code).toBe(ProviderErrorCode.UPSTREAM_UNAVAILABLE);
    expect(out.attempts[1]!.error).toBeUndefined();
    expect(out.attempts.every((a) => a.latencyMs > 0)).toBe(true);
    expect(out.timeToFirstTokenMs).toBeGreaterThanOrEqual(out.attempts[1]!.latencyMs);
    expect(server.requests.map((r) => (r.body as { model: string }).model)).toEqual(['fail-500', 'gpt-4o-mini']);
  });

  it('falls back to the local extractive answerer when the upstream is rate limited', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const out = await executor.generate({ chain: [upstream('fail-429'), local], request: chatRequest });
    expect(out.model).toEqual(local);
    expect(out.result.content).toContain('[1]');
    expect(out.attempts[0]!.error).toMatchObject({ code: ProviderErrorCode.RATE_LIMITED, retryAfterMs: 1_000 });
  });

  it('does not fall back on an authentication failure', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const error = await chainFailure(
      executor.generate({ chain: [upstream('fail-401'), upstream('gpt-4o-mini'), local], request: chatRequest }),
    );
    expect(error.code).toBe(ProviderErrorCode.AUTH);
    expect(error.attempts).toHaveLength(1);
    expect(error.message).not.toContain(API_KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('does not fall back on a bad request', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const error = await chainFailure(
      executor.generate({ chain: [upstream('gpt-4o'), local], request: { ...chatRequest, messages: [] } }),
    );
    expect(error.code).toBe(ProviderErrorCode.BAD_REQUEST);
    expect(error.attempts).toHaveLength(1);
  });

  it('gives up on a slow first byte after the attempt timeout and falls back', async () => {
    // Generous against a loaded machine: the good model must answer well within the timeout.
    const executor = new ModelChainExecutor(providers, { policies: noRetries({ attemptTimeoutMs: 800 }) });
    const out = await executor.generate({ chain: [upstream('slow-10000'), upstream('gpt-4o-mini')], request: chatRequest });
    expect(out.model.version).toBe('gpt-4o-mini');
    expect(out.attempts[0]!.error?.code).toBe(ProviderErrorCode.TIMEOUT);
    expect(out.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(790);
    expect(out.attempts[0]!.latencyMs).toBeLessThan(3_000);
    await waitFor(() => server.requests[0]!.clientClosedEarly);
  });

  it('stops at the deadline without trying the rest of the chain', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const started = Date.now();
    const error = await chainFailure(
      executor.generate({
        chain: [upstream('slow-3000'), upstream('gpt-4o-mini')],
        request: chatRequest,
        deadlineMs: Date.now() + 300,
      }),
    );
    expect(error.code).toBe(ProviderErrorCode.TIMEOUT);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(error.attempts).toHaveLength(1);
    // On a loaded machine the first request may be cut off before the server reads it; the
    // second model must never be asked.
    expect(server.requests.map((r) => (r.body as { model: string }).model)).not.toContain('gpt-4o-mini');
  });

  it('skips a model whose provider is not configured', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const out = await executor.generate({
      chain: [{ provider: 'anthropic', model: 'claude', version: 'claude-x' }, local],
      request: chatRequest,
    });
    expect(out.model).toEqual(local);
    expect(out.attempts[0]!.error?.message).toContain("provider 'anthropic'");
    expect(out.attempts[0]!.skipped).toBe(true);
  });

  it('leaves out a provider whose API key variable is not set, so its models are skipped at once', () => {
    const { providers } = parsePlatformConfig(parse(readFileSync(join(__dirname, '../../../llmops.yaml'), 'utf8')), { baseDir: join(__dirname, '../../..') });
    expect([...buildProviderRegistry(providers, {}).keys()]).toEqual(['local', 'ollama']);
    expect([...buildProviderRegistry(providers, { OPENAI_API_KEY: 'sk-test' }).keys()]).toEqual(['local', 'openai', 'ollama']);
  });

  it('reports the last error and every attempt when the whole chain fails', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const error = await chainFailure(
      executor.generate({ chain: [upstream('fail-500'), upstream('fail-429')], request: chatRequest }),
    );
    expect(error.code).toBe(ProviderErrorCode.RATE_LIMITED);
    expect(error.retryAfterMs).toBe(1_000);
    expect(error.attempts.map((a) => a.error?.code)).toEqual([
      ProviderErrorCode.UPSTREAM_UNAVAILABLE,
      ProviderErrorCode.RATE_LIMITED,
    ]);
  });

  it('aborts the upstream call when the caller cancels', async () => {
    const executor = new ModelChainExecutor(providers, { policies: noRetries() });
    const controller = new AbortController();
    const pending = chainFailure(
      executor.generate({ chain: [upstream('slow-5000'), local], request: chatRequest, signal: controller.signal }),
    );
    await waitFor(() => server.requests.length === 1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe(ProviderErrorCode.CANCELLED);
    expect(error.attempts).toHaveLength(1);
    await waitFor(() => server.requests[0]!.clientClosedEarly);
  });

  describe('streaming', () => {
    it('falls back while nothing was sent, then streams the next model', async () => {
      const executor = new ModelChainExecutor(providers, { policies: noRetries({ attemptTimeoutMs: 2_000 }) });
      const started = performance.now();
      const { deltas, done, error } = await drain(
        executor.generateStream({ chain: [upstream('fail-500'), upstream('gpt-4o-mini')], request: chatRequest }),
      );
      expect(error).toBeUndefined();
      expect(deltas.join('')).toBe(ANSWER);
      expect(done!.result.content).toBe(ANSWER);
      expect(done!.result.usage).toMatchObject({ inputTokens: 20, outputTokens: 9 });
      expect(done!.model.version).toBe('gpt-4o-mini');
      expect(done!.attempts.map((a) => a.error?.code)).toEqual([ProviderErrorCode.UPSTREAM_UNAVAILABLE, undefined]);
      expect(done!.timeToFirstTokenMs).toBeGreaterThan(0);
      // The first token came during the second attempt: after the failed first one, before the end.
      expect(done!.timeToFirstTokenMs).toBeGreaterThan(done!.attempts[0]!.latencyMs);
      expect(done!.timeToFirstTokenMs).toBeLessThan(performance.now() - started);
    });

    it('falls back on a slow first byte, and the attempt timeout does not cut a stream that has started', async () => {
      server.setScenario({ kind: 'ok', answer: ANSWER, chunkDelayMs: 150 });
      const executor = new ModelChainExecutor(providers, { policies: noRetries({ attemptTimeoutMs: 800 }) });
      const { deltas, done, error } = await drain(
        executor.generateStream({ chain: [upstream('slow-10000'), upstream('gpt-4o-mini')], request: chatRequest }),
      );
      expect(error).toBeUndefined();
      expect(deltas.join('')).toBe(ANSWER);
      // 9 chunks 150 ms apart: well past the 800 ms attempt timeout.
      expect(done!.attempts[1]!.latencyMs).toBeGreaterThan(1_200);
      expect(done!.attempts[0]!.error?.code).toBe(ProviderErrorCode.TIMEOUT);
    });

    it('ends with the error after the deltas once something was sent, without falling back', async () => {
      const executor = new ModelChainExecutor(providers, { policies: noRetries() });
      const { deltas, done, error } = await drain(
        executor.generateStream({ chain: [upstream('break-after-2'), upstream('gpt-4o-mini')], request: chatRequest }),
      );
      expect(done).toBeUndefined();
      expect(deltas).toEqual(['The ', 'outbox ']);
      expect(error).toBeInstanceOf(ModelChainError);
      const failure = error as ModelChainError;
      expect(failure.code).toBe(ProviderErrorCode.STREAM_BROKEN);
      expect(failure.partial?.text).toBe('The outbox ');
      expect(failure.partial?.usage.estimated).toBe(true);
      expect(failure.attempts).toHaveLength(1);
      expect(server.requests).toHaveLength(1);
    });

    it('streams the local extractive answerer as word groups', async () => {
      const executor = new ModelChainExecutor(providers, { policies: noRetries() });
      const { deltas, done } = await drain(executor.generateStream({ chain: [local], request: chatRequest }));
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(done!.result.content);
      expect(done!.result.content).toContain('[1]');
    });

    it('aborts the upstream stream when the caller cancels mid-way', async () => {
      server.setScenario({ kind: 'ok', answer: ANSWER, chunkDelayMs: 50 });
      const executor = new ModelChainExecutor(providers, { policies: noRetries() });
      const controller = new AbortController();
      const deltas: string[] = [];
      let caught: unknown;
      try {
        for await (const event of executor.generateStream({
          chain: [upstream('gpt-4o-mini'), local],
          request: chatRequest,
          signal: controller.signal,
        })) {
          if (event.type === 'delta') deltas.push(event.text);
          if (deltas.length === 2) controller.abort();
        }
      } catch (e) {
        caught = e;
      }
      expect(deltas).toEqual(['The ', 'outbox ']);
      expect(caught).toMatchObject({ code: ProviderErrorCode.CANCELLED, partial: { text: 'The outbox ' } });
      await waitFor(() => server.requests[0]!.clientClosedEarly);
    });
  });
});
