import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import type { ServiceRuntime } from '@llmops/runtime';
import { GuardrailEngine } from './checks/guardrail.engine';
import { GuardrailsGrpcController } from './grpc/guardrails.grpc.controller';
import { GUARDRAIL_EVENTS } from './grpc/guardrails.tokens';

@Module({})
export class GuardrailsModule {
  static forRoot(runtime: Pick<ServiceRuntime, 'events'>, env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    return {
      module: GuardrailsModule,
      controllers: [GuardrailsGrpcController],
      providers: [
        { provide: GuardrailEngine, useValue: GuardrailEngine.fromConfig(platform.guardrails) },
        { provide: GUARDRAIL_EVENTS, useValue: runtime.events },
      ],
    };
  }
}
