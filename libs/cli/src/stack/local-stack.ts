import { MESH_SERVICES, DEFAULT_GRPC_PORTS, envNameOfAddress, type MeshService } from '@llmops/config';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureDevApiKey } from './dev-api-key';
import { writeEndpoints, type EndpointsFile } from './endpoints-file';
import { waitUntilServing } from './health-check';

export interface LocalStackOptions {
  /** The repository root (where services/<name>/dist/main.js live). */
  repoRoot: string;
  stateDir: string;
  kafkaBrokers: string;
  /** Pick free ports instead of the defaults (tests). */
  freePorts?: boolean;
  httpPort?: number;
  /** Extra environment for every service (provider base URLs, config file...). */
  env?: Record<string, string>;
  /** Processes outlive this one (make up) or die with it (tests). */
  detached?: boolean;
  startTimeoutMs?: number;
}

export interface RunningStack {
  endpoints: EndpointsFile;
  stop(): Promise<void>;
}

/** Prometheus endpoints of `make up`: gateway 9101, guardrails 9102, ... in MESH_SERVICES order. */
const DEFAULT_METRICS_PORT = 9101;

/**
 * A port to give a service when the defaults are not wanted (tests). Chosen below Linux's
 * ephemeral range (32768+), so that no socket another process opens with port 0 can take it
 * between this check and the service binding it; never the same twice in one process.
 */
const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port found between 20000 and 32000');
}

function tailOf(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function pidFile(stateDir: string, service: string): string {
  return join(stateDir, 'run', `${service}.pid`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of services a previous `llmops up` left running from this state directory. */
export function runningServices(stateDir: string): Array<{ service: string; pid: number }> {
  return MESH_SERVICES.flatMap((service) => {
    const path = pidFile(stateDir, service);
    if (!existsSync(path)) return [];
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isInteger(pid) && isRunning(pid) ? [{ service, pid }] : [];
  });
}

export async function stopServices(stateDir: string, timeoutMs = 15_000): Promise<string[]> {
  const running = runningServices(stateDir);
  for (const { pid } of running) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && running.some(({ pid }) => isRunning(pid))) await new Promise((r) => setTimeout(r, 100));
  for (const { pid } of running) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  for (const service of MESH_SERVICES) rmSync(pidFile(stateDir, service), { force: true });
  return running.map(({ service }) => service);
}

/**
 * Starts the nine services as separate processes, waits until each answers the gRPC health
 * check, and writes `.llmops/endpoints.json`. Used by `llmops up` (make up) and the e2e tests.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningStack> {
  const stateDir = resolve(options.stateDir);
  const already = runningServices(stateDir);
  if (already.length > 0) throw new Error(`services already running from ${stateDir}: ${already.map((s) => s.service).join(', ')} (run \`llmops down\` first)`);
  mkdirSync(join(stateDir, 'run'), { recursive: true });
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const { key, keysFile } = ensureDevApiKey(stateDir);

  const addresses = {} as Record<MeshService, string>;
  for (const service of MESH_SERVICES) {
    addresses[service] = `127.0.0.1:${options.freePorts ? await freePort() : DEFAULT_GRPC_PORTS[service]}`;
  }
  const httpPort = options.httpPort ?? (options.freePorts ? await freePort() : 8080);
  const metrics = {} as Record<MeshService, string>;
  for (const [index, service] of MESH_SERVICES.entries()) {
    metrics[service] = `127.0.0.1:${options.freePorts ? await freePort() : DEFAULT_METRICS_PORT + index}`;
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_BROKERS: options.kafkaBrokers,
    LLMOPS_STATE_DIR: stateDir,
    LLMOPS_API_KEYS_FILE: keysFile,
    GATEWAY_HTTP_PORT: String(httpPort),
    EVALUATION_GATEWAY_API_KEY: key,
    ...options.env,
  };
  for (const service of MESH_SERVICES) env[envNameOfAddress(service)] = addresses[service];

  // Node flags for every service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles` (Node refuses
  // most of them in NODE_OPTIONS).
  const nodeArgs = (env['LLMOPS_SERVICE_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const children = new Map<MeshService, ChildProcess>();
  for (const service of MESH_SERVICES) {
    const entry = join(options.repoRoot, 'services', service, 'dist', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run build)`);
    const log = openSync(join(stateDir, 'logs', `${service}.log`), 'a');
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      cwd: options.repoRoot,
      env: { ...env, LLMOPS_METRICS_ADDR: metrics[service] },
      stdio: ['ignore', log, log],
      detached: options.detached ?? false,
    });
    closeSync(log);
    if (options.detached) child.unref();
    writeFileSync(pidFile(stateDir, service), String(child.pid));
    children.set(service, child);
  }

  const stop = async () => {
    await stopServices(stateDir);
  };
  try {
    await Promise.all(
      MESH_SERVICES.map((service) =>
        waitUntilServing(addresses[service], options.startTimeoutMs ?? 120_000, () => {
          const child = children.get(service);
          return child !== undefined && child.exitCode === null && child.signalCode === null;
        }).catch((error: Error) => {
          const log = join(stateDir, 'logs', `${service}.log`);
          throw new Error(`${service}: ${error.message}; the end of ${log}:\n${tailOf(log)}`);
        }),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const endpoints: EndpointsFile = {
    http: `http://127.0.0.1:${httpPort}`,
    openaiBaseUrl: `http://127.0.0.1:${httpPort}/v1`,
    grpc: addresses,
    metrics: Object.fromEntries(MESH_SERVICES.map((service) => [service, `http://${metrics[service]}/metrics`])) as Record<MeshService, string>,
    kafkaBrokers: options.kafkaBrokers,
    apiKey: key,
    stateDir,
    startedAt: new Date().toISOString(),
  };
  writeEndpoints(stateDir, endpoints);
  return { endpoints, stop };
}
