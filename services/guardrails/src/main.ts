import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Guardrails } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { GuardrailsModule } from './guardrails.module';

void runGrpcService({ service: 'guardrails', telemetry, services: [Guardrails], module: (runtime) => GuardrailsModule.forRoot(runtime) });
