import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Inference } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { InferenceModule } from './inference.module';

void runGrpcService({ service: 'inference', telemetry, services: [Inference], module: () => InferenceModule.forRoot() });
