import { ConsumerRunner, TOPIC_NAMES, type ConsumerRunnerStats, type KafkaLogger, type TopicName } from '@llmops/kafka';
import type { EventIngestionHandler } from './event-ingestion.handler';

/** More than the partitions of every event topic together (8 topics × 3 in `make up`): a worker costs nothing idle. */
const PARTITIONS_IN_HAND = 64;

export interface AnalyticsEventConsumerOptions {
  brokers: string[];
  groupId: string;
  handler: EventIngestionHandler;
  logger: KafkaLogger;
  /** Longest wait between attempts to reach Kafka at start. Default 30 s. */
  maxReconnectDelayMs?: number;
}

/**
 * Every event topic into the sink through the one ConsumerRunner. Kafka being away at start must not stop the
 * service from serving queries over what is already stored, so joining is retried in the background.
 */
export class AnalyticsEventConsumer {
  private runner: ConsumerRunner<TopicName> | undefined;
  private running: ConsumerRunner<TopicName> | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: AnalyticsEventConsumerOptions) {}

  /** Returns at once; the consumer connects, and reconnects after a failed start, in the background. */
  start(): void {
    if (this.loop) throw new Error('AnalyticsEventConsumer.start() called twice');
    this.loop = this.connectUntilRunning();
  }

  /** Resolves once the consumer group was joined and partitions assigned (tests, readiness). */
  async waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.running) {
      if (Date.now() >= deadline) throw new Error(`analytics consumer did not start within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.running.waitUntilJoined(Math.max(1, deadline - Date.now()));
  }

  /** Stops consuming; a batch in hand is finished or left uncommitted for redelivery. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    // A start still retrying an absent broker cannot be interrupted inside kafkajs; it stops itself when it ends.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    const runner = this.runner;
    this.runner = undefined;
    this.running = undefined;
    await runner?.stop();
  }

  stats(): ConsumerRunnerStats | undefined {
    return this.running?.stats();
  }

  private async connectUntilRunning(): Promise<void> {
    const { logger } = this.options;
    for (let attempt = 0; !this.stopped; attempt++) {
      const runner = new ConsumerRunner<TopicName>({
        brokers: this.options.brokers,
        clientId: 'llmops-analytics',
        groupId: this.options.groupId,
        topics: TOPIC_NAMES,
        // A new group reads everything Kafka still holds: the tables dedupe what they already have.
        fromBeginning: true,
        // Every partition of a fetch in hand at once, so the sink's next insert per table carries them all.
        partitionsConsumedConcurrently: PARTITIONS_IN_HAND,
        handler: (batch) => this.options.handler.handle(batch),
        logger,
      });
      this.runner = runner;
      try {
        await runner.start();
        if (this.stopped) {
          await runner.stop();
          return;
        }
        this.running = runner;
        logger.info({ groupId: this.options.groupId, topics: TOPIC_NAMES.length }, 'analytics consumer started');
        return;
      } catch (error) {
        this.runner = undefined;
        await runner.stop().catch(() => undefined);
        if (this.stopped) return;
        const delay = Math.min(this.options.maxReconnectDelayMs ?? 30_000, 1_000 * 2 ** attempt);
        logger.warn({ err: error, groupId: this.options.groupId, retryInMs: delay }, 'analytics consumer could not start; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
