import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Gateway } from '@llmops/contracts';
import { attachGrpcTransport } from '@llmops/grpc';
import { openServiceRuntime, stopOnSignals } from '@llmops/runtime';
import { createJsonLogger } from '@llmops/telemetry';
import { loadGatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';
import { connectMeshClients, createMeshClients } from './mesh/mesh-clients';
import { OpenAiHttpExceptionFilter } from './openai/openai-http-exception.filter';

/**
 * Every request body is read as JSON whatever its content type, as OpenAI's API does; an empty
 * body is an empty object, left for request validation to explain what is missing.
 */
function parseJsonBody(_request: unknown, body: string, done: (error: Error | null, value?: unknown) => void): void {
  if (body.length === 0) return done(null, {});
  try {
    done(null, JSON.parse(body));
  } catch (error) {
    done(error as SyntaxError);
  }
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const runtime = await openServiceRuntime('gateway', telemetry);
  // Ready means able to serve: connect to the services of the request path before accepting
  // requests (bounded: a service that stays away is reported, and reached when it comes).
  const mesh = createMeshClients(config.environment.mesh);
  const unreachable = await connectMeshClients(mesh, config.meshConnectTimeoutMs);
  if (unreachable.length > 0) runtime.logger.warn({ unreachable }, 'starting without a connection to some services');
  // Fastify rather than Express: Nest on Express added 0.35–0.45 ms to every request here, more
  // than a cache hit costs inside the gateway; on Fastify about 0.1 ms (loadtest/RESULTS.md).
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    // Longer than the idle timeout of common clients and proxies, so the server is never the one
    // closing a keep-alive socket a client is about to reuse (an ECONNRESET for the client).
    keepAliveTimeout: 65_000,
  });
  adapter.getInstance().removeAllContentTypeParsers();
  adapter.getInstance().addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, runtime.events, mesh), adapter, {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new OpenAiHttpExceptionFilter(runtime.logger));
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
