import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import { DEFAULT_EMBEDDING_MODEL_DIR } from '@llmops/embeddings';
import { resolve } from 'node:path';
import { EmbeddingService } from './generation/embedding.service';
import { ModelChainExecutor } from './generation/model-chain.executor';
import { DEFAULT_RESILIENCE, ModelPolicies } from './generation/model-policies';
import { InferenceGrpcController } from './grpc/inference.grpc.controller';
import { PROVIDER_CONFIGS, PROVIDER_ENV } from './grpc/inference.tokens';
import { buildProviderRegistry } from './providers/provider.registry';
import { TokenCounter } from './providers/token-counter';

@Module({})
export class InferenceModule {
  static forRoot(env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    // Tokenizer tables take ~0.5 s to build: pay it at boot, not on the first request.
    const tokens = new TokenCounter();
    tokens.preload();
    // The local sentence model, where deploy/local/embedding-model.sh installs it (relative to the working directory).
    const embeddingModelDir = resolve(env['LLMOPS_INFERENCE_EMBEDDING_MODEL_DIR'] ?? DEFAULT_EMBEDDING_MODEL_DIR);
    const registry = buildProviderRegistry(platform.providers, env, tokens, embeddingModelDir);
    const resilience = new Map(platform.providers.map((provider) => [provider.id, provider.resilience]));
    const policies = new ModelPolicies((providerId) => resilience.get(providerId) ?? DEFAULT_RESILIENCE);
    // Chains name models by id and pinned version; either finds the context window.
    const windows = new Map<string, number>();
    for (const model of platform.models) {
      windows.set(`${model.provider}\u0000${model.id}`, model.contextWindow);
      windows.set(`${model.provider}\u0000${model.version}`, model.contextWindow);
    }
    const executor = new ModelChainExecutor(registry, {
      policies,
      contextWindowOf: (model) => windows.get(`${model.provider}\u0000${model.model}`) ?? windows.get(`${model.provider}\u0000${model.version}`),
    });
    return {
      module: InferenceModule,
      controllers: [InferenceGrpcController],
      providers: [
        { provide: ModelChainExecutor, useValue: executor },
        { provide: EmbeddingService, useValue: new EmbeddingService(registry, policies) },
        { provide: PROVIDER_CONFIGS, useValue: platform.providers },
        { provide: PROVIDER_ENV, useValue: env },
      ],
    };
  }
}
