import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { KafkaSpanProcessor, type SpanEventSink } from './kafka-span.processor';

export interface TelemetryHandle {
  /** Connects the span exporter to the service's Kafka publisher once it exists. */
  attachSpanSink(sink: SpanEventSink): void;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  serviceName: string;
  /** When set, spans are also exported over OTLP/HTTP (the OpenTelemetry env var). */
  otlpEndpoint?: string;
  /** How long finished spans wait before the OTLP export; small in tests. (Kafka gets each span as it ends.) */
  exportDelayMs?: number;
}

let current: TelemetryHandle | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Call it first in main.ts, before Nest is imported, so
 * every span of the process goes through it. Idempotent per process.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (current) return current;
  const kafkaSpans = new KafkaSpanProcessor();
  const delay = options.exportDelayMs ?? 500;
  const spanProcessors: SpanProcessor[] = [kafkaSpans];
  if (options.otlpEndpoint) {
    spanProcessors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }), {
        scheduledDelayMillis: delay,
      }),
    );
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.namespace': 'llmops' }),
    spanProcessors,
    instrumentations: [],
  });
  sdk.start();
  current = {
    attachSpanSink: (sink) => kafkaSpans.attach(sink),
    shutdown: async () => {
      await sdk.shutdown();
      current = undefined;
    },
  };
  return current;
}
