import { create } from '@bufbuild/protobuf';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Evaluation, ScoreResponseSchema, type RunSuiteRequest, type RunSuiteResponse, type ScoreRequest, type ScoreResponse } from '@llmops/contracts';
import { GrpcCallContext, GrpcRpc } from '@llmops/grpc';
import { SuiteRunner } from './suite-runner';

@Controller()
export class EvaluationGrpcController {
  constructor(private readonly runner: SuiteRunner) {}

  @GrpcRpc(Evaluation, 'runSuite')
  runSuite(@Payload() request: RunSuiteRequest, @Ctx() call: GrpcCallContext): Promise<RunSuiteResponse> {
    return this.runner.run(request, call.signal);
  }

  @GrpcRpc(Evaluation, 'score')
  score(@Payload() request: ScoreRequest): ScoreResponse {
    return create(ScoreResponseSchema, { scores: this.runner.score(request.output, request.expected, request.metrics) });
  }
}
