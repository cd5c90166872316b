import { Module, type DynamicModule } from '@nestjs/common';
import { Gateway } from '@llmops/contracts';
import { parseEnv } from '@llmops/config';
import { createGrpcClient } from '@llmops/grpc';
import type { ServiceRuntime } from '@llmops/runtime';
import { z } from 'zod';
import { EvaluationGrpcController } from './suite/evaluation.grpc.controller';
import { SuiteRunner } from './suite/suite-runner';

const evaluationEnvSchema = z.object({
  EVALUATION_GATEWAY_API_KEY: z.string().default(''),
  EVALUATION_TENANT: z.string().default('default'),
  EVALUATION_DATASET_ROOT: z.string().default(process.cwd()),
  EVALUATION_CASE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});

@Module({})
export class EvaluationModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const env = parseEnv(evaluationEnvSchema, process.env, { name: 'evaluation' });
    const gateway = createGrpcClient(Gateway, runtime.environment.mesh.gateway);
    const runner = new SuiteRunner(gateway, runtime.events, {
      defaultApiKey: env.EVALUATION_GATEWAY_API_KEY,
      tenantId: env.EVALUATION_TENANT,
      datasetRoot: env.EVALUATION_DATASET_ROOT,
      caseTimeoutMs: env.EVALUATION_CASE_TIMEOUT_MS,
    });
    return { module: EvaluationModule, controllers: [EvaluationGrpcController], providers: [{ provide: SuiteRunner, useValue: runner }] };
  }
}
