import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { SpanEventSchema, type SpanEvent } from '@llmops/contracts';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { randomUUID } from 'node:crypto';
import { LlmopsAttributes } from './gen-ai.attributes';

/** Where exported spans go: the service's Kafka event publisher (never blocks). */
export interface SpanEventSink {
  publishSpan(event: SpanEvent): void;
}

const MAX_PENDING = 10_000;

/**
 * Publishes every span as a `llmops.v1.SpanEvent` the moment it ends. The service's Kafka
 * publisher batches anyway, so a second batching stage (OpenTelemetry's BatchSpanProcessor)
 * would only keep whole span objects alive for its delay and convert them in one burst that
 * stalls whichever request arrives then. Telemetry starts before Nest (and so before the
 * publisher exists), so spans wait in a bounded buffer until a sink is attached; past the
 * bound the oldest are dropped and counted, never the request.
 */
export class KafkaSpanProcessor implements SpanProcessor {
  private sink: SpanEventSink | undefined;
  private pending: SpanEvent[] = [];
  dropped = 0;

  attach(sink: SpanEventSink): void {
    this.sink = sink;
    const waiting = this.pending;
    this.pending = [];
    for (const event of waiting) sink.publishSpan(event);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const event = toSpanEvent(span);
    if (this.sink) {
      this.sink.publishSpan(event);
      return;
    }
    this.pending.push(event);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.sink = undefined;
  }
}

export function toSpanEvent(span: ReadableSpan): SpanEvent {
  const context = span.spanContext();
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value === undefined) continue;
    attributes[key] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  const startMs = hrTimeToMilliseconds(span.startTime);
  return create(SpanEventSchema, {
    eventId: randomUUID(),
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: SpanKind[span.kind] ?? 'INTERNAL',
    serviceName: String(span.resource.attributes['service.name'] ?? 'unknown'),
    startTime: timestampFromMs(Math.floor(startMs)),
    durationMs: hrTimeToMilliseconds(span.duration),
    statusCode: SpanStatusCode[span.status.code] ?? 'UNSET',
    statusMessage: span.status.message ?? '',
    attributes,
    tenantId: attributes[LlmopsAttributes.tenantId] ?? '',
  });
}
