import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface TopicCollector<T> {
  /** Every decoded event that passed the filter, in arrival order (grows while the test runs). */
  readonly events: T[];
  stop(): Promise<void>;
}

/**
 * Reads a topic from the beginning in a fresh consumer group and keeps the events a test cares
 * about. It resolves once the group has joined, so nothing sent afterwards is missed. Records
 * that are not `schema` (other specs share the topics; some write undecodable records on
 * purpose, to test dead-lettering) are skipped rather than stalling the consumer.
 */
export async function collectTopic<Desc extends DescMessage>(
  options: { brokers: string[]; topic: string; schema: Desc; groupId: string },
  keep: (event: MessageShape<Desc>) => boolean,
): Promise<TopicCollector<MessageShape<Desc>>> {
  const events: Array<MessageShape<Desc>> = [];
  const consumer: Consumer = new Kafka({ clientId: options.groupId, brokers: options.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: options.groupId });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      let event: MessageShape<Desc>;
      try {
        event = fromBinary(options.schema, message.value);
      } catch {
        return;
      }
      if (keep(event)) events.push(event);
    },
  });
  await joined;
  return { events, stop: () => consumer.disconnect() };
}
