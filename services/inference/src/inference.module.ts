import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig, parseEnv } from '@llmops/config';
import { z } from 'zod';
import { ModelChainExecutor } from './generation/model-chain.executor';
import { InferenceGrpcController } from './grpc/inference.grpc.controller';
import { PROVIDER_CONFIGS } from './grpc/inference.tokens';
import { buildProviderRegistry } from './providers/provider.registry';
import { TokenCounter } from './providers/token-counter';

const inferenceEnvSchema = z.object({
  INFERENCE_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});

@Module({})
export class InferenceModule {
  static forRoot(env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    const settings = parseEnv(inferenceEnvSchema, env, { name: 'inference' });
    // Tokenizer tables take ~0.5 s to build: pay it at boot, not on the first request.
    new TokenCounter().preload();
    const registry = buildProviderRegistry(platform.providers, env, settings.INFERENCE_ATTEMPT_TIMEOUT_MS);
    return {
      module: InferenceModule,
      controllers: [InferenceGrpcController],
      providers: [
        { provide: ModelChainExecutor, useValue: new ModelChainExecutor(registry, { attemptTimeoutMs: settings.INFERENCE_ATTEMPT_TIMEOUT_MS }) },
        { provide: PROVIDER_CONFIGS, useValue: platform.providers },
      ],
    };
  }
}
