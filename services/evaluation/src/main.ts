import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Evaluation } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { EvaluationModule } from './evaluation.module';

void runGrpcService({ service: 'evaluation', telemetry, services: [Evaluation], module: (runtime) => EvaluationModule.forRoot(runtime) });
