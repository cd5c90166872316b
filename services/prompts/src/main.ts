import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Prompts } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { PromptsModule } from './prompts.module';

void runGrpcService({ service: 'prompts', telemetry, services: [Prompts], module: () => PromptsModule.forRoot() });
