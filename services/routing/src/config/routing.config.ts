import { resolve } from 'node:path';
import { z } from 'zod';
import { envBoolean, loadPlatformConfig, parseEnv, serviceAddress, type PlatformConfig } from '@llmops/config';
import { DEFAULT_EMBEDDING_MODEL_DIR } from '@llmops/embeddings';

const routingEnvSchema = z.object({
  /** Shared store for budgets and rate limits across replicas; unset: in-process (one replica). */
  LLMOPS_ROUTING_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Reload llmops.yaml when it changes. */
  LLMOPS_ROUTING_WATCH_CONFIG: envBoolean().default(true),
  /** How often model health is read from inference (breakers, missing keys); 0 turns it off. */
  LLMOPS_ROUTING_HEALTH_POLL_MS: z.coerce.number().int().min(0).default(2000),
  /** The sentence model of the semantic cache (`cache.embedder: local`). */
  LLMOPS_ROUTING_EMBEDDING_MODEL_DIR: z.string().optional(),
});

export interface RoutingConfig {
  platform: PlatformConfig;
  redisUrl?: string;
  watchConfig: boolean;
  /** Absolute. */
  embeddingModelDir: string;
  healthPollMs: number;
  inferenceAddress: string;
}

export function loadRoutingConfig(env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): RoutingConfig {
  const parsed = parseEnv(routingEnvSchema, env, { name: 'routing' });
  return {
    platform: loadPlatformConfig({ env }),
    ...(parsed.LLMOPS_ROUTING_REDIS_URL ? { redisUrl: parsed.LLMOPS_ROUTING_REDIS_URL } : {}),
    watchConfig: parsed.LLMOPS_ROUTING_WATCH_CONFIG,
    embeddingModelDir: resolve(cwd, parsed.LLMOPS_ROUTING_EMBEDDING_MODEL_DIR ?? DEFAULT_EMBEDDING_MODEL_DIR),
    healthPollMs: parsed.LLMOPS_ROUTING_HEALTH_POLL_MS,
    inferenceAddress: serviceAddress('inference', env),
  };
}
