import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventPublisher } from '@llmops/kafka';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config/gateway.config';
import { CompletionUseCase } from './completion/completion.use-case';
import { EmbeddingUseCase } from './embedding/embedding.use-case';
import { GatewayModule } from './gateway.module';
import type { MeshClients } from './mesh/mesh-clients';
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

/** The gateway's HTTP application, not yet listening: the process and the tests serve the same one. */
export async function createGatewayApp(config: GatewayConfig, events: EventPublisher, mesh: MeshClients, logger: Pick<Logger, 'error'>): Promise<NestFastifyApplication> {
  // Fastify rather than Express: Nest on Express added 0.35–0.45 ms to every request here, more
  // than a cache hit costs inside the gateway; on Fastify about 0.1 ms (loadtest/RESULTS.md).
  // Fastify is held at ≥ 5.12.8 (package.json overrides): 5.11's body parser wrapped each request
  // in AsyncResource.bind, whose deprecated property kept every request alive through the next
  // scavenge (≈ 3 MB copied per scavenge; loadtest/RESULTS.md, 2026-11-28 evening).
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    // Longer than the idle timeout of common clients and proxies, so the server is never the one
    // closing a keep-alive socket a client is about to reuse (an ECONNRESET for the client).
    keepAliveTimeout: 65_000,
  });
  adapter.getInstance().removeAllContentTypeParsers();
  adapter.getInstance().addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, events, mesh), adapter, {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  const completions = app.get(CompletionUseCase);
  const embeddings = app.get(EmbeddingUseCase);
  app.useGlobalFilters(
    new OpenAiHttpExceptionFilter(logger, (request, error) => {
      if (request.method !== 'POST') return undefined;
      const path = request.url.split('?')[0];
      const authorization = request.headers.authorization;
      if (path === '/v1/chat/completions') return completions.reject({ endpoint: 'http.chat.completions', authorization }, error);
      if (path === '/v1/embeddings') return embeddings.reject({ authorization }, error);
      return undefined;
    }),
  );
  return app;
}
