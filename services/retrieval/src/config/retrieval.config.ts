import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigValidationError, loadPlatformConfig, parseEnv, serviceAddress, type PlatformConfig } from '@llmops/config';
import { DEFAULT_EMBEDDING_MODEL_DIR, type EmbeddingModelVariant } from '@llmops/embeddings';
import { DEFAULT_CHUNKING_OPTIONS, type ChunkingOptions } from '../ingestion/markdown-chunker';

const retrievalEnvSchema = z.object({
  /** The only directory an Ingest request's `paths` may read from. */
  RETRIEVAL_INGEST_ROOT: z.string().optional(),
  /** Where deploy/local/embedding-model.sh puts the default model (used when llmops.yaml names no embedder). */
  RETRIEVAL_EMBEDDING_MODEL_DIR: z.string().optional(),
  /** ONNX Runtime threads of the local embedder (ingestion throughput scales with them on free cores). */
  RETRIEVAL_EMBEDDER_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Graph of the local model: int8 (model.int8.onnx, ~40 % less CPU per query, same hybrid
   * quality on the labelled set) or fp32 (model.onnx). Unset: int8 when installed, else fp32.
   * Vectors of the two differ slightly, so a collection keeps the one it was written with.
   */
  RETRIEVAL_EMBEDDER_PRECISION: z.enum(['int8', 'fp32']).optional(),
});

/** `auto`: int8 when deploy/local/embedding-model.sh built it, else fp32. */
export type LocalEmbedderVariant = EmbeddingModelVariant | 'auto';

export type EmbedderConfig =
  | { readonly kind: 'local'; readonly modelDir: string; readonly required: boolean; readonly threads: number; readonly variant: LocalEmbedderVariant }
  | { readonly kind: 'remote'; readonly model: string; readonly provider: string; readonly version: string; readonly dimensions?: number; readonly inferenceAddress: string }
  | { readonly kind: 'none' };

export interface CollectionConfig {
  readonly chunking: ChunkingOptions;
  readonly scoreThreshold?: number;
  readonly pii: 'off' | 'redact';
}

export interface RetrievalConfig {
  /** Embedded LanceDB directory (llmops.yaml `retrieval.data_dir`, or LLMOPS_RETRIEVAL_DATA_DIR); absolute. */
  readonly dataDir: string;
  /** Absolute, existing directory that confines `paths` in Ingest requests. */
  readonly ingestRoot: string;
  readonly embedder: EmbedderConfig;
  readonly rerank?: { readonly url: string; readonly model: string; readonly apiKey?: string };
  readonly guardrailsAddress: string;
  collection(name: string): CollectionConfig;
}

/**
 * Cosine similarity (all-MiniLM-L6-v2) under which a passage counts as unrelated. On the
 * labelled set (docs/retrieval.md) 0.25 refuses 6 of 10 unanswerable questions and none of the
 * 66 answerable ones; 0.35 refuses 8 of 10 but also 5 answerable ones. Wrongly refusing costs
 * more than passing weak context to a model that may still say it does not know.
 */
export const DEFAULT_SCORE_THRESHOLD = 0.25;

/** Parsed once at boot; fails listing what is wrong rather than on the first Ingest. */
export function loadRetrievalConfig(env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): RetrievalConfig {
  const parsed = parseEnv(retrievalEnvSchema, env, { name: 'retrieval' });
  const platform = loadPlatformConfig({ env, cwd });
  const ingestRoot = resolve(cwd, parsed.RETRIEVAL_INGEST_ROOT ?? '.');
  // Checked here so that a typo fails the start, not every later Ingest with an internal error.
  if (!statSync(ingestRoot, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigValidationError('the environment of retrieval', [
      { path: 'RETRIEVAL_INGEST_ROOT', message: `${ingestRoot} is not an existing directory` },
    ]);
  }
  const settings = platform.retrieval;
  return {
    dataDir: settings.dataDir,
    ingestRoot,
    embedder: embedderOf(settings, env, resolve(cwd, parsed.RETRIEVAL_EMBEDDING_MODEL_DIR ?? DEFAULT_EMBEDDING_MODEL_DIR), {
      threads: parsed.RETRIEVAL_EMBEDDER_THREADS,
      variant: parsed.RETRIEVAL_EMBEDDER_PRECISION ?? 'auto',
    }),
    ...(settings.rerank
      ? {
          rerank: {
            url: settings.rerank.url,
            model: settings.rerank.model,
            ...(settings.rerank.apiKeyEnv && env[settings.rerank.apiKeyEnv] ? { apiKey: env[settings.rerank.apiKeyEnv] } : {}),
          },
        }
      : {}),
    guardrailsAddress: serviceAddress('guardrails', env),
    collection: (name) => {
      const collection = settings.collections[name];
      const threshold = collection?.scoreThreshold ?? settings.scoreThreshold;
      return {
        chunking: collection
          ? { targetTokens: collection.chunkTokens, maxTokens: collection.maxTokens, overlapTokens: collection.overlapTokens }
          : DEFAULT_CHUNKING_OPTIONS,
        ...(threshold !== undefined ? { scoreThreshold: threshold } : {}),
        pii: collection?.pii ?? 'off',
      };
    },
  };
}

function embedderOf(
  settings: PlatformConfig['retrieval'],
  env: Readonly<Record<string, string | undefined>>,
  defaultModelDir: string,
  local: { readonly threads: number; readonly variant: LocalEmbedderVariant },
): EmbedderConfig {
  const embedder = settings.embedder;
  if (!embedder) return { kind: 'local', modelDir: defaultModelDir, required: false, ...local };
  if (embedder.kind === 'local') return { kind: 'local', modelDir: embedder.modelDir, required: true, ...local };
  if (embedder.kind === 'remote') {
    return { ...embedder, inferenceAddress: serviceAddress('inference', env) };
  }
  return { kind: 'none' };
}
