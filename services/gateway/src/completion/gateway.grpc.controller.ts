import { create } from '@bufbuild/protobuf';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  FeedbackResponseSchema,
  Gateway,
  ListModelsResponseSchema,
  type CompleteChunk,
  type CompleteRequest,
  type CompleteResponse,
  type FeedbackRequest,
  type FeedbackResponse,
  type ListModelsResponse,
} from '@llmops/contracts';
import { GrpcCallContext, GrpcRpc, PassThroughRpcExceptionFilter } from '@llmops/grpc';
import type { GatewayConfig } from '../config/gateway.config';
import { FeedbackUseCase } from '../feedback/feedback.use-case';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { ModelCatalog } from '../models/model-catalog';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

// In the hybrid HTTP + gRPC application Nest ignores global filters registered on the connected
// microservice, so the pass-through filter is bound here (domain errors keep their codes).
@UseFilters(new PassThroughRpcExceptionFilter())
@Controller()
export class GatewayGrpcController {
  constructor(
    private readonly completions: CompletionUseCase,
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

  private commandOf(endpoint: CompletionCommand['endpoint'], request: CompleteRequest, call: GrpcCallContext): CompletionCommand {
    return {
      endpoint,
      authorization: call.header('authorization'),
      request,
      stream: endpoint === 'grpc.CompleteStream',
      deadlineMs: call.deadlineMs ?? Date.now() + this.config.defaultTimeoutMs,
      signal: call.signal,
    };
  }
}
