import { create } from '@bufbuild/protobuf';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  EmbeddingSchema,
  FeedbackResponseSchema,
  Gateway,
  GatewayEmbedResponseSchema,
  ListModelsResponseSchema,
  type CompleteChunk,
  type CompleteRequest,
  type CompleteResponse,
  type FeedbackRequest,
  type FeedbackResponse,
  type GatewayEmbedRequest,
  type GatewayEmbedResponse,
  type ListModelsResponse,
} from '@llmops/contracts';
import { ErrorCode, GrpcCallContext, GrpcRpc, PassThroughRpcExceptionFilter, PlatformError } from '@llmops/grpc';
import type { GatewayConfig } from '../config/gateway.config';
import { EmbeddingUseCase } from '../embedding/embedding.use-case';
import { FeedbackUseCase } from '../feedback/feedback.use-case';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { ModelCatalog } from '../models/model-catalog';
import { MAX_EMBEDDING_INPUTS } from '../openai/embedding.request';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

// In the hybrid HTTP + gRPC application Nest ignores global filters registered on the connected
// microservice, so the pass-through filter is bound here (domain errors keep their codes).
@UseFilters(new PassThroughRpcExceptionFilter())
@Controller()
export class GatewayGrpcController {
  constructor(
    private readonly completions: CompletionUseCase,
    private readonly embeddings: EmbeddingUseCase,
    private readonly feedback: FeedbackUseCase,
    private readonly models: ModelCatalog,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @GrpcRpc(Gateway, 'complete')
  complete(@Payload() request: CompleteRequest, @Ctx() call: GrpcCallContext): Promise<CompleteResponse> {
    return this.completions.complete(this.commandOf('grpc.Complete', request, call));
  }

  @GrpcRpc(Gateway, 'completeStream')
  completeStream(@Payload() request: CompleteRequest, @Ctx() call: GrpcCallContext): AsyncGenerator<CompleteChunk> {
    return this.completions.completeStream(this.commandOf('grpc.CompleteStream', request, call));
  }

  @GrpcRpc(Gateway, 'feedback')
  async recordFeedback(@Payload() request: FeedbackRequest, @Ctx() call: GrpcCallContext): Promise<FeedbackResponse> {
    const eventId = await this.feedback.record(call.header('authorization'), request);
    return create(FeedbackResponseSchema, { eventId });
  }

  @GrpcRpc(Gateway, 'listModels')
  async listModels(@Payload() _request: unknown, @Ctx() call: GrpcCallContext): Promise<ListModelsResponse> {
    this.completions.authenticate(call.header('authorization'));
    return create(ListModelsResponseSchema, { models: await this.models.list() });
  }

  @GrpcRpc(Gateway, 'embed')
  async embed(@Payload() request: GatewayEmbedRequest, @Ctx() call: GrpcCallContext): Promise<GatewayEmbedResponse> {
    checkEmbedRequest(request);
    const outcome = await this.embeddings.embed({
      endpoint: 'grpc.Embed',
      authorization: call.header('authorization'),
      model: request.model,
      inputs: request.inputs,
      ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
      user: request.user,
      deadlineMs: call.deadlineMs ?? Date.now() + this.config.defaultTimeoutMs,
      cancellation: call,
    });
    return create(GatewayEmbedResponseSchema, {
      traceId: outcome.traceId,
      model: outcome.model,
      embeddings: outcome.vectors.map((vector) => create(EmbeddingSchema, { vector })),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      costUsd: outcome.costUsd,
    });
  }

  private commandOf(endpoint: CompletionCommand['endpoint'], request: CompleteRequest, call: GrpcCallContext): CompletionCommand {
    return {
      endpoint,
      authorization: call.header('authorization'),
      request,
      stream: endpoint === 'grpc.CompleteStream',
      deadlineMs: call.deadlineMs ?? Date.now() + this.config.defaultTimeoutMs,
      cancellation: call,
    };
  }
}

/** What POST /v1/embeddings refuses with a 400 is INVALID_ARGUMENT here, naming the field. */
function checkEmbedRequest(request: GatewayEmbedRequest): void {
  const invalid = (message: string, field: string) => new PlatformError(ErrorCode.InvalidRequest, `${field}: ${message}`, { param: field });
  if (request.model.trim() === '') throw invalid('the id of an embedding model is required', 'model');
  if (request.inputs.length === 0) throw invalid('must hold at least one text', 'inputs');
  if (request.inputs.length > MAX_EMBEDDING_INPUTS) throw invalid(`at most ${MAX_EMBEDDING_INPUTS} inputs per request; got ${request.inputs.length}`, 'inputs');
  const empty = request.inputs.findIndex((text) => text === '');
  if (empty >= 0) throw invalid('must not be an empty string', `inputs[${empty}]`);
  if (request.dimensions === 0) throw invalid('must be positive when given', 'dimensions');
}
