import { Kafka } from 'kafkajs';
import { allTopicNamesWithDeadLetters, ensureTopics } from '../src';
import { brokersFromEnv, uniqueId } from './kafka-test-kit';

describe('ensureTopics against a real broker', () => {
  it('creates only missing topics, with the partitions asked for, and is idempotent', async () => {
    const brokers = brokersFromEnv();
    const extra = uniqueId('spec.ensure-topics');
    const wanted = [...allTopicNamesWithDeadLetters(), extra];

    expect(await ensureTopics(brokers, wanted, 2)).toEqual([extra]); // the global set-up made the rest
    expect(await ensureTopics(brokers, wanted, 2)).toEqual([]);

    const admin = new Kafka({ clientId: 'ensure-topics-spec', brokers, logLevel: 0 }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [extra, 'llmops.traces.v1'] });
      expect(topics.find((t) => t.name === extra)?.partitions).toHaveLength(2);
      expect(topics.find((t) => t.name === 'llmops.traces.v1')?.partitions).toHaveLength(3);
      await admin.deleteTopics({ topics: [extra] });
    } finally {
      await admin.disconnect();
    }
  });
});
