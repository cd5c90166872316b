import { Module, type DynamicModule } from '@nestjs/common';
import { Inference } from '@llmops/contracts';
import { loadPlatformConfig } from '@llmops/config';
import { CachedEmbedder, OnnxSentenceEmbedder, type TextEmbedder } from '@llmops/embeddings';
import { createGrpcClient } from '@llmops/grpc';
import type { ServiceRuntime } from '@llmops/runtime';
import { Redis } from 'ioredis';
import { BudgetAlertPublisher } from './budgets/budget-alert.publisher';
import type { BudgetStore } from './budgets/budget.store';
import { InMemoryBudgetStore } from './budgets/in-memory-budget.store';
import { RedisBudgetStore } from './budgets/redis-budget.store';
import { RedisAnswerCache } from './cache/redis-answer-cache';
import { ResponseCache } from './cache/response-cache';
import { SemanticIndex } from './cache/semantic-index';
import { HashingTextEmbedder } from './cache/text-embedder';
import { ProviderHealthMonitor } from './catalog/provider-health.monitor';
import { ConfigFileWatcher } from './config/config-file.watcher';
import { loadRoutingConfig, type RoutingConfig } from './config/routing.config';
import { RoutingEngine } from './engine/routing.engine';
import { prometheusCacheCounter } from './engine/routing.metrics';
import { RoutingGrpcController } from './grpc/routing.grpc.controller';
import { LatencyTracker } from './strategies/latency-tracker';

export interface RoutingWiring {
  engine: RoutingEngine;
  close(): Promise<void>;
}

/** Builds the engine and its ports from the environment: stores, cache, alerts, config watcher. */
export async function createRouting(runtime: Pick<ServiceRuntime, 'events' | 'logger'>, env: Readonly<Record<string, string | undefined>> = process.env): Promise<RoutingWiring> {
  const config = loadRoutingConfig(env);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
  const store: BudgetStore = redis ? new RedisBudgetStore(redis) : new InMemoryBudgetStore();
  const embedder = await cacheEmbedder(config, runtime.logger);
  const index = new SemanticIndex(await embedder.dimensions());
  const maxEntries = config.platform.cache.maxEntries;
  const inference = config.healthPollMs > 0 ? createGrpcClient(Inference, config.inferenceAddress) : undefined;
  const health = inference
    ? new ProviderHealthMonitor(() => inference.providerHealth({}, { timeoutMs: 1_000, connectTimeoutMs: 500 }), { intervalMs: config.healthPollMs, logger: runtime.logger })
    : undefined;
  health?.start();
  const engine = new RoutingEngine(config.platform, {
    cache: redis ? new RedisAnswerCache(redis, embedder, index, maxEntries) : new ResponseCache(embedder, index, maxEntries),
    budgetStore: store,
    latency: new LatencyTracker(),
    alerts: new BudgetAlertPublisher(runtime.events),
    cacheCounter: prometheusCacheCounter,
    ...(health ? { health } : {}),
  });
  const watcher = config.watchConfig
    ? new ConfigFileWatcher(config.platform.source, () => loadPlatformConfig({ env, path: config.platform.source }), (platform) => engine.reload(platform), runtime.logger)
    : undefined;
  watcher?.start();
  runtime.logger.info({ store: config.redisUrl ? 'redis' : 'in-process', watch: config.watchConfig, cache_embedder: embedder.id }, 'routing configured');
  return {
    engine,
    close: async () => {
      watcher?.stop();
      health?.stop();
      inference?.close();
      await store.close();
      await embedder.close?.();
    },
  };
}

/**
 * The semantic cache's embedder: hashed words by default (microseconds a lookup); the sentence
 * model when llmops.yaml asks for `local`, so that rewordings meet too, at milliseconds of CPU a
 * lookup; hashed words again when that model is not installed (said once in the log).
 */
async function cacheEmbedder(config: RoutingConfig, logger: ServiceRuntime['logger']): Promise<TextEmbedder> {
  if (config.platform.cache.embedder === 'lexical') return new HashingTextEmbedder();
  if (!(await OnnxSentenceEmbedder.isInstalled(config.embeddingModelDir))) {
    logger.warn({ model_dir: config.embeddingModelDir }, 'no sentence model installed (bash deploy/local/embedding-model.sh): the semantic cache compares words, not meaning');
    return new HashingTextEmbedder();
  }
  return new CachedEmbedder(await OnnxSentenceEmbedder.load({ modelDir: config.embeddingModelDir }));
}

@Module({})
export class RoutingModule {
  static forRoot(wiring: Pick<RoutingWiring, 'engine'>): DynamicModule {
    return { module: RoutingModule, controllers: [RoutingGrpcController], providers: [{ provide: RoutingEngine, useValue: wiring.engine }] };
  }
}
