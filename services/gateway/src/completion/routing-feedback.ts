import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  GenerateResponseSchema,
  TraceEventSchema,
  UsageSchema,
  type ChatMessage,
  type Citation,
  type CompleteRequest,
  type GenerateResponse,
  type GenerationParams,
  type RequestContext,
  type RouteDecision,
} from '@llmops/contracts';
import type { EventPublisher } from '@llmops/kafka';
import { randomBytes, randomUUID } from 'node:crypto';
import type { MeshClients } from '../mesh/mesh-clients';

/** Request tag that opts one request out of the response cache: `cache: off`. */
export const CACHE_OPT_OUT_TAG = 'cache';

/** What Route needs beyond the messages: parameters, cache opt-out and required capabilities. */
export function routeOptionsOf(request: CompleteRequest): { params?: GenerationParams; noCache: boolean; needs: string[]; prompt: string } {
  const params = request.params;
  const tools = (params?.tools.length ?? 0) > 0;
  const json = params?.responseFormat === 'json_object' || params?.responseFormat === 'json_schema';
  const optOut = ['off', 'no-store', 'false'].includes((request.tags[CACHE_OPT_OUT_TAG] ?? '').toLowerCase());
  // The spread last: docs/architecture.md, "Hot paths on Node 20".
  return {
    // Tool-calling turns depend on tool results the cache cannot see: never cached.
    noCache: optOut || tools,
    needs: [...(tools ? ['tools'] : []), ...(json ? ['json'] : [])],
    prompt: request.prompt,
    ...(params ? { params } : {}),
  };
}

export function isCacheHit(decision: RouteDecision | undefined): boolean {
  return decision?.cache?.status === 'hit';
}

/** The cached answer as if a model had just produced it (no attempts: no provider was called). */
export function cachedGeneration(decision: RouteDecision): GenerateResponse {
  const cache = decision.cache!;
  return create(GenerateResponseSchema, {
    content: cache.content,
    finishReason: cache.finishReason || 'stop',
    model: cache.model,
    usage: cache.usage ?? create(UsageSchema),
    timeToFirstTokenMs: 0,
  });
}

export interface CallOutcome {
  answer?: GenerateResponse;
  costUsd?: number;
  latencyMs: number;
  ok: boolean;
}

/**
 * What the gateway tells routing after the call: Settle (actual cost, releasing the budget
 * reservation; observed latency), Store (the answer, when the route caches), and shadow copies
 * of an experiment. Never on the critical path: each is sent without waiting, and a failure
 * only costs accuracy of a budget or a cache entry, never the answer.
 */
export class RoutingFeedback {
  constructor(
    private readonly mesh: Pick<MeshClients, 'routing' | 'inference' | 'cost'>,
    private readonly events: Pick<EventPublisher, 'publish'>,
  ) {}

  settle(decision: RouteDecision | undefined, context: RequestContext, outcome: CallOutcome): void {
    if (!decision?.settle) return;
    void this.mesh.routing
      .settle({
        context,
        reservationId: decision.budget?.reservationId ?? '',
        ...(outcome.answer?.model ? { model: outcome.answer.model } : {}),
        usage: outcome.answer?.usage ?? create(UsageSchema),
        ...(outcome.costUsd !== undefined ? { costUsd: outcome.costUsd } : {}),
        latencyMs: outcome.latencyMs,
        ok: outcome.ok,
        route: decision.route,
      })
      .catch(() => undefined);
  }

  store(decision: RouteDecision | undefined, context: RequestContext, request: CompleteRequest, content: string, answer: GenerateResponse): void {
    if (!decision?.cache?.storable || content === '' || answer.toolCalls.length > 0) return;
    void this.mesh.routing
      .store({
        context,
        route: decision.route,
        variant: decision.cache.variant,
        messages: request.messages,
        ...(request.params ? { params: request.params } : {}),
        prompt: request.prompt,
        content,
        ...(answer.model ? { model: answer.model } : {}),
        ...(answer.usage ? { usage: answer.usage } : {}),
        finishReason: answer.finishReason,
      })
      .catch(() => undefined);
  }

  /**
   * Sends a copy to the experiment's shadow chain; its answer is recorded, never returned. The
   * copy is priced like any call (its usage and cost go to Kafka under its own trace id) and
   * settles the spend reservation routing made for it.
   */
  shadow(
    decision: RouteDecision | undefined,
    input: { context: RequestContext; messages: ChatMessage[]; params: GenerationParams | undefined; passages: Citation[]; traceId: string; deadlineMs: number; endpoint: string },
  ): void {
    const experiment = decision?.experiment;
    if (!experiment || experiment.shadowChain.length === 0) return;
    const started = performance.now();
    const traceId = randomBytes(16).toString('hex');
    const shadowContext = { ...input.context, traceId };
    const record = (status: string, latencyMs: number, answer?: GenerateResponse, errorCode = '', costUsd = 0) =>
      this.events.publish(
        'llmops.traces.v1',
        create(TraceEventSchema, {
          eventId: randomUUID(),
          traceId,
          occurredAt: timestampFromMs(Date.now()),
          context: { ...input.context, traceId },
          endpoint: `shadow.${input.endpoint}`,
          route: decision!.route,
          model: answer?.model,
          usage: answer?.usage,
          costUsd,
          latencyMs,
          timeToFirstTokenMs: answer?.timeToFirstTokenMs ?? 0,
          status,
          errorCode,
          routeReason: `shadow copy of ${input.traceId} for experiment "${experiment.name}"`,
          experiment: experiment.name,
          experimentArm: experiment.shadowArm,
          shadow: true,
          shadowOf: input.traceId,
        }),
      );
    const settle = (latencyMs: number, answer?: GenerateResponse, costUsd?: number) =>
      experiment.shadowReservationId === ''
        ? Promise.resolve()
        : this.mesh.routing
            .settle({
              context: shadowContext,
              reservationId: experiment.shadowReservationId,
              ...(answer?.model ? { model: answer.model } : {}),
              usage: answer?.usage ?? create(UsageSchema),
              ...(costUsd !== undefined ? { costUsd } : {}),
              latencyMs,
              ok: answer !== undefined,
              route: decision!.route,
            })
            .then(() => undefined, () => undefined);
    void this.mesh.inference
      .generate(
        { context: shadowContext, chain: experiment.shadowChain, messages: input.messages, ...(input.params ? { params: input.params } : {}), passages: input.passages },
        { deadlineMs: input.deadlineMs },
      )
      .then(
        async (answer) => {
          const latencyMs = performance.now() - started;
          const price = await this.mesh.cost
            .price({ context: shadowContext, model: answer.model, usage: answer.usage ?? create(UsageSchema), traceId }, { timeoutMs: 5_000 })
            .catch(() => undefined);
          record('ok', latencyMs, answer, '', price?.totalCostUsd ?? 0);
          await settle(latencyMs, answer, price?.priced ? price.totalCostUsd : undefined);
        },
        async (error: unknown) => {
          const latencyMs = performance.now() - started;
          record('error', latencyMs, undefined, (error as { code?: string }).code ?? 'internal');
          await settle(latencyMs);
        },
      );
  }
}
