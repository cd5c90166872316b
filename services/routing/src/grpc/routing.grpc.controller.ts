import { create } from '@bufbuild/protobuf';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  Routing,
  RouteDecisionSchema,
  SettleResponseSchema,
  CacheStoreResponseSchema,
  CatalogResponseSchema,
  UsageSchema,
  type CacheStoreRequest,
  type CacheStoreResponse,
  type CatalogResponse,
  type GenerationParams,
  type RequestContext,
  type RouteDecision,
  type RouteRequest,
  type SettleRequest,
  type SettleResponse,
} from '@llmops/contracts';
import { modelCapabilities, type ModelCapability } from '@llmops/config';
import { ErrorCode, GrpcRpc, PlatformError } from '@llmops/grpc';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { RoutingEngine, type GenerationParameters, type RouteCaller, type RoutingDecision } from '../engine/routing.engine';
import { toPlatformError } from './routing-error.mapping';

@Controller()
export class RoutingGrpcController {
  constructor(private readonly engine: RoutingEngine) {}

  @GrpcRpc(Routing, 'route')
  async route(@Payload() request: RouteRequest): Promise<RouteDecision> {
    const needs = request.needs.map((need) => need.toLowerCase());
    const unknown = needs.filter((need) => !(modelCapabilities as readonly string[]).includes(need));
    if (unknown.length > 0) throw new PlatformError(ErrorCode.InvalidRequest, `unknown needs ${unknown.join(', ')}; use ${modelCapabilities.join(', ')}`);
    try {
      const decision = await this.engine.route({
        caller: callerOf(request.context),
        model: request.model,
        messages: request.messages,
        params: paramsOf(request.params),
        noCache: request.noCache,
        needs: needs as ModelCapability[],
        prompt: request.prompt,
      });
      trace.getActiveSpan()?.setAttributes({
        [LlmopsAttributes.route]: decision.route,
        'llmops.route.reason': decision.reason,
        'llmops.route.rule': decision.rule ?? '',
        'llmops.route.strategy': decision.strategy,
        'llmops.experiment.arm': decision.experiment?.arm ?? '',
        'llmops.cache.status': decision.cache.status,
        'llmops.budget.action': decision.budget.action,
      });
      return toProto(decision);
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Routing, 'settle')
  async settle(@Payload() request: SettleRequest): Promise<SettleResponse> {
    try {
      const settled = await this.engine.settle({
        reservationId: request.reservationId,
        ...(request.model ? { model: request.model } : {}),
        usage: { inputTokens: request.usage?.inputTokens ?? 0, outputTokens: request.usage?.outputTokens ?? 0 },
        ...(request.costUsd !== undefined ? { costUsd: request.costUsd } : {}),
        latencyMs: request.latencyMs,
        ok: request.ok,
      });
      return create(SettleResponseSchema, settled);
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Routing, 'store')
  async store(@Payload() request: CacheStoreRequest): Promise<CacheStoreResponse> {
    if (!request.model) throw new PlatformError(ErrorCode.InvalidRequest, 'model is required: the model that produced the answer');
    const result = await this.engine.store({
      caller: { tenant: request.context?.tenantId ?? '' },
      route: request.route,
      variant: request.variant,
      prompt: request.prompt,
      messages: request.messages,
      params: paramsOf(request.params),
      noCache: request.noCache,
      answer: {
        content: request.content,
        model: { provider: request.model.provider, model: request.model.model, version: request.model.version },
        usage: { inputTokens: request.usage?.inputTokens ?? 0, outputTokens: request.usage?.outputTokens ?? 0, cachedInputTokens: request.usage?.cachedInputTokens ?? 0 },
        finishReason: request.finishReason || 'stop',
      },
    });
    return create(CacheStoreResponseSchema, result);
  }

  @GrpcRpc(Routing, 'catalog')
  catalog(): CatalogResponse {
    const { models, routes } = this.engine.catalog();
    return create(CatalogResponseSchema, {
      models: models.map((model) => ({
        id: model.id,
        provider: model.provider,
        version: model.version,
        contextWindow: model.contextWindow,
        capabilities: model.capabilities,
        tags: model.tags,
        health: model.health,
        healthReason: model.healthReason,
      })),
      routes: routes.map((route) => ({ name: route.name, chain: route.chain, strategy: route.strategy })),
    });
  }
}

function callerOf(context: RequestContext | undefined): RouteCaller {
  return {
    tenant: context?.tenantId ?? '',
    project: context?.projectId ?? '',
    user: context?.userId ?? '',
    apiKey: context?.apiKeyId ?? '',
    requestId: context?.requestId ?? '',
    tags: context?.tags ?? {},
  };
}

function paramsOf(params: GenerationParams | undefined): GenerationParameters {
  // `stop` first: docs/architecture.md, "Hot paths on Node 20".
  return {
    stop: params?.stop ?? [],
    ...(params?.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params?.topP !== undefined ? { topP: params.topP } : {}),
    ...(params?.maxTokens !== undefined ? { maxTokens: params.maxTokens } : {}),
    ...(params?.responseFormat ? { format: `${params.responseFormat}:${params.responseSchemaJson}` } : {}),
  };
}

function toProto(decision: RoutingDecision): RouteDecision {
  const { cache, budget, experiment, features } = decision;
  return create(RouteDecisionSchema, {
    route: decision.route,
    chain: decision.chain,
    reason: decision.reason,
    prompt: decision.prompt ?? '',
    retrieval: decision.retrieval !== undefined,
    collection: decision.retrieval?.collection ?? '',
    rule: decision.rule ?? '',
    strategy: decision.strategy,
    promptVersion: decision.promptVersion ?? '',
    settle: decision.settle,
    features: {
      estimatedTokens: features.estimatedTokens,
      complexity: features.complexity,
      code: features.code,
      math: features.math,
      questionType: features.questionType,
      domain: features.domain ?? '',
    },
    ...(experiment
      ? { experiment: { name: experiment.name, arm: experiment.arm, kind: experiment.kind, stickyKey: experiment.stickyKey, shadowChain: experiment.shadowChain, shadowArm: experiment.shadowArm, shadowReservationId: experiment.shadowReservationId } }
      : {}),
    cache: {
      status: cache.status,
      kind: cache.kind ?? '',
      reason: cache.reason,
      similarity: cache.similarity ?? 0,
      content: cache.answer?.content ?? '',
      ...(cache.answer ? { model: cache.answer.model, usage: create(UsageSchema, cache.answer.usage) } : {}),
      finishReason: cache.answer?.finishReason ?? '',
      storable: cache.storable,
      variant: cache.variant,
      reuseMs: cache.reuseMs,
    },
    budget: {
      action: budget.action,
      reservationId: budget.reservationId,
      reservedUsd: budget.reservedUsd,
      reservedTokens: budget.reservedTokens,
      reason: budget.reason,
      alerts: budget.alerts,
    },
  });
}
