import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AlertEventSchema, Routing } from '@llmops/contracts';
import { loadServiceEnvironment } from '@llmops/config';
import { createGrpcClient, ErrorCode, PlatformError, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { EventPublisher } from '@llmops/kafka';
import { collectTopic, poll } from '@llmops/testing';
import pino from 'pino';
import { stringify } from 'yaml';
import { createRouting, RoutingModule, type RoutingWiring } from '../src/routing.module';
import { startRedisServer, type LocalRedis } from './redis-server';
import { routingDocument } from './routing-fixtures';

const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const tenant = `grpc-${runId}`;


// Routing as a process sees it: a real llmops.yaml on disk, real gRPC, the Redis store, alerts
// through Kafka, and reloads when the file changes.
describe('routing over gRPC', () => {
  let work: string;
  let configFile: string;
  let redis: LocalRedis;
  let events: EventPublisher;
  let wiring: RoutingWiring;
  let handle: GrpcServiceHandle;
  let client: GrpcClient<typeof Routing>;
  const logLines: Array<{ level: number; msg: string }> = [];
  const brokers = process.env['KAFKA_BROKERS'];

  const document = (extra: Record<string, unknown> = {}) =>
    routingDocument({
      cache: { enabled: true },
      budgets: [{ scope: 'tenant', id: '*', daily_usd: 0.01 }],
      ...extra,
    });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'routing-grpc-'));
    configFile = join(work, 'llmops.yaml');
    await writeFile(configFile, stringify(document()));
    redis = await startRedisServer();
    const env = { LLMOPS_CONFIG: configFile, LLMOPS_ROUTING_REDIS_URL: redis.url, KAFKA_BROKERS: brokers };
    events = new EventPublisher({ brokers: (brokers ?? '127.0.0.1:9092').split(','), clientId: 'llmops-routing-test', outboxDir: join(work, 'outbox') });
    await events.start();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    wiring = await createRouting({ events, logger }, env);
    expect(loadServiceEnvironment('routing', env)).toBeDefined();
    handle = await startGrpcService(RoutingModule.forRoot(wiring), { address: '127.0.0.1:0', services: [Routing] });
    client = createGrpcClient(Routing, `127.0.0.1:${handle.port}`);
  });

  afterAll(async () => {
    client?.close();
    await handle?.app.close();
    await wiring?.close();
    await events?.close();
    await redis?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const context = { tenantId: tenant, projectId: 'p1', userId: 'u1', apiKeyId: 'k1', requestId: 'r1' };

  it('explains its decision: rule, strategy, features, cache and budget', async () => {
    const decision = await client.route({ context, model: '', messages: [{ role: 'user', content: 'Is it safe to double my medication dosage?' }] });
    expect(decision).toMatchObject({
      route: 'aligned',
      rule: 'safety-critical',
      strategy: 'ordered',
      chain: [expect.objectContaining({ model: 'safe', version: 'safe-1' }), expect.objectContaining({ model: 'big' })],
      features: { domain: 'medical', questionType: 'yes_no', complexity: 'simple' },
      cache: { status: 'bypass' },
      budget: { action: 'allow' },
      settle: true,
    });
    expect(decision.reason).toContain('rule "safety-critical" matched (safety-critical domain medical) → route "aligned"');
    expect(decision.budget!.reservationId).toMatch(/^r1\./);
    const settled = await client.settle({ context, reservationId: decision.budget!.reservationId, model: decision.chain[0], usage: { inputTokens: 12, outputTokens: 30 }, latencyMs: 40, ok: true });
    // priced from the catalog when the caller gives no cost: 12 × $3 + 30 × $15 per Mtok
    expect(settled.settledUsd).toBeCloseTo(0.000486, 9);
    expect(settled.settledTokens).toBe(42);
  });

  it('serves a stored answer from the cache on the next identical request', async () => {
    const ask = { context, model: 'smart', messages: [{ role: 'user', content: 'What is the capital of France?' }], params: { temperature: 0, stop: [] } };
    const miss = await client.route(ask);
    expect(miss.cache).toMatchObject({ status: 'miss', storable: true });
    const stored = await client.store({
      context,
      route: miss.route,
      variant: miss.cache!.variant,
      messages: ask.messages,
      params: ask.params,
      content: 'Paris [1].',
      model: miss.chain[0],
      usage: { inputTokens: 9, outputTokens: 3 },
      finishReason: 'stop',
    });
    expect(stored.stored).toBe(true);
    const hit = await client.route(ask);
    expect(hit.cache).toMatchObject({ status: 'hit', kind: 'exact', content: 'Paris [1].', model: { model: 'big' }, usage: { inputTokens: 9, outputTokens: 3 } });
    expect(hit.budget!.reservedUsd).toBe(0);
  });

  it('alerts on llmops.alerts.v1 at 80% of a cap and answers RESOURCE_EXHAUSTED with a clear message past it', async () => {
    // big: 5 input + 400 output tokens ≈ $0.004 per request against a $0.01 daily cap per tenant
    const capped = `${tenant}-cap`;
    // Joined before the alert is sent: on a loaded single-node broker a group join alone can take
    // many seconds, which is the broker's, not routing's.
    const alerts = await collectTopic(
      { brokers: (brokers ?? '127.0.0.1:9092').split(','), topic: 'llmops.alerts.v1', schema: AlertEventSchema, groupId: `routing-test-${runId}` },
      (alert) => alert.tenantId === capped,
    );
    try {
      const ask = () => client.route({ context: { ...context, tenantId: capped }, model: 'smart', messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 400, stop: [] } });
      await ask();
      await ask();
      const error = await ask().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).code).toBe(ErrorCode.RateLimited);
      expect((error as PlatformError).message).toMatch(new RegExp(`^Daily spend cap reached for tenant "${capped}": \\$0\\.008\\d+ of \\$0\\.01 used today \\(UTC\\)\\.$`));
      expect((error as PlatformError).details).toMatchObject({ reason: 'budget_exceeded', metric: 'daily_usd' });
      expect(Number((error as PlatformError).details['retry_after_ms'])).toBeGreaterThan(0);
      expect(Number((error as PlatformError).details['retry_after_ms'])).toBeLessThanOrEqual(24 * 3600_000);

      await poll('the budget alert', () => (alerts.events.length > 0 ? alerts.events : undefined), 60_000);
    } finally {
      await alerts.stop();
    }
    expect(alerts.events).toHaveLength(1);
    expect(alerts.events[0]).toMatchObject({ kind: 'budget_threshold', severity: 'warning', threshold: 0.8, labels: { scope: 'tenant', id: capped, metric: 'daily_usd' } });
  }, 120_000);

  it('reloads llmops.yaml when it changes, and keeps the last good configuration when the new one is invalid', async () => {
    // a fresh tenant per call, so polling never runs into the per-tenant cap
    let call = 0;
    const route = async () =>
      (await client.route({ context: { ...context, tenantId: `reload-${runId}-${call++}` }, model: '', messages: [{ role: 'user', content: 'Which treatment is best for a migraine patient?' }] })).route;
    expect(await route()).toBe('aligned');

    await writeFile(configFile, stringify(document({ routing_rules: [{ name: 'medical-to-smart', when: { domain: ['medical'] }, route: 'smart' }] })));
    await poll('the reload', async () => ((await route()) === 'smart' ? true : undefined));

    const broken = document({ routing_rules: [{ name: 'broken', when: { domain: ['astrology'] }, route: 'nowhere' }] });
    await writeFile(configFile, stringify(broken));
    const rejected = await poll('the rejection in the log', () => logLines.find((line) => line.level === 50 && line.msg.includes('rejected the new llmops.yaml')));
    expect(rejected.msg).toContain('the last good configuration stays in force');
    expect(rejected.msg).toContain('routing_rules[0].route: unknown route "nowhere"');
    expect(rejected.msg).toContain('routing_rules[0].when.domain[0]');
    expect(await route()).toBe('smart');
  });

  it('rejects unknown capabilities and unknown models with clear errors', async () => {
    await expect(client.route({ context, model: '', needs: ['telepathy'], messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: 'unknown needs telepathy; use tools, json, vision, embeddings',
    });
    await expect(client.route({ context, model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: ErrorCode.ModelNotFound });
  });
});
