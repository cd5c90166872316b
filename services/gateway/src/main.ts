import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Gateway } from '@llmops/contracts';
import { attachGrpcTransport } from '@llmops/grpc';
import { openServiceRuntime, stopOnSignals } from '@llmops/runtime';
import { createJsonLogger } from '@llmops/telemetry';
import { loadGatewayConfig } from './config/gateway.config';
import { createGatewayApp } from './gateway.app';
import { connectMeshClients, createMeshClients } from './mesh/mesh-clients';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const runtime = await openServiceRuntime('gateway', telemetry);
  // Ready means able to serve: connect to the services of the request path before accepting
  // requests (bounded: a service that stays away is reported, and reached when it comes).
  const mesh = createMeshClients(config.environment.mesh);
  const unreachable = await connectMeshClients(mesh, config.meshConnectTimeoutMs);
  if (unreachable.length > 0) runtime.logger.warn({ unreachable }, 'starting without a connection to some services');
  const app = await createGatewayApp(config, runtime.events, mesh, runtime.logger);
  const grpc = await attachGrpcTransport(app, { address: config.environment.grpcAddress, services: [Gateway] });
  await app.listen(config.httpPort, config.httpHost);
  (app.getHttpServer() as import('node:http').Server).headersTimeout = 66_000;
  stopOnSignals(runtime, telemetry, app);
  runtime.logger.info({ grpc: config.environment.grpcAddress, grpcPort: grpc.boundPort, http: `http://${config.httpHost}:${config.httpPort}` }, 'ready');
}

main().catch((error: unknown) => {
  createJsonLogger('gateway').error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'failed to start');
  process.exit(1);
});
