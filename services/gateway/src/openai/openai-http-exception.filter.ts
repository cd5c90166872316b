import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { traceIdOfError } from '../completion/traced-error';
import { toHttpError } from './openai-error.mapping';

/**
 * A request refused before its handler ran (body not JSON, too large), offered to the endpoint's
 * use-case to authenticate and trace; it rejects with the error to answer with. Undefined when
 * the URL is not one whose requests are traced.
 */
export type RefusalTracer = (request: FastifyRequest, error: PlatformError) => Promise<never> | undefined;

/**
 * Errors that never reached a handler, answered the OpenAI way instead of with Nest's default
 * body: a body too large or not JSON, an unknown URL. The handlers map their own errors.
 */
@Catch()
export class OpenAiHttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Pick<Logger, 'error'>,
    private readonly traceRefusal: RefusalTracer = () => undefined,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    const error = this.platformErrorOf(exception, request);
    const tooLarge = exception instanceof HttpException && exception.getStatus() === 413;
    const traced = error instanceof PlatformError && toHttpError(error).status < 500 ? this.traceRefusal(request, error) : undefined;
    if (!traced) return this.send(reply, request, exception, error, tooLarge);
    // Authenticated and traced first: a bad key answers 401, as it would with a readable body.
    traced.catch((answer: unknown) => this.send(reply, request, exception, answer, tooLarge && PlatformError.from(answer).code === ErrorCode.InputTooLarge));
  }

  private send(reply: FastifyReply, request: FastifyRequest, exception: unknown, error: unknown, tooLarge: boolean): void {
    const { status, body } = toHttpError(error);
    // The body says only "the server had an error"; what it was goes to the log (message only).
    if (status >= 500) this.logger.error({ err: { message: exception instanceof Error ? exception.message : String(exception) }, url: request.url.split('?')[0] }, 'request failed before a handler');
    const traceId = traceIdOfError(error);
    if (traceId) reply.header('x-llmops-trace-id', traceId);
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
