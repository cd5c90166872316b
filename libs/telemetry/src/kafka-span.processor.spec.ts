import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SpanEvent } from '@llmops/contracts';
import { LlmopsAttributes } from './gen-ai.attributes';
import { KafkaSpanProcessor } from './kafka-span.processor';

function tracerWith(processor: KafkaSpanProcessor) {
  return new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('spec');
}

describe('KafkaSpanProcessor', () => {
  it('publishes each span as it ends, with its parent, status and attributes', () => {
    const processor = new KafkaSpanProcessor();
    const published: SpanEvent[] = [];
    processor.attach({ publishSpan: (event) => published.push(event) });
    const tracer = tracerWith(processor);
    const root = tracer.startSpan('gateway.request');
    {
      const child = tracer.startSpan('routing.Route', {}, trace.setSpan(ROOT_CONTEXT, root));
      child.setAttribute(LlmopsAttributes.tenantId, 'acme');
      child.setAttribute('llmops.tags', ['a', 'b'] as unknown as string);
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'no route' });
      expect(published).toHaveLength(0);
      child.end();
      expect(published).toHaveLength(1);
      root.end();
    }
    const [childEvent, rootEvent] = published;
    expect(childEvent).toMatchObject({ name: 'routing.Route', parentSpanId: rootEvent!.spanId, traceId: rootEvent!.traceId, statusCode: 'ERROR', statusMessage: 'no route', tenantId: 'acme' });
    expect(childEvent!.attributes['llmops.tags']).toBe('["a","b"]');
    expect(rootEvent!.parentSpanId).toBe('');
    expect(childEvent!.eventId).not.toBe(rootEvent!.eventId);
  });

  it('keeps spans that end before a sink exists, up to a bound, and delivers them in order', () => {
    const processor = new KafkaSpanProcessor();
    const tracer = tracerWith(processor);
    for (let i = 0; i < 10_005; i++) tracer.startSpan(`early-${i}`).end();
    expect(processor.dropped).toBe(5);
    const published: SpanEvent[] = [];
    processor.attach({ publishSpan: (event) => published.push(event) });
    expect(published).toHaveLength(10_000);
    expect(published[0]!.name).toBe('early-5');
    expect(published.at(-1)!.name).toBe('early-10004');
  });
});
