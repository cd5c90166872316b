import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { toHttpError } from './openai-error.mapping';

/**
 * Errors that never reached a handler, answered the OpenAI way instead of with Nest's default
 * body: a body too large or not JSON, an unknown URL. The handlers map their own errors.
 */
@Catch()
export class OpenAiHttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Pick<Logger, 'error'>) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    const tooLarge = exception instanceof HttpException && exception.getStatus() === 413;
    const { status, body } = toHttpError(this.platformErrorOf(exception, request));
    // The body says only "the server had an error"; what it was goes to the log (message only).
    if (status >= 500) this.logger.error({ err: { message: exception instanceof Error ? exception.message : String(exception) }, url: request.url.split('?')[0] }, 'request failed before a handler');
    reply.status(tooLarge ? 413 : status).send(body);
  }

  /** Nest hands Fastify's own errors (body limit, bad framing) over as HttpExceptions with their status. */
  private platformErrorOf(exception: unknown, request: FastifyRequest): unknown {
    if (exception instanceof SyntaxError) {
      return new PlatformError(ErrorCode.InvalidRequest, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)");
    }
    if (!(exception instanceof HttpException)) return exception;
    const status = exception.getStatus();
    if (status === 413) return new PlatformError(ErrorCode.InputTooLarge, 'The request body is too large.');
    if (status === 404) return new PlatformError(ErrorCode.NotFound, `Unknown request URL: ${request.method} ${request.url.split('?')[0]}.`);
    if (status >= 400 && status < 500) return new PlatformError(ErrorCode.InvalidRequest, exception.message);
    return exception;
  }
}
