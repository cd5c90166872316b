// Imported first by main.ts: the OpenTelemetry SDK must start before Nest and gRPC load.
import { startTelemetry } from '@llmops/telemetry';

export const telemetry = startTelemetry({ serviceName: 'inference', otlpEndpoint: process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] });
