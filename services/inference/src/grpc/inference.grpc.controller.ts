import { create } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AttemptSchema,
  GenerateResponseSchema,
  Inference,
  ProviderHealthResponseSchema,
  type GenerateChunk,
  type GenerateRequest,
  type GenerateResponse,
  type ProviderHealthResponse,
} from '@llmops/contracts';
import type { ProviderConfig } from '@llmops/config';
import { ErrorCode, GrpcCallContext, GrpcRpc, PlatformError } from '@llmops/grpc';
import { GenAiAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { ModelChainExecutor, type ChainRequest, type ChainResult } from '../generation/model-chain.executor';
import { toPlatformError } from './inference-error.mapping';
import { PROVIDER_CONFIGS } from './inference.tokens';

function chainRequestOf(request: GenerateRequest, call: GrpcCallContext): ChainRequest {
  if (request.chain.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, 'chain must name at least one model');
  const params = request.params;
  return {
    chain: request.chain.map((model) => ({ provider: model.provider, model: model.model, version: model.version })),
    request: {
      messages: request.messages.map((message) => ({ role: message.role, content: message.content, ...(message.name ? { name: message.name } : {}) })),
      ...(params?.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params?.topP !== undefined ? { topP: params.topP } : {}),
      ...(params?.maxTokens !== undefined ? { maxTokens: params.maxTokens } : {}),
      ...(params && params.stop.length > 0 ? { stop: params.stop } : {}),
      passages: request.passages.map((passage) => ({ index: passage.index, source: passage.source, section: passage.section, text: passage.snippet })),
    },
    ...(call.deadlineMs !== undefined ? { deadlineMs: call.deadlineMs } : {}),
    signal: call.signal,
  };
}

function responseOf(chain: ChainResult): GenerateResponse {
  const span = trace.getActiveSpan();
  span?.setAttributes({
    [GenAiAttributes.operationName]: 'chat',
    [GenAiAttributes.providerName]: chain.model.provider,
    [GenAiAttributes.requestModel]: chain.model.version || chain.model.model,
    [GenAiAttributes.responseModel]: chain.result.responseModel,
    [GenAiAttributes.inputTokens]: chain.result.usage.inputTokens,
    [GenAiAttributes.outputTokens]: chain.result.usage.outputTokens,
    [GenAiAttributes.responseFinishReasons]: [chain.result.finishReason],
    'llmops.inference.attempts': chain.attempts.length,
  });
  return create(GenerateResponseSchema, {
    content: chain.result.content,
    finishReason: chain.result.finishReason,
    model: chain.model,
    responseModel: chain.result.responseModel,
    usage: chain.result.usage,
    attempts: chain.attempts.map((attempt) =>
      create(AttemptSchema, { model: attempt.model, latencyMs: attempt.latencyMs, error: attempt.error ? `${attempt.error.code}: ${attempt.error.message}` : '' }),
    ),
    timeToFirstTokenMs: chain.timeToFirstTokenMs,
  });
}

/** Walks the model chain for each request: the first model that answers wins. */
@Controller()
export class InferenceGrpcController {
  constructor(
    private readonly executor: ModelChainExecutor,
    @Inject(PROVIDER_CONFIGS) private readonly providers: ProviderConfig[],
  ) {}

  @GrpcRpc(Inference, 'generate')
  async generate(@Payload() request: GenerateRequest, @Ctx() call: GrpcCallContext): Promise<GenerateResponse> {
    try {
      return responseOf(await this.executor.generate(chainRequestOf(request, call)));
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Inference, 'generateStream')
  async *generateStream(@Payload() request: GenerateRequest, @Ctx() call: GrpcCallContext): AsyncGenerator<GenerateChunk> {
    try {
      for await (const event of this.executor.generateStream(chainRequestOf(request, call))) {
        if (event.type === 'delta') yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value: event.text } };
        else yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'done', value: responseOf(event.result) } };
      }
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Inference, 'providerHealth')
  providerHealth(): ProviderHealthResponse {
    return create(ProviderHealthResponseSchema, {
      providers: this.providers.map((provider) => ({
        provider: provider.id,
        kind: provider.kind,
        baseUrl: provider.baseUrl ?? '',
        configured: provider.kind === 'local' || provider.apiKeyEnv === undefined || Boolean(process.env[provider.apiKeyEnv]),
      })),
    });
  }
}
