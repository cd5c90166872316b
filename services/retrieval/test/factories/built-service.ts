import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { createGrpcClient, type GrpcClient } from '@llmops/grpc';

export interface BuiltService<S extends DescService> {
  readonly client: GrpcClient<S>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts another service of the mesh from its built dist/ in a process of its own (services never
 * import each other, tests included), on free ports, and returns a connected client.
 */
export async function startBuiltService<S extends DescService>(
  name: 'inference' | 'guardrails',
  service: S,
  env: Record<string, string>,
  cwd: string,
): Promise<BuiltService<S>> {
  const main = resolve(__dirname, `../../../${name}/dist/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b tsconfig.build.json)`);
  const address = `127.0.0.1:${await freePort()}`;
  let stderr = '';
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd,
    env: {
      ...process.env,
      [`LLMOPS_${name.toUpperCase()}_ADDR`]: address,
      LLMOPS_METRICS_ADDR: `127.0.0.1:${await freePort()}`,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const client = createGrpcClient(service, address);
  await client.waitForReady(Date.now() + 30_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${String(error)}\n${stderr}`);
  });
  return {
    client,
    stop: async () => {
      client.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
