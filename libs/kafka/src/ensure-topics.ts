import { Kafka, type Admin } from 'kafkajs';
import { kafkajsLogCreator, silentKafkaLogger, type KafkaLogger } from './kafka-logger';

export interface EnsureTopicsOptions {
  replicationFactor?: number;
  logger?: KafkaLogger;
  clientId?: string;
  /** How long to wait for the new topics' partition leaders. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Creates the topics that do not exist yet (existing ones are left as they are, whatever their
 * partition count) and waits until their leaders are elected. Safe to run on every start.
 * Returns the names it created.
 */
export async function ensureTopics(
  brokers: string[] | string,
  topics: readonly string[],
  partitions = 3,
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const kafka = new Kafka({
    clientId: options.clientId ?? 'llmops-ensure-topics',
    brokers: typeof brokers === 'string' ? brokers.split(',').map((b) => b.trim()).filter(Boolean) : brokers,
    logCreator: kafkajsLogCreator(options.logger ?? silentKafkaLogger),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          // kafkajs's own wait gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers
          // for a moment after creation; waitForLeaders below tolerates it.
          waitForLeaders: false,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: options.replicationFactor ?? 1 })),
        });
      } catch (error) {
        // Another process may have created some of them between listTopics and createTopics.
        const now = new Set(await admin.listTopics());
        if (missing.some((topic) => !now.has(topic))) throw error;
      }
      await waitForLeaders(admin, missing, options.timeoutMs ?? 30_000);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const ready = topics.every((name) => {
        const partitions = metadata.find((topic) => topic.name === name)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((partition) => partition.leader >= 0);
      });
      if (ready) return;
    } catch (error) {
      lastError = error; // UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE until the topic settles
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`topics ${topics.join(', ')} have no partition leaders after ${timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
