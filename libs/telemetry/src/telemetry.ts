import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { KafkaSpanExporter, type SpanEventSink } from './kafka-span.exporter';

export interface TelemetryHandle {
  /** Connects the span exporter to the service's Kafka publisher once it exists. */
  attachSpanSink(sink: SpanEventSink): void;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  serviceName: string;
  /** When set, spans are also exported over OTLP/HTTP (the OpenTelemetry env var). */
  otlpEndpoint?: string;
  /** How long finished spans wait before export; small in tests. */
  exportDelayMs?: number;
}

let current: TelemetryHandle | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Call it first in main.ts, before Nest is imported, so
 * every span of the process goes through it. Idempotent per process.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryHandle {
  if (current) return current;
  const kafkaExporter = new KafkaSpanExporter();
  const delay = options.exportDelayMs ?? 500;
  const spanProcessors: SpanProcessor[] = [
    new BatchSpanProcessor(kafkaExporter, { scheduledDelayMillis: delay, maxQueueSize: 8192, maxExportBatchSize: 512 }),
  ];
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
    attachSpanSink: (sink) => kafkaExporter.attach(sink),
    shutdown: async () => {
      await sdk.shutdown();
      current = undefined;
    },
  };
  return current;
}
