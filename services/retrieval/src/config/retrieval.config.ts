import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigValidationError, loadPlatformConfig, parseEnv } from '@llmops/config';

const retrievalEnvSchema = z.object({
  /** The only directory an Ingest request's `paths` may read from. */
  RETRIEVAL_INGEST_ROOT: z.string().optional(),
});

export interface RetrievalConfig {
  /** Embedded LanceDB directory (llmops.yaml `retrieval.data_dir`, or LLMOPS_RETRIEVAL_DATA_DIR); absolute. */
  readonly dataDir: string;
  /** Absolute, existing directory that confines `paths` in Ingest requests. */
  readonly ingestRoot: string;
}

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
  return { dataDir: platform.retrieval.dataDir, ingestRoot };
}
