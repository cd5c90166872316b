import pino, { type Logger } from 'pino';
import { trace } from '@opentelemetry/api';

/** Structured JSON logs, one line each, carrying the active trace and span ids. */
export function createJsonLogger(serviceName: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service: serviceName },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.authorization', '*.apiKey', '*.api_key', 'authorization', 'apiKey'], censor: '[redacted]' },
    mixin: () => {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  });
}
