import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { deadLetterTopicName, murmur2Partitioner, topicDefinition, type TopicName } from '@llmops/kafka';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { UnmappableEvent, UnmappableEventDeadLetter } from './event-ingestion.handler';

/**
 * Sends events the sink cannot store to `<topic>.dlq`, re-encoded as they were decoded, with the headers the
 * ConsumerRunner gives its own dead letters, so one tool can inspect and replay both.
 */
export class KafkaDeadLetterProducer implements UnmappableEventDeadLetter {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;

  constructor(
    brokers: string[],
    private readonly consumerGroup: string,
  ) {
    this.kafka = new Kafka({ clientId: 'llmops-analytics-dlq', brokers, logLevel: logLevel.NOTHING });
  }

  async send(topic: TopicName, events: readonly UnmappableEvent[]): Promise<void> {
    const schema = topicDefinition(topic).schema as DescMessage;
    const producer = await this.connected();
    await producer.send({
      topic: deadLetterTopicName(topic),
      acks: -1,
      messages: events.map(({ message, reason }) => ({
        key: message.key,
        value: Buffer.from(toBinary(schema, message.value as MessageShape<DescMessage>)),
        timestamp: String(message.timestampMs),
        headers: {
          ...message.headers,
          'dlq-reason': reason,
          'dlq-source-topic': topic,
          'dlq-source-partition': String(message.partition),
          'dlq-source-offset': message.offset,
          'dlq-consumer-group': this.consumerGroup,
        },
      })),
    });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ createPartitioner: murmur2Partitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      const connecting = producer.connect().then(() => producer);
      this.producer = connecting;
      // A failed connect is retried by the next send (the runner retries the batch).
      connecting.catch(() => {
        if (this.producer === connecting) this.producer = undefined;
      });
    }
    return this.producer;
  }
}
