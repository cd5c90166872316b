import { promises as fs } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Kafka, type KafkaMessage } from 'kafkajs';
import { AlertEventSchema, FeedbackEventSchema, RequestContextSchema } from '@llmops/contracts';
import { ConsumerRunner, EventPublisher, silentKafkaLogger, type ConsumedMessage } from '../src';
import { brokersFromEnv, committedOffset, temporaryDir, uniqueId, waitFor } from './kafka-test-kit';

const TOPIC = 'llmops.feedback.v1';

async function publishFeedback(traceId: string): Promise<void> {
  const outboxDir = await temporaryDir('runner-spec');
  const publisher = new EventPublisher({ brokers: brokersFromEnv(), clientId: 'runner-spec', outboxDir, logger: silentKafkaLogger });
  await publisher.start();
  publisher.publish(
    TOPIC,
    create(FeedbackEventSchema, {
      eventId: uniqueId('event'),
      traceId,
      occurredAt: timestampFromMs(Date.now()),
      context: create(RequestContextSchema, { tenantId: 'acme' }),
      thumbs: 1,
    }),
  );
  if (!(await publisher.flush(20_000))) throw new Error('feedback event not acknowledged');
  await publisher.close();
  await fs.rm(outboxDir, { recursive: true, force: true });
}

function feedbackRunner(groupId: string, handle: (message: ConsumedMessage<typeof TOPIC>) => void) {
  return new ConsumerRunner({
    brokers: brokersFromEnv(),
    clientId: 'runner-spec',
    groupId,
    topics: [TOPIC],
    logger: silentKafkaLogger,
    retryInitialMs: 50,
    retryMaxMs: 200,
    handler: async (batch) => {
      for (const message of batch.messages) handle(message);
    },
  });
}

describe('ConsumerRunner against a real broker', () => {
  it('redelivers a batch whose handler threw, and commits only once it succeeded', async () => {
    const traceId = uniqueId('trace');
    await publishFeedback(traceId);
    const groupId = uniqueId('group');
    let attempts = 0;
    let handled: ConsumedMessage<typeof TOPIC> | undefined;
    const runner = feedbackRunner(groupId, (message) => {
      if (message.value.traceId !== traceId) return;
      attempts += 1;
      if (attempts === 1) throw new Error('sink unavailable');
      handled = message;
    });
    await runner.start();
    try {
      await waitFor(() => handled !== undefined, 30_000, 'the message to be handled');
      const expected = Number(handled!.offset) + 1;
      let committed = -1;
      const deadline = Date.now() + 10_000;
      while (committed < expected && Date.now() < deadline) committed = await committedOffset(groupId, TOPIC, handled!.partition);
      expect(committed).toBeGreaterThanOrEqual(expected);
      expect(attempts).toBe(2);
      expect(runner.stats().handlerFailures).toBe(1);
    } finally {
      await runner.stop();
    }
  });

  it('does not commit past a message whose handler keeps failing; the next consumer of the group gets it', async () => {
    const traceId = uniqueId('trace');
    await publishFeedback(traceId);
    const groupId = uniqueId('group');
    let failed: ConsumedMessage<typeof TOPIC> | undefined;
    const failing = feedbackRunner(groupId, (message) => {
      if (message.value.traceId !== traceId) return;
      failed = message;
      throw new Error('sink unavailable');
    });
    await failing.start();
    await waitFor(() => failed !== undefined && failing.stats().handlerFailures >= 3, 30_000, 'repeated handler failures');
    await failing.stop();

    expect(await committedOffset(groupId, TOPIC, failed!.partition)).toBeLessThanOrEqual(Number(failed!.offset));

    let redelivered: ConsumedMessage<typeof TOPIC> | undefined;
    const healthy = feedbackRunner(groupId, (message) => {
      if (message.value.traceId === traceId) redelivered = message;
    });
    await healthy.start();
    try {
      await waitFor(() => redelivered !== undefined, 30_000, 'redelivery to the next consumer');
      expect(redelivered!.offset).toBe(failed!.offset);
    } finally {
      await healthy.stop();
    }
  });

  it('sends undecodable messages to <topic>.dlq with their raw bytes and goes on with the rest', async () => {
    const tenantId = uniqueId('tenant');
    const kafka = new Kafka({ clientId: 'runner-spec-raw', brokers: brokersFromEnv(), logLevel: 0 });
    const producer = kafka.producer();
    await producer.connect();
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0x07]);
    const valid = create(AlertEventSchema, { eventId: uniqueId('event'), tenantId, kind: 'drift', severity: 'warning', value: 0.4, threshold: 0.2 });
    const validBytes = Buffer.from(toBinary(AlertEventSchema, valid));
    await producer.send({
      topic: 'llmops.alerts.v1',
      messages: [
        { key: tenantId, value: garbage, headers: { 'content-type': 'application/x-protobuf' } },
        { key: tenantId, value: validBytes, headers: { schema: 'llmops.v1.TraceEvent' } },
        { key: tenantId, value: validBytes, headers: { schema: 'llmops.v1.AlertEvent' } },
      ],
    });
    await producer.disconnect();

    const received: string[] = [];
    const groupId = uniqueId('group');
    const runner = new ConsumerRunner({
      brokers: brokersFromEnv(),
      clientId: 'runner-spec',
      groupId,
      topics: ['llmops.alerts.v1'],
      logger: silentKafkaLogger,
      handler: async (batch) => {
        for (const message of batch.messages) if (message.value.tenantId === tenantId) received.push(message.value.eventId);
      },
    });
    await runner.start();
    try {
      await waitFor(() => received.length >= 1 && runner.stats().deadLettered >= 2, 30_000, 'the valid alert and two dead letters');
    } finally {
      await runner.stop();
    }
    expect(received).toEqual([valid.eventId]);

    const deadLetters: KafkaMessage[] = [];
    const dlqConsumer = kafka.consumer({ groupId: uniqueId('dlq-reader') });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topics: ['llmops.alerts.v1.dlq'], fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        // Other consumers of the topic in the same test run (the analytics service) dead-letter the
        // same bad records under their own group; keep only this runner's.
        if (message.key?.toString() === tenantId && message.headers?.['dlq-consumer-group']?.toString() === groupId) deadLetters.push(message);
      },
    });
    try {
      await waitFor(() => deadLetters.length >= 2, 30_000, 'two dead letters');
    } finally {
      await dlqConsumer.disconnect();
    }
    expect(deadLetters.map((m) => m.value)).toEqual([garbage, validBytes]);
    expect(deadLetters.map((m) => m.headers?.['dlq-source-topic']?.toString())).toEqual(['llmops.alerts.v1', 'llmops.alerts.v1']);
    expect(deadLetters[0]!.headers?.['dlq-reason']?.toString()).toMatch(/not a valid llmops\.v1\.AlertEvent/);
    expect(deadLetters[1]!.headers?.['dlq-reason']?.toString()).toMatch(/does not match/);
  });
});
