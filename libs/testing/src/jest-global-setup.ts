import { availableParallelism } from 'node:os';
import { allTopicNamesWithDeadLetters } from '../../kafka/src/topic-names';
import { ensureTopics } from '../../kafka/src/ensure-topics';
import { fetchKafkaJars, killKafkaBrokerSync, startKafkaBroker, type LocalKafkaBroker } from './kafka-broker';

/** Shared with jest-global-teardown.ts, which jest runs in this same process. */
export const STARTED_BROKER = Symbol.for('llmops.testing.kafkaBroker');

/**
 * Once per jest run: a real Kafka broker for every test, with all topics (and their dead-letter
 * topics) created. Tests read its address from KAFKA_BROKERS. When the caller already set
 * KAFKA_BROKERS, that broker is used and none is started. LLMOPS_TEST_KAFKA=off skips Kafka
 * (for runs of unit specs only).
 */
export default async function globalSetup(): Promise<void> {
  // LanceDB (retrieval) reads LANCE_CPU_THREADS from the native environment, and specs only get a
  // copy of process.env, so the store's own setting (services/retrieval/src/store/lance-cpu-threads.ts)
  // cannot reach it from inside a spec; set here, the jest workers inherit it.
  process.env.LANCE_CPU_THREADS ??= String(Math.max(4, availableParallelism()));
  if (process.env.LLMOPS_TEST_KAFKA === 'off') return;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    await fetchKafkaJars();
    const broker: LocalKafkaBroker = await startKafkaBroker();
    (globalThis as Record<symbol, unknown>)[STARTED_BROKER] = broker;
    // If jest dies without running the teardown, do not leave the JVM running.
    process.once('exit', () => killKafkaBrokerSync(broker.dataDir));
    brokers = broker.brokers;
    process.env.KAFKA_BROKERS = brokers;
  }
  await ensureTopics(brokers.split(','), allTopicNamesWithDeadLetters(), 3);
}
