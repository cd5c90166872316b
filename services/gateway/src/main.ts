import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Gateway } from '@llmops/contracts';
import { attachGrpcTransport } from '@llmops/grpc';
import { openServiceRuntime, stopOnSignals } from '@llmops/runtime';
import { createJsonLogger } from '@llmops/telemetry';
import { json, type NextFunction, type Request, type Response } from 'express';
import { loadGatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';
import { connectMeshClients, createMeshClients } from './mesh/mesh-clients';
import { toHttpError } from './openai/openai-error.mapping';
import { ErrorCode, PlatformError } from '@llmops/grpc';

/** Body-parser failures answered the OpenAI way instead of with Nest's default page. */
function bodyErrorHandler(error: { type?: string; status?: number } | undefined, _request: Request, response: Response, next: NextFunction): void {
  if (!error) return next();
  const tooLarge = error.type === 'entity.too.large';
  const platformError = tooLarge
    ? new PlatformError(ErrorCode.InputTooLarge, 'The request body is too large.')
    : new PlatformError(ErrorCode.InvalidRequest, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)');
  const { status, body } = toHttpError(platformError);
  response.status(tooLarge ? 413 : status).json(body);
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const runtime = await openServiceRuntime('gateway', telemetry);
  // Ready means able to serve: connect to the services of the request path before accepting
  // requests (bounded: a service that stays away is reported, and reached when it comes).
  const mesh = createMeshClients(config.environment.mesh);
  const unreachable = await connectMeshClients(mesh, config.meshConnectTimeoutMs);
  if (unreachable.length > 0) runtime.logger.warn({ unreachable }, 'starting without a connection to some services');
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, runtime.events, mesh), {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  app.use(json({ limit: config.maxBodyBytes, type: () => true }));
  app.use(bodyErrorHandler);
  app.disable('x-powered-by');
  const grpc = await attachGrpcTransport(app, { address: config.environment.grpcAddress, services: [Gateway] });
  await app.listen(config.httpPort, config.httpHost);
  // Longer than the idle timeout of common clients and proxies, so the server is never the one
  // closing a keep-alive socket a client is about to reuse (an ECONNRESET for the client).
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  stopOnSignals(runtime, telemetry, app);
  runtime.logger.info({ grpc: config.environment.grpcAddress, grpcPort: grpc.boundPort, http: `http://${config.httpHost}:${config.httpPort}` }, 'ready');
}

main().catch((error: unknown) => {
  createJsonLogger('gateway').error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'failed to start');
  process.exit(1);
});
