import { serviceAddressBook, type MeshService } from '@llmops/config';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readEndpoints } from '../stack/endpoints-file';

/** Where the CLI finds the platform: .llmops/endpoints.json, then the environment. */
export interface CliTarget {
  repoRoot: string;
  stateDir: string;
  addresses: Record<MeshService, string>;
  apiKey: string;
  kafkaBrokers: string;
}

export function findRepoRoot(start = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'llmops.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

export function resolveTarget(): CliTarget {
  const repoRoot = findRepoRoot();
  const stateDir = resolve(process.env['LLMOPS_STATE_DIR'] ?? join(repoRoot, '.llmops'));
  const endpoints = readEndpoints(stateDir);
  const fromEnv = serviceAddressBook(process.env);
  return {
    repoRoot,
    stateDir,
    addresses: endpoints?.grpc ?? fromEnv,
    apiKey: process.env['LLMOPS_API_KEY'] ?? endpoints?.apiKey ?? '',
    kafkaBrokers: process.env['KAFKA_BROKERS'] ?? endpoints?.kafkaBrokers ?? '127.0.0.1:9092',
  };
}
