import type { ConsumedBatch, ConsumedMessage, TopicName } from '@llmops/kafka';
import { EVENT_TOPICS, EventMappingError, type EventOf, type EventTopic, type RowOf, type TopicMapping } from '../storage/event-row.mapper';
import type { EventSink } from '../storage/event-sink';

/** A decoded event that cannot become a table row (no event_id, no time, …), with why. */
export interface UnmappableEvent {
  message: ConsumedMessage<TopicName>;
  reason: string;
}

/** Where unmappable events are parked so they do not block their partition forever. */
export interface UnmappableEventDeadLetter {
  send(topic: TopicName, events: readonly UnmappableEvent[]): Promise<void>;
}

export interface EventIngestionStats {
  written: number;
  deadLettered: number;
  /** Events handed to the sink whose insert has not completed yet (waiting for their batch's interval). */
  pending: number;
}

/**
 * One consumed batch → ClickHouse. Resolves only when every mappable event is stored and every unmappable one is in
 * the dead-letter topic, so the consumer commits after a durable outcome for the whole batch. A store failure
 * rejects, and the runner redelivers the batch; the tables absorb the repeat by event_id and dedup token.
 */
export class EventIngestionHandler {
  private readonly counters: EventIngestionStats = { written: 0, deadLettered: 0, pending: 0 };

  constructor(
    private readonly sink: Pick<EventSink, 'writeRows'>,
    private readonly deadLetter: UnmappableEventDeadLetter,
  ) {}

  async handle(batch: ConsumedBatch<TopicName>): Promise<void> {
    const topic: EventTopic = batch.topic;
    const mapping = EVENT_TOPICS[topic] as TopicMapping<EventTopic>;
    const rows: RowOf<EventTopic>[] = [];
    const unmappable: UnmappableEvent[] = [];
    for (const message of batch.messages) {
      try {
        // Mapped here, once, to sort out the poison ones: the sink would refuse the whole batch for one bad event,
        // and a handler that keeps failing stalls its partition.
        rows.push(mapping.toRow(message.value as EventOf<EventTopic>));
      } catch (error) {
        if (!(error instanceof EventMappingError)) throw error;
        unmappable.push({ message, reason: error.message });
      }
    }
    if (unmappable.length > 0) {
      await this.deadLetter.send(batch.topic, unmappable);
      this.counters.deadLettered += unmappable.length;
    }
    if (rows.length > 0) {
      this.counters.pending += rows.length;
      try {
        await this.sink.writeRows(topic, rows);
      } finally {
        this.counters.pending -= rows.length;
      }
      this.counters.written += rows.length;
    }
  }

  stats(): EventIngestionStats {
    return { ...this.counters };
  }
}
