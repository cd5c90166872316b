import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel, type RecordMetadata } from 'kafkajs';
import pino from 'pino';
import { closeClickHouseClient, createClickHouseClient, queryClickhouse } from '@llmops/clickhouse';
import { loadServiceEnvironment } from '@llmops/config';
import { SpanEventSchema, TraceEventSchema } from '@llmops/contracts';
import { deadLetterTopicName, type ConsumedBatch, type TopicName } from '@llmops/kafka';
import { collectTopic } from '@llmops/testing';
import { AnalyticsResources } from '../src/analytics.resources';
import { loadAnalyticsConfig } from '../src/config/analytics.config';

// chdb binds one data directory per process: this file opens its own, and reopens it after close to read it back.
const root = mkdtempSync(join(tmpdir(), 'llmops-analytics-ingestion-'));
const brokers = process.env.KAFKA_BROKERS;
const runId = randomUUID();
const tenantId = `tenant-${runId}`;
const consumerGroup = `analytics-ingestion-test-${runId}`;
const NOW = Date.now();

const traceEvent = (traceId: string, eventId: string) =>
  create(TraceEventSchema, {
    eventId,
    traceId,
    occurredAt: timestampFromMs(NOW),
    context: { tenantId, projectId: 'proj-1', requestId: `req-${traceId}` },
    endpoint: 'http.chat.completions',
    route: 'smart',
    status: 'ok',
    latencyMs: 0.5,
    cacheStatus: 'hit',
    stages: [{ stage: 'auth', startOffsetMs: 0, latencyMs: 0.1, status: 'ok' }],
  });

const spanEvent = (traceId: string, eventId: string) =>
  create(SpanEventSchema, {
    eventId,
    traceId,
    spanId: eventId.slice(-16),
    name: 'gateway.complete',
    kind: 'INTERNAL',
    serviceName: 'gateway',
    startTime: timestampFromMs(NOW),
    durationMs: 0.4,
    statusCode: 'UNSET',
    attributes: { 'llmops.tenant_id': tenantId },
    tenantId,
  });

/**
 * The sink gathers rows for its flush interval and the consumer commits only after the insert: so the batches of
 * every partition must be in hand at once (else one partition's wait holds up all the others), and stopping must
 * store what is in hand at once instead of waiting out the interval.
 */
describe('analytics ingestion: batches gathered across partitions, stored on close', () => {
  const kafka = new Kafka({ clientId: `analytics-ingestion-test-${runId}`, brokers: (brokers ?? '').split(','), logLevel: logLevel.NOTHING });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('holds the events of every partition in one interval, dead-letters the unmappable one, and stores the rest on close', async () => {
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the root jest config, whose global setup starts Kafka');
    // Published before the consumer starts, so its first fetch brings all of them, over the topics' three partitions.
    const traces = Array.from({ length: 12 }, (_, i) => traceEvent(`trace-${runId}-${i}`, `ev-trace-${runId}-${i}`));
    const spans = Array.from({ length: 6 }, (_, i) => spanEvent(`trace-${runId}-${i}`, `ev-span-${runId}-${i}`));
    const poison = traceEvent(`trace-${runId}-poison`, ''); // no event_id: the sink cannot store it
    const producer = kafka.producer();
    await producer.connect();
    let sent: RecordMetadata[];
    try {
      sent = await producer.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: 'llmops.traces.v1', messages: [...traces, poison].map((event) => ({ key: event.traceId, value: Buffer.from(toBinary(TraceEventSchema, event)) })) },
          { topic: 'llmops.spans.v1', messages: spans.map((event) => ({ key: event.traceId, value: Buffer.from(toBinary(SpanEventSchema, event)) })) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const ourEventIds = new Set([...traces, ...spans].map((event) => event.eventId));

    const deadLetters = await collectTopic(
      { brokers: brokers.split(','), topic: deadLetterTopicName('llmops.traces.v1'), schema: TraceEventSchema, groupId: `${consumerGroup}-dlq-reader` },
      (event) => event.traceId === poison.traceId,
    );
    const env = { LLMOPS_STATE_DIR: root, KAFKA_BROKERS: brokers, LLMOPS_ANALYTICS_ADDR: '127.0.0.1:0' };
    // An interval far longer than the test: anything stored was stored by close().
    const config = loadAnalyticsConfig(
      { ...env, ANALYTICS_CONSUMER_GROUP: consumerGroup, ANALYTICS_FLUSH_INTERVAL_MS: '600000' },
      loadServiceEnvironment('analytics', env),
      { analytics: { retentionDays: 90 } },
    );
    const resources = await AnalyticsResources.open(config, pino({ level: 'warn' }));
    // Watches what the consumer hands over (and hands it on unchanged).
    const inHand = new Set<string>();
    const handle = resources.ingestion.handle.bind(resources.ingestion);
    resources.ingestion.handle = (batch: ConsumedBatch<TopicName>) => {
      for (const message of batch.messages) inHand.add((message.value as { eventId: string }).eventId);
      return handle(batch);
    };
    try {
      await waitFor('every event of ours in the consumer’s hands', () => [...ourEventIds].every((id) => inHand.has(id)));
      await waitFor('the unmappable event in the dead-letter topic', () => deadLetters.events.length > 0);
      // All of them at once, before any insert: the partitions are waiting for the same interval, not one another.
      await waitFor('every event of ours handed to the sink', () => resources.ingestion.stats().pending >= ourEventIds.size);
      expect(resources.ingestion.stats()).toMatchObject({ written: 0 });
    } finally {
      await deadLetters.stop();
      const closing = Date.now();
      await resources.close();
      expect(Date.now() - closing).toBeLessThan(30_000);
    }
    expect(resources.ingestion.stats()).toMatchObject({ pending: 0 });
    expect(resources.ingestion.stats().written).toBeGreaterThanOrEqual(ourEventIds.size);

    // Committed past every message of ours: nothing is redelivered to the group.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { topicName, partition, baseOffset } of sent) {
        const [committed] = await admin.fetchOffsets({ groupId: consumerGroup, topics: [topicName] });
        const offset = committed?.partitions.find((p) => p.partition === partition)?.offset;
        expect(BigInt(offset ?? '-1')).toBeGreaterThan(BigInt(baseOffset ?? '0'));
      }
    } finally {
      await admin.disconnect();
    }

    const client = createClickHouseClient({ dataPath: config.clickhouse.dataDir, database: 'llmops' });
    try {
      const stored = await queryClickhouse<{ event_id: string }>({
        client,
        query:
          'SELECT event_id FROM llmops.traces FINAL WHERE tenant_id = {tenant:String} UNION ALL SELECT event_id FROM llmops.spans FINAL WHERE tenant_id = {tenant:String}',
        params: { tenant: tenantId },
      });
      expect(new Set(stored.map((row) => row.event_id))).toEqual(ourEventIds);
      expect(stored).toHaveLength(ourEventIds.size);
    } finally {
      await closeClickHouseClient(client);
    }
  });
});

async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
