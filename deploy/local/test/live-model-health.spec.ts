import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inference } from '@llmops/contracts';
import { loadPlatformConfig } from '@llmops/config';
import { createGrpcClient, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '@llmops/testing';
import { InferenceModule } from '../../../services/inference/src/inference.module';
import { ProviderHealthMonitor } from '../../../services/routing/src/catalog/provider-health.monitor';
import { engineFor, request } from '../../../services/routing/test/routing-fixtures';

const OPENAI_KEY = 'sk-live-health-test-0000';

// Routing and inference together: routing reads model health from the real inference service over gRPC: a provider without its
// API key is left out of the chain, a model whose breaker opened goes last.
describe('routing with live model health from inference', () => {
  let dir: string;
  let upstream: FakeOpenAiServer;
  let inference: GrpcServiceHandle;
  let client: GrpcClient<typeof Inference>;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'routing-health-'));
    upstream = await startFakeOpenAiServer({ expectedApiKey: OPENAI_KEY, scenario: { kind: 'server-error' } });
    const config = {
      providers: {
        local: { kind: 'local' },
        openai: { kind: 'openai-compatible', base_url: upstream.url, api_key_env: 'LIVE_HEALTH_OPENAI_KEY', resilience: { max_retries: 0, breaker_failure_threshold: 2, breaker_cooldown_ms: 60_000 } },
        anthropic: { kind: 'anthropic', api_key_env: 'LIVE_HEALTH_ANTHROPIC_KEY_UNSET' },
      },
      models: [
        { id: 'local', provider: 'local', version: 'extractive-answerer-1', context_window: 32768, price: { input_per_mtok: 0, output_per_mtok: 0 } },
        { id: 'mini', provider: 'openai', version: 'gpt-4o-mini-2024-07-18', context_window: 128000, price: { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
        { id: 'big', provider: 'openai', version: 'gpt-4o-2024-08-06', context_window: 128000, price: { input_per_mtok: 2.5, output_per_mtok: 10 } },
        { id: 'claude', provider: 'anthropic', version: 'claude-sonnet-4-20250514', context_window: 200000, price: { input_per_mtok: 3, output_per_mtok: 15 } },
      ],
      routes: [
        { name: 'default', chain: ['local'] },
        { name: 'smart', chain: ['claude', 'mini', 'big', 'local'] },
      ],
      guardrails: { max_input_chars: 100000, redact: [] },
      prompts: { dir: 'prompts' },
      retrieval: { data_dir: 'data' },
      analytics: { retention_days: 1 },
    };
    // JSON is YAML: the file is read by the same loader as llmops.yaml.
    await writeFile(join(dir, 'llmops.yaml'), JSON.stringify(config));
    env = { LLMOPS_CONFIG: join(dir, 'llmops.yaml'), LIVE_HEALTH_OPENAI_KEY: OPENAI_KEY };
    inference = await startGrpcService(InferenceModule.forRoot(env), { address: '127.0.0.1:0', services: [Inference] });
    client = createGrpcClient(Inference, `127.0.0.1:${inference.port}`);
  });

  afterAll(async () => {
    client?.close();
    await inference?.app.close();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('drops the provider without a key, puts the model with an open breaker last, and forgets a stale report', async () => {
    // Two failed calls open gpt-4o-mini's breaker (threshold 2, no retries).
    const mini = { provider: 'openai', model: 'mini', version: 'gpt-4o-mini-2024-07-18' };
    for (let i = 0; i < 2; i++) {
      await expect(client.generate({ context: { tenantId: 't1', requestId: `r${i}` }, chain: [mini], messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow();
    }
    let now = Date.now();
    const monitor = new ProviderHealthMonitor(() => client.providerHealth({}, { timeoutMs: 5_000 }), { intervalMs: 60_000, now: () => now });
    await monitor.poll();
    monitor.stop();
    expect(monitor.of({ provider: 'anthropic', version: 'claude-sonnet-4-20250514' })).toEqual({ state: 'down', why: 'provider anthropic has no API key' });
    expect(monitor.of({ provider: 'openai', version: 'gpt-4o-mini-2024-07-18' })).toEqual({ state: 'degraded', why: 'circuit breaker open after 2 failures' });
    expect(monitor.of({ provider: 'openai', version: 'gpt-4o-2024-08-06' })).toBeUndefined();

    const { engine } = engineFor(loadPlatformConfig({ env }), { health: monitor });
    const decision = await engine.route(request('Explain our refund policy.', { model: 'smart' }));
    expect(decision.chain.map((model) => model.model)).toEqual(['big', 'local', 'mini']);
    expect(decision.reason).toContain('skips claude (provider anthropic has no API key)');
    expect(decision.reason).toContain('puts degraded mini (circuit breaker open after 2 failures) last');
    expect(engine.catalog().models.map(({ id, health, healthReason }) => ({ id, health, healthReason }))).toEqual([
      { id: 'local', health: 'healthy', healthReason: '' },
      { id: 'mini', health: 'degraded', healthReason: 'circuit breaker open after 2 failures' },
      { id: 'big', health: 'healthy', healthReason: '' },
      { id: 'claude', health: 'down', healthReason: 'provider anthropic has no API key' },
    ]);

    // Inference unreachable for longer than five poll intervals: llmops.yaml alone decides again.
    now += 5 * 60_000 + 1;
    expect((await engine.route(request('Explain our refund policy.', { model: 'smart' }))).chain.map((model) => model.model)).toEqual(['claude', 'mini', 'big', 'local']);
  });
});
