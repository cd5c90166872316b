import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { BatchWriter, type ClickHouseClient, type RetryPolicy } from '@llmops/clickhouse';
import {
  EVENT_TOPICS,
  EventMappingError,
  isEventTopic,
  type EventOf,
  type EventTableRows,
  type EventTopic,
  type RowOf,
  type TopicMapping,
} from './event-row.mapper';

export interface EventSinkOptions {
  client: ClickHouseClient;
  maxBatchRows?: number;
  /**
   * 1 ms in tests; about a second in production so one insert carries many events: every insert into a MergeTree
   * table writes a new part (≈ 15–20 ms of CPU in embedded chdb, whatever its size), so the insert count, not the
   * row count, is what ingestion costs.
   */
  flushIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  onError?: (table: string, error: Error) => void;
}

const byEventId = (row: { event_id: string }) => row.event_id;

/**
 * Kafka → ClickHouse: maps each event of a topic to its table row and writes it through a BatchWriter.
 * `write` resolves only when every row of the call is stored, so the consumer commits its offsets after that and
 * a crash before it leads to redelivery, which the tables absorb by event_id.
 */
export class EventSink {
  private readonly writer: BatchWriter<EventTableRows>;

  constructor(options: EventSinkOptions) {
    this.writer = new BatchWriter<EventTableRows>({
      client: options.client,
      maxBatchRows: options.maxBatchRows,
      flushIntervalMs: options.flushIntervalMs,
      retry: options.retry,
      onError: options.onError,
      dedupKeyOf: {
        'llmops.traces': byEventId,
        'llmops.spans': byEventId,
        'llmops.usage': byEventId,
        'llmops.cost': byEventId,
        'llmops.guardrail_events': byEventId,
        'llmops.feedback': byEventId,
        'llmops.eval_results': byEventId,
        'llmops.alerts': byEventId,
      },
    });
  }

  /** Write decoded events of one topic. Throws EventMappingError, before writing anything, if one cannot be mapped. */
  async write<T extends EventTopic>(topic: T, events: readonly EventOf<T>[]): Promise<void> {
    const mapping = EVENT_TOPICS[topic] as TopicMapping<T>;
    if (!mapping) throw new EventMappingError(`no table for topic ${topic}`);
    await this.writeRows(topic, events.map((event) => mapping.toRow(event)));
  }

  /** Write rows already mapped from events of `topic` (by its EVENT_TOPICS mapping). */
  async writeRows<T extends EventTopic>(topic: T, rows: readonly RowOf<T>[]): Promise<void> {
    const mapping = EVENT_TOPICS[topic] as TopicMapping<T>;
    if (!mapping) throw new EventMappingError(`no table for topic ${topic}`);
    await this.writer.write(mapping.table, rows as unknown as EventTableRows[typeof mapping.table][]);
  }

  /** Write Kafka message values (protobuf binary) of one topic. */
  async writeEncoded(topic: string, payloads: readonly Uint8Array[]): Promise<void> {
    if (!isEventTopic(topic)) throw new EventMappingError(`no table for topic ${topic}`);
    const schema: DescMessage = EVENT_TOPICS[topic].schema;
    const events = payloads.map((payload, index) => {
      try {
        return fromBinary(schema, payload) as MessageShape<DescMessage>;
      } catch (err) {
        throw new EventMappingError(`message ${index} of ${topic} is not a valid ${schema.typeName}: ${(err as Error).message}`);
      }
    });
    await this.write(topic, events as unknown as EventOf<typeof topic>[]);
  }

  /** Insert what is pending now, without waiting for the interval; resolves when every insert in flight is done. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flush what is pending and stop accepting events. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
