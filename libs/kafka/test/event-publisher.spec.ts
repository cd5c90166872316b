import { promises as fs } from 'node:fs';
import { create, equals, fromBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ModelRefSchema, RequestContextSchema, TraceEventSchema, UsageEventSchema, UsageSchema } from '@llmops/contracts';
import { DiskOutbox, EventPublisher, silentKafkaLogger } from '../src';
import { brokersFromEnv, collectMessages, RecordingLogger, temporaryDir, uniqueId, waitFor } from './kafka-test-kit';

const UNREACHABLE_BROKER = ['127.0.0.1:1'];

function usageEvent(tenantId: string, seq: number) {
  return create(UsageEventSchema, {
    eventId: `${tenantId}-${seq}`,
    traceId: uniqueId('trace'),
    occurredAt: timestampFromMs(Date.now()),
    context: create(RequestContextSchema, { tenantId, projectId: 'p1' }),
    model: create(ModelRefSchema, { provider: 'openai', model: 'gpt-4o-mini' }),
    usage: create(UsageSchema, { inputTokens: seq, outputTokens: 2 * seq }),
  });
}

describe('EventPublisher against a real broker', () => {
  const dirs: string[] = [];
  const newDir = async () => {
    const dir = await temporaryDir('publisher-spec');
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(async () => {
    context.disable();
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  it.each([false, true])('publishes protobuf with content-type, schema and traceparent headers, keyed by trace id (off thread: %s)', async (offThread) => {
    const publisher = new EventPublisher({ brokers: brokersFromEnv(), clientId: 'publisher-spec', outboxDir: await newDir(), logger: silentKafkaLogger, offThread });
    await publisher.start();
    const traceId = uniqueId('trace');
    const event = create(TraceEventSchema, {
      eventId: uniqueId('event'),
      traceId,
      occurredAt: timestampFromMs(Date.now()),
      context: create(RequestContextSchema, { tenantId: 'acme', projectId: 'docs' }),
      endpoint: 'grpc.Complete',
      model: create(ModelRefSchema, { provider: 'openai', model: 'gpt-4o-mini' }),
      latencyMs: 123.5,
      status: 'ok',
    });
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => publisher.publish('llmops.traces.v1', event));

    expect(await publisher.flush(20_000)).toBe(true);
    const [received] = await collectMessages('llmops.traces.v1', (m) => m.value.traceId === traceId, 1);
    await publisher.close();

    expect(equals(TraceEventSchema, received!.value, event)).toBe(true);
    expect(received!.key).toBe(traceId);
    expect(received!.headers).toEqual({
      'content-type': 'application/x-protobuf',
      schema: 'llmops.v1.TraceEvent',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(publisher.stats()).toMatchObject({ published: 1, outboxed: 0, rejected: 0, outboxDepth: 0 });
  });

  it.each([false, true])('holds events for the linger and sends them together, at once when a batch is full or on flush() (off thread: %s)', async (offThread) => {
    const publisher = new EventPublisher({ brokers: brokersFromEnv(), clientId: 'publisher-spec', outboxDir: await newDir(), logger: silentKafkaLogger, lingerMs: 600_000, maxBatchRecords: 3, offThread });
    await publisher.start();
    await new Promise((resolve) => setTimeout(resolve, 50)); // past start()'s own pass over the outbox
    const tenant = uniqueId('linger');
    publisher.publish('llmops.usage.v1', usageEvent(tenant, 1));
    publisher.publish('llmops.usage.v1', usageEvent(tenant, 2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publisher.stats()).toMatchObject({ published: 0, buffered: 2 }); // waiting for company
    publisher.publish('llmops.usage.v1', usageEvent(tenant, 3)); // a full batch: sent without the linger
    await waitFor(() => publisher.stats().published === 3, 20_000, 'the full batch acknowledged');
    publisher.publish('llmops.usage.v1', usageEvent(tenant, 4));
    expect(await publisher.flush(20_000)).toBe(true); // flush does not wait out the linger either
    const received = await collectMessages('llmops.usage.v1', (m) => m.value.context?.tenantId === tenant, 4);
    await publisher.close();
    expect(received.map((m) => m.value.eventId)).toEqual([1, 2, 3, 4].map((seq) => `${tenant}-${seq}`));
  });

  it('leaves an idle connection idle (kafkajs 2.2.4 re-armed a 1 ms timer on it forever)', async () => {
    const publisher = new EventPublisher({ brokers: brokersFromEnv(), clientId: 'publisher-spec', outboxDir: await newDir(), logger: silentKafkaLogger });
    await publisher.start();
    publisher.publish('llmops.usage.v1', usageEvent(uniqueId('idle'), 1));
    expect(await publisher.flush(20_000)).toBe(true); // a request completed: the point where the timer started spinning
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: { checkPendingRequests: (...args: unknown[]) => unknown } };
    const check = RequestQueue.prototype.checkPendingRequests;
    let checks = 0;
    RequestQueue.prototype.checkPendingRequests = function (this: unknown, ...args: unknown[]) {
      checks++;
      return check.apply(this, args);
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      RequestQueue.prototype.checkPendingRequests = check;
      await publisher.close();
    }
    // Idle, a connection checks only when a request of its own completes (metadata refresh...): a handful, not ~1,000.
    expect(checks).toBeLessThan(50);
  });

  it.each([false, true])('keeps records on disk while the broker is unreachable, never blocking the caller, and replays them in order (off thread: %s)', async (offThread) => {
    const outboxDir = await newDir();
    const tenantId = uniqueId('tenant');
    const count = 200;

    const offline = new EventPublisher({ brokers: UNREACHABLE_BROKER, clientId: 'publisher-spec', outboxDir, logger: silentKafkaLogger, connectionTimeoutMs: 500, offThread });
    await offline.start();
    const durationsMs: number[] = [];
    for (let seq = 0; seq < count; seq++) {
      const started = process.hrtime.bigint();
      offline.publish('llmops.usage.v1', usageEvent(tenantId, seq));
      durationsMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (seq % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // let sends fail mid-stream
    }
    await waitFor(() => offline.stats().outboxed === count, 20_000, 'all records in the outbox');
    await offline.close();
    expect(offline.stats()).toMatchObject({ published: 0, outboxed: count, rejected: 0, outboxDepth: count });
    expect(offline.stats().failedSends).toBeGreaterThan(0);
    // A publish that waited on the broker would take at least one failed connection attempt
    // (hundreds of ms). The bound on the slowest call leaves room for a shared 2-core machine
    // descheduling the test process; the median shows the usual cost.
    const sorted = [...durationsMs].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(1);
    expect(sorted[sorted.length - 1]).toBeLessThan(100);
    expect((await fs.readdir(outboxDir)).some((name) => name.startsWith('segment-'))).toBe(true);

    const online = new EventPublisher({ brokers: brokersFromEnv(), clientId: 'publisher-spec', outboxDir, logger: silentKafkaLogger, offThread });
    await online.start();
    online.publish('llmops.usage.v1', usageEvent(tenantId, count)); // newer than everything replayed
    expect(await online.flush(30_000)).toBe(true);
    expect(online.stats()).toMatchObject({ replayed: count, published: count + 1, outboxDepth: 0, rejected: 0 });
    await online.close();
    expect((await fs.readdir(outboxDir)).filter((name) => name.startsWith('segment-'))).toEqual([]);

    const received = await collectMessages('llmops.usage.v1', (m) => m.value.context?.tenantId === tenantId, count + 1);
    expect(received.map((m) => m.value.eventId)).toEqual(Array.from({ length: count + 1 }, (_, seq) => `${tenantId}-${seq}`));
    expect(received.every((m) => m.key === tenantId && m.headers.schema === 'llmops.v1.UsageEvent')).toBe(true);
  });

  it('refuses records beyond the outbox bound, counts and logs them, and keeps the oldest', async () => {
    const outboxDir = await newDir();
    const tenantId = uniqueId('tenant');
    const logger = new RecordingLogger();
    const publisher = new EventPublisher({
      brokers: UNREACHABLE_BROKER,
      clientId: 'publisher-spec',
      outboxDir,
      outboxMaxRecords: 10,
      logger,
      connectionTimeoutMs: 500,
    });
    await publisher.start();
    for (let seq = 0; seq < 15; seq++) publisher.publish('llmops.usage.v1', usageEvent(tenantId, seq));
    await publisher.close();

    expect(publisher.stats()).toMatchObject({ outboxed: 10, rejected: 5, outboxDepth: 10, published: 0 });
    const refusal = logger.lines.find((line) => line.level === 'error');
    expect(refusal?.fields).toMatchObject({ reason: 'outbox full', records: 5 });

    const outbox = await DiskOutbox.open({ dir: outboxDir });
    const kept = await outbox.peek(100);
    await outbox.close();
    const decoded = kept.map((r) => r.headers.schema);
    expect(decoded).toEqual(Array(10).fill('llmops.v1.UsageEvent'));
    expect(kept.map((r) => fromBinary(UsageEventSchema, r.value).eventId)).toEqual(Array.from({ length: 10 }, (_, seq) => `${tenantId}-${seq}`));
  });
});
