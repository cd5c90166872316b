import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { RequestContextSchema, TraceEventSchema, type RequestContext, type TraceEvent } from '@llmops/contracts';
import type { ResolvedApiKey } from '@llmops/config';
import type { PlatformError } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { gatewayRequestDuration, gatewayRequests } from '@llmops/telemetry';
import { trace, type Span } from '@opentelemetry/api';
import { randomBytes, randomUUID } from 'node:crypto';
import type { StageRecorder } from './stage-recorder';
import { tracedError } from './traced-error';

const tracer = trace.getTracer('@llmops/gateway');

/** What one endpoint knows of its request beyond what every trace row carries. */
export type TraceFields = Partial<
  Omit<TraceEvent, '$typeName' | '$unknown' | 'eventId' | 'traceId' | 'occurredAt' | 'context' | 'endpoint' | 'latencyMs' | 'status' | 'errorCode' | 'errorMessage' | 'stages'>
>;

/**
 * The end of a gateway request, whatever the endpoint: counted and timed in the metrics, and
 * its row published to `llmops.traces.v1` with the stages it went through.
 */
export function publishRequestTrace(
  events: Pick<EventPublisher, 'publish'>,
  request: { traceId: string; context: RequestContext; endpoint: string; stages: StageRecorder },
  status: string,
  error: PlatformError | undefined,
  fields: TraceFields,
): void {
  const elapsedMs = request.stages.elapsedMs();
  gatewayRequests.inc({ endpoint: request.endpoint, outcome: error?.code ?? 'ok' });
  gatewayRequestDuration.observe({ endpoint: request.endpoint }, elapsedMs / 1000);
  events.publish(
    'llmops.traces.v1',
    // Object.assign, not { ...fields, eventId }: docs/architecture.md, "Hot paths on Node 20".
    create(TraceEventSchema, Object.assign({}, fields, {
      eventId: randomUUID(),
      traceId: request.traceId,
      occurredAt: timestampFromMs(Date.now()),
      context: request.context,
      endpoint: request.endpoint,
      latencyMs: elapsedMs,
      status,
      errorCode: error?.code ?? '',
      errorMessage: error?.message ?? '',
      stages: request.stages.stages,
    })),
  );
}

/** The OpenTelemetry trace id, so trace rows and span rows join; random when tracing is off. */
export function traceIdOfSpan(span: Span): string {
  const traceId = span.spanContext().traceId;
  return /^0+$/.test(traceId) ? randomBytes(16).toString('hex') : traceId;
}

/**
 * The context every hop of an authenticated request carries: the key's tenant and project, the
 * end user the caller named (else the key's), and the request's own ids.
 */
export function requestContextOf(
  caller: ResolvedApiKey,
  request: { traceId: string; requestId: string; user: string; tags?: { [key: string]: string } },
): RequestContext {
  return create(RequestContextSchema, {
    tenantId: caller.tenant,
    projectId: caller.project,
    userId: request.user || caller.user || '',
    apiKeyId: caller.keyId,
    requestId: request.requestId,
    traceId: request.traceId,
    ...(request.tags ? { tags: request.tags } : {}),
  });
}

/**
 * Runs one request under its root span: `draftOf` starts the trace of the request from the
 * span's trace id; a failure is handed to `fail` (which ends the span and publishes the trace)
 * and thrown again carrying the trace id.
 */
export function withRootSpan<Draft extends { readonly traceId: string }, T>(
  spanName: string,
  endpoint: string,
  draftOf: (traceId: string) => Draft,
  work: (draft: Draft) => Promise<T>,
  fail: (draft: Draft, span: Span, error: unknown) => void,
): Promise<T> {
  return tracer.startActiveSpan(spanName, { attributes: { 'llmops.endpoint': endpoint } }, async (span) => {
    const draft = draftOf(traceIdOfSpan(span));
    try {
      const result = await work(draft);
      span.end();
      return result;
    } catch (error) {
      fail(draft, span, error);
      throw tracedError(error, draft.traceId);
    }
  });
}
