import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { INestMicroservice } from '@nestjs/common';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pino from 'pino';
import { loadServiceEnvironment } from '@llmops/config';
import { Analytics, CostEventSchema, TraceEventSchema, UsageEventSchema, type QueryResponse } from '@llmops/contracts';
import { createGrpcClient, ErrorCode, PlatformError, startGrpcService, type GrpcClient } from '@llmops/grpc';
import { EventPublisher, deadLetterTopicName } from '@llmops/kafka';
import { poll } from '@llmops/testing';
import { AnalyticsModule } from '../src/analytics.module';
import { AnalyticsResources } from '../src/analytics.resources';
import { loadAnalyticsConfig } from '../src/config/analytics.config';

/** ClickHouse rows arrive through Kafka and a batched insert: asked less often than events. */
const pollClickHouse = <T>(what: string, probe: () => Promise<T | undefined>) => poll(what, probe, { intervalMs: 200 });

// chdb binds one data directory per process: this file opens its own and no other spec file opens it.
const root = mkdtempSync(join(tmpdir(), 'llmops-analytics-grpc-'));
const brokers = process.env.KAFKA_BROKERS;
const runId = randomUUID();
const consumerGroup = `analytics-grpc-test-${runId}`;
const NOW = Date.now();
const context = { tenantId: `tenant-${runId}`, projectId: 'proj-1', userId: 'user-1', apiKeyId: 'key-1', requestId: 'req-1', tags: {} };
const model = { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' };
const usage = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 0, estimated: false };
const STAGES = [
  { stage: 'auth', startOffsetMs: 0, latencyMs: 1.5, status: 'ok' },
  { stage: 'guardrails.input', startOffsetMs: 1.5, latencyMs: 4, status: 'ok' },
  { stage: 'inference', startOffsetMs: 6, latencyMs: 230, status: 'ok', detail: 'openai/gpt-4o-mini' },
  { stage: 'guardrails.output', startOffsetMs: 236, latencyMs: 10, status: 'ok' },
];

function traceEvent(traceId: string, eventId = `ev-trace-${traceId}`) {
  return create(TraceEventSchema, {
    eventId,
    traceId,
    occurredAt: timestampFromMs(NOW),
    context,
    endpoint: 'grpc.Complete',
    route: 'default',
    requestedModel: 'gpt-4o-mini',
    model,
    usage,
    costUsd: 0.00042,
    latencyMs: 250,
    status: 'ok',
    stages: STAGES,
    inputVerdict: 'pass',
    outputVerdict: 'pass',
  });
}

const rowsOf = (response: QueryResponse) => response.rowsJson.map((row) => JSON.parse(row) as Record<string, unknown>);


async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Analytics gRPC service over Kafka and embedded ClickHouse', () => {
  let app: INestMicroservice;
  let resources: AnalyticsResources;
  let events: EventPublisher;
  let client: GrpcClient<typeof Analytics>;

  beforeAll(async () => {
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the root jest config, whose global setup starts Kafka');
    const env = { LLMOPS_STATE_DIR: root, KAFKA_BROKERS: brokers, LLMOPS_ANALYTICS_ADDR: '127.0.0.1:0' };
    const environment = loadServiceEnvironment('analytics', env);
    const config = loadAnalyticsConfig(
      { ...env, ANALYTICS_CONSUMER_GROUP: consumerGroup, ANALYTICS_FLUSH_INTERVAL_MS: '1' },
      environment,
      { analytics: { retentionDays: 90 } },
    );
    expect(config.clickhouse).toEqual({ dataDir: join(root, 'clickhouse') });
    const logger = pino({ level: 'warn' });
    events = new EventPublisher({ brokers: environment.kafkaBrokers, clientId: 'analytics-grpc-test', outboxDir: join(root, 'outbox', 'test') });
    await events.start();
    const started = await startGrpcService(await AnalyticsModule.forRoot({ environment, events, logger }, config), {
      address: '127.0.0.1:0',
      services: [Analytics],
    });
    app = started.app;
    resources = app.get(AnalyticsResources);
    client = createGrpcClient(Analytics, `127.0.0.1:${started.port}`);
    await resources.consumer.waitUntilJoined(30_000);
  });

  afterAll(async () => {
    client?.close();
    await app?.close(); // stops serving, then the consumer, flushes the sink and closes ClickHouse
    await events?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('migrated the schema at start', () => {
    expect(resources.migrations.applied.length + resources.migrations.alreadyApplied.length).toBeGreaterThanOrEqual(2);
  });

  it('lists the named reports with their parameters', async () => {
    const { reports } = await client.listReports({});
    const trace = reports.find((report) => report.name === 'trace');
    expect(trace?.params).toEqual(['trace_id']);
    expect(reports.map((report) => report.name)).toEqual(expect.arrayContaining(['usage_by_model', 'spend_by_tenant', 'recent_traces']));
  });

  it('stores a published trace, usage and cost, and answers the trace report with one row per stage', async () => {
    const traceId = `trace-${runId}`;
    events.publish('llmops.traces.v1', traceEvent(traceId));
    events.publish('llmops.usage.v1', create(UsageEventSchema, { eventId: `ev-usage-${runId}`, traceId, occurredAt: timestampFromMs(NOW), context, model, usage }));
    events.publish(
      'llmops.cost.v1',
      create(CostEventSchema, {
        eventId: `ev-cost-${runId}`,
        traceId,
        occurredAt: timestampFromMs(NOW),
        context,
        model,
        usage,
        inputCostUsd: 0.00018,
        outputCostUsd: 0.00024,
        totalCostUsd: 0.00042,
        priced: true,
      }),
    );

    const response = await pollClickHouse('the trace report rows', async () => {
      const result = await client.query({ query: { case: 'report', value: 'trace' }, params: { trace_id: traceId } });
      return result.rowsJson.length > 0 ? result : undefined;
    });
    const rows = rowsOf(response);
    expect(rows.map((row) => [row.stage, row.start_offset_ms, row.latency_ms, row.status])).toEqual(
      STAGES.map((stage) => [stage.stage, stage.startOffsetMs, stage.latencyMs, stage.status]),
    );
    expect(rows[2]).toMatchObject({ trace_id: traceId, detail: 'openai/gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini', trace_status: 'ok' });
    expect(response.columns.find((column) => column.name === 'stage')?.type).toContain('String');
    expect(response.columns.map((column) => column.name)).toEqual(Object.keys(rows[0]!));

    // Usage and cost land in their own tables; asked through read-only SQL.
    const tenant = context.tenantId;
    const stored = await pollClickHouse('usage and cost rows', async () => {
      const result = await client.query({
        query: {
          case: 'sql',
          value: `SELECT (SELECT count() FROM llmops.usage WHERE tenant_id = '${tenant}') AS usage_rows, (SELECT sum(total_cost_usd) FROM llmops.cost WHERE tenant_id = '${tenant}') AS cost_usd`,
        },
      });
      const [row] = rowsOf(result);
      return row && row.usage_rows === '1' && row.cost_usd !== 0 ? row : undefined;
    });
    expect(stored.cost_usd).toBeCloseTo(0.00042, 10);

    const limited = await client.query({ query: { case: 'report', value: 'trace' }, params: { trace_id: traceId }, limit: 2 });
    expect(rowsOf(limited).map((row) => row.stage)).toEqual(['auth', 'guardrails.input']);
  });

  it('runs read-only SQL and refuses anything that writes', async () => {
    await pollClickHouse('a stored trace', async () => {
      const result = await client.query({ query: { case: 'sql', value: 'SELECT count() FROM llmops.traces' } });
      expect(result.columns).toEqual([expect.objectContaining({ name: 'count()', type: 'UInt64' })]);
      expect(result.rowsJson).toHaveLength(1);
      return Number(JSON.parse(result.rowsJson[0]!)['count()']) >= 1 ? result : undefined;
    });

    const drop = await rejection(client.query({ query: { case: 'sql', value: 'DROP TABLE llmops.traces' } }));
    expect(drop.code).toBe(ErrorCode.InvalidRequest);
    expect(drop.message).toMatch(/only SELECT/);
    const twoStatements = await rejection(client.query({ query: { case: 'sql', value: 'SELECT 1; DROP TABLE llmops.traces' } }));
    expect(twoStatements.code).toBe(ErrorCode.InvalidRequest);
    const unknownTable = await rejection(client.query({ query: { case: 'sql', value: 'SELECT * FROM llmops.no_such_table' } }));
    expect(unknownTable.code).toBe(ErrorCode.InvalidRequest);
    expect(unknownTable.message).toMatch(/no_such_table/);

    // Still there after the refused DROP.
    const after = await client.query({ query: { case: 'sql', value: 'SELECT count() AS n FROM llmops.traces' } });
    expect(Number(rowsOf(after)[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  it('answers bad report calls with InvalidRequest', async () => {
    const unknown = await rejection(client.query({ query: { case: 'report', value: 'no_such_report' } }));
    expect(unknown.code).toBe(ErrorCode.InvalidRequest);
    expect(unknown.message).toMatch(/unknown report/);
    const missing = await rejection(client.query({ query: { case: 'report', value: 'trace' } }));
    expect(missing.code).toBe(ErrorCode.InvalidRequest);
    const badParam = await rejection(client.query({ query: { case: 'report', value: 'recent_traces' }, params: { limit: 'many' } }));
    expect(badParam.code).toBe(ErrorCode.InvalidRequest);
    const empty = await rejection(client.query({}));
    expect(empty.code).toBe(ErrorCode.InvalidRequest);
  });

  it('dead-letters an event it cannot store and keeps consuming the partition behind it', async () => {
    const traceId = `poison-${runId}`;
    // No event_id: the sink refuses it. Same key, so the good event sits behind it on the same partition.
    events.publish('llmops.traces.v1', traceEvent(traceId, ''));
    events.publish('llmops.traces.v1', traceEvent(traceId, `ev-after-poison-${runId}`));

    await pollClickHouse('the event behind the poison one', async () => {
      const result = await client.query({ query: { case: 'report', value: 'trace' }, params: { trace_id: traceId } });
      return result.rowsJson.length === STAGES.length ? result : undefined;
    });

    const kafka = new Kafka({ clientId: 'analytics-grpc-test-dlq', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const consumer: Consumer = kafka.consumer({ groupId: `${consumerGroup}-dlq-reader` });
    const found: Record<string, string>[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: deadLetterTopicName('llmops.traces.v1'), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          if (headers['dlq-consumer-group'] === consumerGroup && message.key?.toString() === traceId) found.push(headers);
        },
      });
      await pollClickHouse('the dead letter', async () => (found.length > 0 ? found : undefined));
    } finally {
      await consumer.disconnect();
    }
    expect(found[0]).toMatchObject({ 'dlq-source-topic': 'llmops.traces.v1', 'dlq-reason': expect.stringMatching(/without event_id/) });
    expect(resources.ingestion.stats().deadLettered).toBeGreaterThanOrEqual(1);
  });
});
