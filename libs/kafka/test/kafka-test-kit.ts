import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { ConsumerRunner, silentKafkaLogger, type ConsumedMessage, type KafkaLogger, type TopicName } from '../src';

export function brokersFromEnv(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set; the jest global set-up (libs/testing) starts the broker');
  return brokers.split(',');
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export async function temporaryDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
}

/** A logger that keeps every line, so tests can assert on what was logged. */
export class RecordingLogger implements KafkaLogger {
  readonly lines: Array<{ level: string; message: string; fields: object }> = [];
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Consumes a topic from the beginning with a fresh group and keeps the messages `accept` selects
 * (topics are shared by all specs of the run, so each spec picks out its own messages).
 */
export async function collectMessages<N extends TopicName>(
  topic: N,
  accept: (message: ConsumedMessage<N>) => boolean,
  count: number,
  timeoutMs = 30_000,
): Promise<ConsumedMessage<N>[]> {
  const collected: ConsumedMessage<N>[] = [];
  const runner = new ConsumerRunner({
    brokers: brokersFromEnv(),
    clientId: 'kafka-spec-collector',
    groupId: uniqueId('collector'),
    topics: [topic],
    logger: silentKafkaLogger,
    handler: async (batch) => {
      collected.push(...batch.messages.filter(accept));
    },
  });
  await runner.start();
  try {
    await waitFor(() => collected.length >= count, timeoutMs, `${count} messages on ${topic}`);
  } finally {
    await runner.stop();
  }
  return collected;
}

/** The committed offset of a group on one partition, or -1 when none is committed. */
export async function committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = new Kafka({ clientId: 'kafka-spec-admin', brokers: brokersFromEnv(), logLevel: 0 }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const entry = offsets!.partitions.find((p) => p.partition === partition);
    return entry ? Number(entry.offset) : -1;
  } finally {
    await admin.disconnect();
  }
}
