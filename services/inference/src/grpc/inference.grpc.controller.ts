import { create } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  AttemptSchema,
  EmbedResponseSchema,
  GenerateResponseSchema,
  Inference,
  ProviderHealthResponseSchema,
  type EmbedRequest,
  type EmbedResponse,
  type GenerateChunk,
  type GenerateRequest,
  type GenerateResponse,
  type ProviderHealthResponse,
} from '@llmops/contracts';
import type { ProviderConfig } from '@llmops/config';
import { GrpcCallContext, GrpcRpc } from '@llmops/grpc';
import { GenAiAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { ModelChainError, ModelChainExecutor, type ChainAttempt, type ChainResult } from '../generation/model-chain.executor';
import { EmbeddingService } from '../generation/embedding.service';
import { toPlatformError } from './inference-error.mapping';
import { chainRequestOf, embeddingRequestOf } from './inference-request.mapping';
import { PROVIDER_CONFIGS, PROVIDER_ENV } from './inference.tokens';

function attemptsOf(attempts: ChainAttempt[]) {
  return attempts.map((attempt) =>
    create(AttemptSchema, {
      model: attempt.model,
      latencyMs: attempt.latencyMs,
      error: attempt.error ? `${attempt.error.code}: ${attempt.error.message}` : '',
      errorCode: attempt.error?.code ?? '',
      retry: attempt.retry,
      skipped: attempt.skipped ?? false,
    }),
  );
}

/** Every try on the span as an event, so the trace shows each attempt, its error and its latency. */
function recordAttempts(attempts: ChainAttempt[]): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  for (const attempt of attempts) {
    span.addEvent('llmops.inference.attempt', {
      'llmops.attempt.provider': attempt.model.provider,
      'llmops.attempt.model': attempt.model.model,
      'llmops.attempt.version': attempt.model.version,
      'llmops.attempt.latency_ms': attempt.latencyMs,
      'llmops.attempt.retry': attempt.retry,
      'llmops.attempt.skipped': attempt.skipped ?? false,
      'llmops.attempt.error_code': attempt.error?.code ?? '',
      'llmops.attempt.error': attempt.error?.message ?? '',
    });
  }
}

/** What a stream that failed after sending output had generated, for the caller to record and bill. */
function partialOf(error: unknown): GenerateResponse | undefined {
  if (!(error instanceof ModelChainError) || !error.partial) return undefined;
  const last = error.attempts[error.attempts.length - 1];
  return create(GenerateResponseSchema, {
    content: error.partial.text,
    finishReason: 'error',
    ...(last ? { model: last.model } : {}),
    responseModel: last ? last.model.version || last.model.model : '',
    usage: error.partial.usage,
    attempts: attemptsOf(error.attempts),
  });
}

function responseOf(chain: ChainResult): GenerateResponse {
  recordAttempts(chain.attempts);
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
    attempts: attemptsOf(chain.attempts),
    timeToFirstTokenMs: chain.timeToFirstTokenMs,
    toolCalls: chain.result.toolCalls,
  });
}

/** Walks the model chain for each request: the first model that answers wins. */
@Controller()
export class InferenceGrpcController {
  constructor(
    private readonly executor: ModelChainExecutor,
    private readonly embeddings: EmbeddingService,
    @Inject(PROVIDER_CONFIGS) private readonly providers: ProviderConfig[],
    @Inject(PROVIDER_ENV) private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  @GrpcRpc(Inference, 'generate')
  async generate(@Payload() request: GenerateRequest, @Ctx() call: GrpcCallContext): Promise<GenerateResponse> {
    try {
      return responseOf(await this.executor.generate(chainRequestOf(request, call)));
    } catch (error) {
      if (error instanceof ModelChainError) recordAttempts(error.attempts);
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Inference, 'generateStream')
  async *generateStream(@Payload() request: GenerateRequest, @Ctx() call: GrpcCallContext): AsyncGenerator<GenerateChunk> {
    try {
      for await (const event of this.executor.generateStream(chainRequestOf(request, call))) {
        switch (event.type) {
          case 'delta':
            yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value: event.text } };
            break;
          case 'tool_call':
            yield {
              $typeName: 'llmops.v1.GenerateChunk',
              event: {
                case: 'toolCall',
                value: {
                  $typeName: 'llmops.v1.ToolCallDelta',
                  index: event.delta.index,
                  id: event.delta.id ?? '',
                  name: event.delta.name ?? '',
                  argumentsDelta: event.delta.argumentsDelta,
                },
              },
            };
            break;
          case 'done':
            yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'done', value: responseOf(event.result) } };
            break;
        }
      }
    } catch (error) {
      if (error instanceof ModelChainError) recordAttempts(error.attempts);
      const partial = partialOf(error);
      if (partial && !call.signal.aborted) yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'partial', value: partial } };
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Inference, 'embed')
  async embed(@Payload() request: EmbedRequest, @Ctx() call: GrpcCallContext): Promise<EmbedResponse> {
    try {
      const result = await this.embeddings.embed(embeddingRequestOf(request, call));
      return create(EmbedResponseSchema, {
        embeddings: result.vectors.map((vector) => ({ vector })),
        model: request.model,
        responseModel: result.responseModel,
        usage: result.usage,
      });
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Inference, 'providerHealth')
  providerHealth(): ProviderHealthResponse {
    const breakers = this.executor.breakerStatuses();
    return create(ProviderHealthResponseSchema, {
      providers: this.providers.map((provider) => ({
        provider: provider.id,
        kind: provider.kind,
        baseUrl: provider.baseUrl ?? '',
        configured: provider.kind === 'local' || provider.apiKeyEnv === undefined || Boolean(this.env[provider.apiKeyEnv]),
        breakers: breakers
          .filter((breaker) => breaker.provider === provider.id)
          .map((breaker) => ({ model: breaker.model, state: breaker.state, consecutiveFailures: breaker.consecutiveFailures })),
      })),
    });
  }
}
