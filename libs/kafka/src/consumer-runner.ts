import { fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { Kafka, type Consumer, type EachBatchPayload, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer.fix';
import { defaultKafkaLogger, kafkajsLogCreator, type KafkaLogger } from './kafka-logger';
import { murmur2Partitioner } from './murmur2.partitioner';
import { deadLetterTopicName, type TopicName } from './topic-names';
import { topicDefinition, type TopicMessage } from './topics';

export interface ConsumedMessage<N extends TopicName> {
  topic: N;
  partition: number;
  offset: string;
  key: string | null;
  timestampMs: number;
  /** Kafka headers as strings: `content-type`, `schema`, `traceparent` (see contextFromHeaders). */
  headers: Record<string, string>;
  value: TopicMessage<N>;
}

/** Decoded messages of one topic-partition, in offset order. */
export interface ConsumedBatch<N extends TopicName> {
  topic: N;
  partition: number;
  messages: ConsumedMessage<N>[];
}

/** Must be idempotent: a batch is delivered again if the handler or the commit after it fails. */
export type BatchHandler<N extends TopicName> = (batch: ConsumedBatch<N>) => Promise<void>;

export interface ConsumerRunnerOptions<N extends TopicName> {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: readonly N[];
  handler: BatchHandler<N>;
  /** Where a group with no committed offset starts. Default true: a new sink sees everything kept. */
  fromBeginning?: boolean;
  /** Most messages handed to the handler at once. Default 500. */
  maxBatchRecords?: number;
  /**
   * Batches of different partitions in the handler at once (each partition stays in order). Default 1. A handler
   * that gathers events over time before one write (a ClickHouse sink) wants every partition of a fetch at once, so
   * that one write carries them all instead of one write per partition, one after another.
   */
  partitionsConsumedConcurrently?: number;
  /** Backoff between handler retries, doubling from initial to max. Defaults 200 ms and 30 s. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  logger?: KafkaLogger;
}

export interface ConsumerRunnerStats {
  batches: number;
  messages: number;
  deadLettered: number;
  handlerFailures: number;
}

class PoisonMessageError extends Error {}

/**
 * The one way our services consume Kafka. Per topic-partition batch it decodes every message by
 * the topic registry, sends undecodable ones (raw bytes, untouched) to `<topic>.dlq`, hands the
 * rest to the handler, and commits only after the handler succeeded. A failing handler is
 * retried with backoff and nothing is committed meanwhile, so no message is skipped.
 */
export class ConsumerRunner<N extends TopicName> {
  private readonly kafka: Kafka;
  private readonly logger: KafkaLogger;
  private readonly maxBatchRecords: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private consumer: Consumer | undefined;
  private deadLetterProducer: Producer | undefined;
  private joined = false;
  private readonly counters: ConsumerRunnerStats = { batches: 0, messages: 0, deadLettered: 0, handlerFailures: 0 };

  constructor(private readonly options: ConsumerRunnerOptions<N>) {
    applyKafkajsIdleTimerFix();
    if (options.topics.length === 0) throw new Error('ConsumerRunner needs at least one topic');
    for (const topic of options.topics) topicDefinition(topic); // fail fast on an unknown topic
    this.logger = options.logger ?? defaultKafkaLogger();
    this.maxBatchRecords = options.maxBatchRecords ?? 500;
    this.retryInitialMs = options.retryInitialMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: kafkajsLogCreator(this.logger),
    });
  }

  /** Connects, subscribes and starts consuming in the background. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('ConsumerRunner.start() called twice');
    const producer = this.kafka.producer({ createPartitioner: murmur2Partitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    consumer.on(consumer.events.CRASH, (event) =>
      this.logger.error({ err: event.payload.error, groupId: this.options.groupId, restart: event.payload.restart }, 'Kafka consumer crashed'),
    );
    await producer.connect();
    this.deadLetterProducer = producer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Resolves once the consumer has joined its group and received partitions. */
  async waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.joined) {
      if (Date.now() >= deadline) throw new Error(`consumer group ${this.options.groupId} did not join within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** Finishes or abandons (uncommitted) the batch in hand, leaves the group and disconnects. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    const producer = this.deadLetterProducer;
    this.consumer = undefined;
    this.deadLetterProducer = undefined;
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  stats(): ConsumerRunnerStats {
    return { ...this.counters };
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const topic = batch.topic as N;
    const active = () => isRunning() && !isStale();
    for (let start = 0; start < batch.messages.length; start += this.maxBatchRecords) {
      if (!active()) return;
      const slice = batch.messages.slice(start, start + this.maxBatchRecords);
      const decoded: ConsumedMessage<N>[] = [];
      for (const message of slice) {
        try {
          decoded.push(this.decode(topic, batch.partition, message));
        } catch (error) {
          if (!(await this.retrying(active, heartbeat, 'dead-letter send', () => this.deadLetter(topic, batch.partition, message, error)))) return;
        }
      }
      if (decoded.length > 0) {
        const handled = await this.retrying(active, heartbeat, 'handler', () =>
          this.options.handler({ topic, partition: batch.partition, messages: decoded }),
        );
        if (!handled) return; // stopping or rebalanced: the next owner starts from the last commit
      }
      const last = slice[slice.length - 1]!.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
      });
      this.counters.batches += 1;
      this.counters.messages += decoded.length;
      await heartbeat();
    }
  }

  /** Runs `operation` until it succeeds; false if the runner stopped or lost the partition first. */
  private async retrying(active: () => boolean, heartbeat: () => Promise<void>, what: string, operation: () => Promise<void>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!active()) return false;
      try {
        await operation();
        return true;
      } catch (error) {
        if (what === 'handler') this.counters.handlerFailures += 1;
        const backoff = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** attempt);
        this.logger.warn({ err: error, groupId: this.options.groupId, attempt: attempt + 1, retryInMs: backoff }, `Kafka ${what} failed; retrying without committing`);
        const until = Date.now() + backoff;
        while (Date.now() < until) {
          if (!active()) return false;
          await sleep(Math.min(100, until - Date.now()));
          try {
            await heartbeat();
          } catch {
            return false; // rebalancing: the partition may move; do not commit anything
          }
        }
      }
    }
  }

  private decode(topic: N, partition: number, message: KafkaMessage): ConsumedMessage<N> {
    const definition = topicDefinition(topic);
    const schema = definition.schema as DescMessage;
    const headers = headersToStrings(message.headers);
    if (!message.value) throw new PoisonMessageError('message has no value');
    if (headers.schema !== undefined && headers.schema !== schema.typeName) {
      throw new PoisonMessageError(`schema header "${headers.schema}" does not match topic message ${schema.typeName}`);
    }
    let value: TopicMessage<N>;
    try {
      value = fromBinary(schema, message.value) as TopicMessage<N>;
    } catch (error) {
      throw new PoisonMessageError(`not a valid ${schema.typeName}: ${(error as Error).message}`);
    }
    return {
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      timestampMs: Number(message.timestamp),
      headers,
      value,
    };
  }

  private async deadLetter(topic: N, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    const producer = this.deadLetterProducer;
    if (!producer) throw new Error('consumer runner is stopped');
    const reason = error instanceof Error ? error.message : String(error);
    await producer.send({
      topic: deadLetterTopicName(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          timestamp: message.timestamp,
          headers: {
            ...message.headers,
            'dlq-reason': reason,
            'dlq-source-topic': topic,
            'dlq-source-partition': String(partition),
            'dlq-source-offset': message.offset,
            'dlq-consumer-group': this.options.groupId,
          },
        },
      ],
    });
    this.counters.deadLettered += 1;
    this.logger.warn({ topic, partition, offset: message.offset, reason }, 'undecodable Kafka message sent to the dead-letter topic');
  }
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
