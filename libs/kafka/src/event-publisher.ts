import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer.fix';
import { DiskOutbox, type OutboxRecord } from './disk-outbox';
import { defaultKafkaLogger, kafkajsLogCreator, ThrottledLog, type KafkaLogger } from './kafka-logger';
import { murmur2Partitioner } from './murmur2.partitioner';
import { activeTraceHeaders } from './trace-headers';
import type { TopicName } from './topic-names';
import { messageKey, topicDefinition, type TopicMessage } from './topics';
import { PublisherThread } from './publisher-thread';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

export interface EventPublisherOptions {
  brokers: string[];
  /** The service name; Kafka client id. */
  clientId: string;
  /** Directory of this publisher's outbox, e.g. `.llmops/outbox/<service>`; one publisher per directory. */
  outboxDir: string;
  /** Bound on the outbox; see DiskOutbox. Defaults 256 MiB and 1,000,000 records. */
  outboxMaxBytes?: number;
  outboxMaxRecords?: number;
  outboxSegmentBytes?: number;
  /**
   * How long a publish waits in memory for company before a batch is sent (sooner once maxBatchRecords wait).
   * Default 100 ms: a produce request costs this process and the broker about the same CPU whatever it carries,
   * so at tens of requests per second sending each event alone cost more than serving a cached answer; events
   * are off the request path, and spans already wait 500 ms in the span processor.
   */
  lingerMs?: number;
  /** Records per produce request. Default 500. */
  maxBatchRecords?: number;
  /** Records held in memory awaiting a send; beyond it publish refuses (counted). Default 50,000. */
  maxBufferedRecords?: number;
  /** First wait before retrying a broker that failed; doubles up to retryMaxMs. Defaults 250 ms and 10 s. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** kafkajs connection and request timeouts. Defaults 3 s and 15 s. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  logger?: KafkaLogger;
  /**
   * Run the send loop (kafkajs, the outbox) in a worker thread; this thread only encodes and
   * hands the records over. The services do (LLMOPS_EVENTS_OFF_THREAD, default 1): at 1,000
   * requests/s the inline loop stalled the calling thread over 1 ms some 1,100–1,200 times per
   * 10 s against 470–600 off thread and 260–360 for a thread publishing nothing
   * (loadtest/event-publisher-stall.bench.cjs). Default false here.
   */
  offThread?: boolean;
}

/** Counters for metrics. `outboxed` counts records written to disk, `replayed` those later delivered from it. */
export interface EventPublisherStats {
  /** Records acknowledged by the broker, directly or from the outbox. */
  published: number;
  outboxed: number;
  replayed: number;
  /** Records refused: outbox full, memory buffer full, outbox unwritable, or publish after close. */
  rejected: number;
  failedSends: number;
  outboxDepth: number;
  outboxBytes: number;
  buffered: number;
  brokerAvailable: boolean;
}

/**
 * Publishes protobuf events to their topics without ever making the caller wait for Kafka.
 *
 * `publish` encodes the message, queues it in memory and returns; one background loop sends
 * batches through an idempotent producer (acks = all). If a send fails, the batch and everything
 * queued behind it go to the on-disk outbox, and while the outbox holds records every new record
 * goes behind them, so per-key order survives an outage. The loop replays the outbox oldest
 * first and deletes records only after the broker acknowledged them. Records a previous process
 * left in the outbox are replayed after `start()`.
 */
export class EventPublisher {
  private readonly kafka: Kafka;
  private readonly logger: KafkaLogger;
  private readonly lingerMs: number;
  private readonly maxBatchRecords: number;
  private readonly maxBufferedRecords: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private outbox: DiskOutbox | undefined;
  private producer: Producer | undefined;
  /** Published, not yet taken for a send. */
  private buffer: OutboxRecord[] = [];
  /** Records taken from the buffer whose send has not completed; persisted by close() if it must give up. */
  private inFlight: OutboxRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private retryAt = 0;
  private state: 'new' | 'started' | 'closing' | 'closed' = 'new';
  private readonly rejectionLog = new ThrottledLog(5_000);
  private readonly counters = { published: 0, outboxed: 0, replayed: 0, rejected: 0, failedSends: 0 };
  /** The worker running the send loop, when offThread. */
  private readonly thread: PublisherThread | undefined;

  constructor(private readonly options: EventPublisherOptions) {
    applyKafkajsIdleTimerFix();
    this.logger = options.logger ?? defaultKafkaLogger();
    this.lingerMs = options.lingerMs ?? 100;
    this.maxBatchRecords = options.maxBatchRecords ?? 500;
    this.maxBufferedRecords = options.maxBufferedRecords ?? 50_000;
    this.retryInitialMs = options.retryInitialMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      // Few retries: a broker that stays away should send records to the outbox quickly.
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      logCreator: kafkajsLogCreator(this.logger),
    });
    if (options.offThread) {
      const { logger: _logger, offThread: _offThread, ...threadOptions } = options;
      this.thread = new PublisherThread(threadOptions, this.logger);
    }
  }

  /** Opens the outbox (replaying what it holds). Never waits for the broker. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('EventPublisher.start() called twice');
    if (this.thread) {
      await this.thread.start();
      this.state = 'started';
      for (const record of this.take()) this.enqueue(record);
      return;
    }
    this.outbox = await DiskOutbox.open({
      dir: this.options.outboxDir,
      maxBytes: this.options.outboxMaxBytes,
      maxRecords: this.options.outboxMaxRecords,
      segmentBytes: this.options.outboxSegmentBytes,
    });
    this.state = 'started';
    if (this.outbox.depth > 0) {
      this.logger.info({ outbox: this.outbox.dir, depth: this.outbox.depth }, 'replaying records left in the Kafka outbox');
    }
    this.schedule(0);
  }

  /**
   * Encodes one event and queues it for its topic; returns at once. The message type is checked
   * against the topic registry at compile time.
   */
  publish<N extends TopicName>(topic: N, message: TopicMessage<N>): void {
    if (this.state === 'closing' || this.state === 'closed') {
      this.reject(1, 'publisher is closed');
      return;
    }
    if ((this.thread ? this.thread.buffered() : this.buffer.length) >= this.maxBufferedRecords) {
      this.reject(1, 'in-memory buffer full');
      return;
    }
    const definition = topicDefinition(topic);
    const schema = definition.schema as DescMessage;
    // Encoded now, not when the batch is sent: each request pays for its own events instead of
    // one request in a hundred waiting behind a whole linger's worth of encodes.
    const value = toBinary(schema, message as MessageShape<DescMessage>);
    this.enqueue({
      topic,
      key: messageKey(topic, message),
      value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      headers: { 'content-type': PROTOBUF_CONTENT_TYPE, schema: schema.typeName, ...activeTraceHeaders() },
      timestampMs: Date.now(),
    });
  }

  /** Queues an encoded record: publish()'s second half, and what an off-thread publisher's worker is fed. */
  enqueue(record: OutboxRecord): void {
    if (this.thread && this.state !== 'new') {
      if (!this.thread.send(record)) this.reject(1, "the publisher's worker is gone");
      return;
    }
    this.buffer.push(record);
    if (this.state !== 'started') return;
    if (this.buffer.length >= this.maxBatchRecords) this.sendNow();
    else this.schedule(this.lingerMs);
  }

  /** Waits until everything published so far is acknowledged or the timeout passes; true when all were. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.thread && this.state === 'started') return this.thread.flush(timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while (!this.drained()) {
      if (Date.now() >= deadline) return false;
      if (!this.loop && Date.now() >= this.retryAt) this.sendNow();
      await sleep(Math.min(10, Math.max(1, deadline - Date.now())));
    }
    return true;
  }

  /**
   * Drains for up to `timeoutMs`, then stops. Whatever the broker has not acknowledged by then is
   * in the outbox on disk and will be replayed by the next publisher on the same directory.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.thread && this.state === 'started') {
      this.state = 'closing';
      await this.thread.close(timeoutMs);
      this.state = 'closed';
      return;
    }
    if (this.state === 'new') {
      this.state = 'closed';
      if (this.buffer.length > 0) this.reject(this.buffer.splice(0).length, 'closed before start()');
      return;
    }
    // Drain while the broker answers; once it is known to be away, the records are on disk
    // already (or about to be) and waiting longer would only delay shutdown.
    const deadline = Date.now() + timeoutMs;
    while (!this.drained() && Date.now() < deadline && !(this.consecutiveFailures > 0 && !this.loop)) {
      if (!this.loop && this.buffer.length > 0) this.kick();
      await sleep(5);
    }
    this.state = 'closing';
    clearTimeout(this.timer);
    this.timer = undefined;
    // Abort a send still in flight; the loop sees `closing` and leaves the outbox to us.
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
    await withTimeout(this.loop, 2_000);
    const unsent = [...this.inFlight, ...this.take()];
    this.inFlight = [];
    if (unsent.length > 0) await this.persist(unsent);
    this.state = 'closed';
    await this.outbox?.close();
  }

  stats(): EventPublisherStats {
    if (this.thread) {
      const worker = this.thread.stats() ?? { published: 0, outboxed: 0, replayed: 0, rejected: 0, failedSends: 0, outboxDepth: 0, outboxBytes: 0, buffered: 0, brokerAvailable: true };
      return { ...worker, rejected: worker.rejected + this.counters.rejected, buffered: this.thread.buffered() };
    }
    return {
      ...this.counters,
      outboxDepth: this.outbox?.depth ?? 0,
      outboxBytes: this.outbox?.bytes ?? 0,
      buffered: this.buffer.length + this.inFlight.length,
      brokerAvailable: this.consecutiveFailures === 0,
    };
  }

  private drained(): boolean {
    return this.buffer.length === 0 && this.inFlight.length === 0 && (this.outbox?.depth ?? 0) === 0 && !this.loop;
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'started' || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
    this.timer.unref();
  }

  /** Sends what is buffered without waiting for the linger (a full batch, or flush()). */
  private sendNow(): void {
    if (this.state !== 'started') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.kick();
  }

  private kick(): void {
    if (this.loop) return; // the running loop picks new records up before it ends
    this.loop = this.drain()
      .catch((error: unknown) => this.logger.error({ err: error }, 'Kafka publisher loop failed'))
      .finally(() => {
        this.loop = undefined;
        if (this.state !== 'started') return;
        const pending = this.buffer.length > 0 || (this.outbox?.depth ?? 0) > 0;
        if (pending) this.schedule(Math.max(0, this.retryAt - Date.now()));
      });
  }

  /** One pass: outbox first (it is older), then the memory buffer, until both are empty or the broker fails. */
  private async drain(): Promise<void> {
    const outbox = this.outbox!;
    while (this.state === 'started') {
      const brokerDown = this.consecutiveFailures > 0 && Date.now() < this.retryAt;
      if (brokerDown) {
        // Keep new records safe on disk, behind the older ones, until the next attempt.
        await this.persist(this.take());
        return;
      }
      if (outbox.depth > 0) {
        const records = await outbox.peek(this.maxBatchRecords);
        if (records.length === 0) return;
        if (!(await this.send(records))) continue;
        if (this.state !== 'started') return;
        await outbox.ack(records.length);
        this.counters.replayed += records.length;
        this.counters.published += records.length;
        continue;
      }
      if (this.buffer.length === 0) return;
      this.inFlight = this.take(this.maxBatchRecords);
      const ok = await this.send(this.inFlight);
      if (this.state !== 'started') return; // close() owns inFlight now
      if (ok) {
        this.counters.published += this.inFlight.length;
        this.inFlight = [];
      } else {
        const failed = [...this.inFlight, ...this.take()];
        this.inFlight = [];
        await this.persist(failed);
      }
    }
  }

  /** The oldest buffered records. */
  private take(count = this.buffer.length): OutboxRecord[] {
    return this.buffer.splice(0, count);
  }

  private async send(records: readonly OutboxRecord[]): Promise<boolean> {
    try {
      const producer = await this.connectedProducer();
      await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(records) });
      if (this.consecutiveFailures > 0) this.logger.info({ outboxDepth: this.outbox?.depth }, 'Kafka reachable again');
      this.consecutiveFailures = 0;
      this.retryAt = 0;
      return true;
    } catch (error) {
      this.counters.failedSends += 1;
      this.consecutiveFailures += 1;
      const backoff = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.consecutiveFailures - 1));
      this.retryAt = Date.now() + backoff;
      if (this.consecutiveFailures === 1 || this.consecutiveFailures % 20 === 0) {
        this.logger.warn(
          { err: error, records: records.length, failures: this.consecutiveFailures, retryInMs: backoff },
          'Kafka send failed; records kept in the outbox',
        );
      }
      // A fresh producer (new producer id, new sequence numbers) avoids a wedged idempotent
      // session after an uncertain failure; duplicates are harmless (consumers dedupe on event_id).
      const producer = this.producer;
      this.producer = undefined;
      await producer?.disconnect().catch(() => undefined);
      return false;
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      createPartitioner: murmur2Partitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    return producer;
  }

  private async persist(records: readonly OutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const { appended, rejected } = await this.outbox!.append(records);
      this.counters.outboxed += appended;
      if (rejected > 0) this.reject(rejected, 'outbox full');
    } catch (error) {
      this.reject(records.length, 'outbox write failed', error);
    }
  }

  private reject(count: number, reason: string, error?: unknown): void {
    this.counters.rejected += count;
    this.rejectionLog.run((suppressed) =>
      this.logger.error(
        { reason, records: count, rejectedTotal: this.counters.rejected, suppressedLogs: suppressed, outboxDepth: this.outbox?.depth, err: error },
        'Kafka events rejected; they will not be delivered',
      ),
    );
  }
}

function groupByTopic(records: readonly OutboxRecord[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    let messages = byTopic.get(record.topic);
    if (!messages) byTopic.set(record.topic, (messages = []));
    messages.push({ key: record.key, value: record.value, headers: record.headers, timestamp: String(Math.trunc(record.timestampMs)) });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
