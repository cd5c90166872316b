export { GenAiAttributes, LlmopsAttributes } from './gen-ai.attributes';
export { createJsonLogger } from './json-logger';
export { KafkaSpanExporter, toSpanEvent } from './kafka-span.exporter';
export type { SpanEventSink } from './kafka-span.exporter';
export { startTelemetry } from './telemetry';
export type { TelemetryHandle, TelemetryOptions } from './telemetry';
export {
  gatewayRequestDuration,
  gatewayRequests,
  gatewayStageDuration,
  grpcServerDuration,
  grpcServerHandled,
  metricsText,
  registerPublisherMetrics,
  serveMetrics,
  startProcessMetrics,
} from './metrics';
