export { GenAiAttributes, LlmopsAttributes } from './gen-ai.attributes';
export { createJsonLogger } from './json-logger';
export { KafkaSpanProcessor, toSpanEvent } from './kafka-span.processor';
export type { SpanEventSink } from './kafka-span.processor';
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
