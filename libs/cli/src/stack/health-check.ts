import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';

type HealthClient = grpc.Client & {
  check(request: { service: string }, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
};

let healthConstructor: (new (address: string, credentials: grpc.ChannelCredentials) => HealthClient) | undefined;

function healthClient(address: string): HealthClient {
  if (!healthConstructor) {
    // The standard grpc.health.v1 contract, as shipped by grpc-health-check.
    const protoPath = join(require.resolve('grpc-health-check'), '..', '..', '..', 'proto', 'health', 'v1', 'health.proto');
    const definition = protoLoader.loadSync(protoPath, { enums: String });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: typeof healthConstructor } } } };
    healthConstructor = loaded.grpc.health.v1.Health;
  }
  return new (healthConstructor as NonNullable<typeof healthConstructor>)(address, grpc.credentials.createInsecure());
}

/** SERVING, NOT_SERVING, or why the check failed (unreachable, timeout...). */
export async function checkHealth(address: string, timeoutMs = 1000): Promise<string> {
  const client = healthClient(address);
  try {
    return await new Promise<string>((resolve) =>
      client.check({ service: '' }, { deadline: Date.now() + timeoutMs }, (error, response) =>
        resolve(error ? (error.code === grpc.status.UNAVAILABLE ? 'UNREACHABLE' : `ERROR ${error.details}`) : (response?.status ?? 'UNKNOWN')),
      ),
    );
  } finally {
    client.close();
  }
}

export async function waitUntilServing(address: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await checkHealth(address, 1000);
    if (last === 'SERVING') return;
    if (!isAlive()) throw new Error(`the process serving ${address} exited (last health: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${address} not serving after ${timeoutMs} ms (last health: ${last})`);
}
