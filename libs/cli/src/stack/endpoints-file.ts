import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MeshService } from '@llmops/config';

/** What `llmops up` writes so scripts and people find the platform without reading logs. */
export interface EndpointsFile {
  http: string;
  openaiBaseUrl: string;
  grpc: Record<MeshService, string>;
  /** Prometheus scrape URLs, one per service (the gateway also serves /metrics on its HTTP port). */
  metrics: Record<MeshService, string>;
  kafkaBrokers: string;
  apiKey: string;
  stateDir: string;
  startedAt: string;
}

export function endpointsPath(stateDir: string): string {
  return join(stateDir, 'endpoints.json');
}

export function writeEndpoints(stateDir: string, endpoints: EndpointsFile): void {
  const path = endpointsPath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
}

export function readEndpoints(stateDir: string): EndpointsFile | undefined {
  const path = endpointsPath(stateDir);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as EndpointsFile;
}
