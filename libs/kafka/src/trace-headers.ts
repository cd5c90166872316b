import { context, defaultTextMapGetter, defaultTextMapSetter, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

// Kafka headers always carry W3C trace context, whatever propagator the process registered
// globally (or none), so consumers in any language can continue the trace.
const w3c = new W3CTraceContextPropagator();

/** `traceparent` (and `tracestate`) of the active OpenTelemetry context; empty when no span is active. */
export function activeTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier;
}

/** The OpenTelemetry context a consumed message was produced in, to parent the consumer's span. */
export function contextFromHeaders(headers: Record<string, string>, base: Context = context.active()): Context {
  return w3c.extract(base, headers, defaultTextMapGetter);
}
