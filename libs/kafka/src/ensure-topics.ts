import { Kafka } from 'kafkajs';
import { kafkajsLogCreator, silentKafkaLogger, type KafkaLogger } from './kafka-logger';

export interface EnsureTopicsOptions {
  replicationFactor?: number;
  logger?: KafkaLogger;
  clientId?: string;
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
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: options.replicationFactor ?? 1 })),
        });
      } catch (error) {
        // Another process may have created some of them between listTopics and createTopics.
        const now = new Set(await admin.listTopics());
        if (missing.some((topic) => !now.has(topic))) throw error;
      }
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
