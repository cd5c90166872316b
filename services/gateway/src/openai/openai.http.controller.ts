import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LazyAbortController } from '@llmops/grpc';
import { CompletionUseCase } from '../completion/completion.use-case';
import { EmbeddingUseCase } from '../embedding/embedding.use-case';
import { FeedbackUseCase } from '../feedback/feedback.use-case';
import { ModelCatalog } from '../models/model-catalog';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import type { GatewayConfig } from '../config/gateway.config';
import { parseChatCompletionRequest, toCompleteRequest, type ChatCompletionRequest } from './chat-completion.request';
import { toChatCompletion, toChunk, toFinalChunk, toToolCallDelta, toUsageChunk } from './chat-completion.response';
import { parseEmbeddingRequest, type EmbeddingRequest } from './embedding.request';
import { toEmbeddingList } from './embedding.response';
import { traceIdOfError } from '../completion/traced-error';
import { toHttpError } from './openai-error.mapping';
import { feedbackRequestOf } from './feedback.request';

/** The model and user a refused body named are traced cut to this length. */
const MAX_ECHOED_CHARS = 256;
/** A caller may shorten its deadline with this header (milliseconds). */
const TIMEOUT_HEADER = 'x-llmops-timeout-ms';

/** The OpenAI-compatible HTTP surface. Each handler converts, calls one use-case, converts back. */
@Controller('v1')
export class OpenAiHttpController {
  constructor(
    private readonly completions: CompletionUseCase,
    private readonly embeddings: EmbeddingUseCase,
    private readonly feedback: FeedbackUseCase,
    private readonly models: ModelCatalog,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('chat/completions')
  async chatCompletions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const abort = this.abortOnDisconnect(reply);
    try {
      let body: ChatCompletionRequest;
      try {
        body = parseChatCompletionRequest(request.body);
      } catch (error) {
        // Authenticated and traced, then answered by the catch below.
        return await this.completions.reject({ endpoint: 'http.chat.completions', authorization: request.headers.authorization, ...refusedFieldsOf(request.body) }, error);
      }
      const command = {
        endpoint: 'http.chat.completions' as const,
        authorization: request.headers.authorization,
        request: toCompleteRequest(body),
        stream: body.stream === true,
        deadlineMs: this.deadlineOf(request),
        cancellation: abort,
      };
      const created = Math.floor(Date.now() / 1000);
      if (!command.stream) {
        const completion = await this.completions.complete(command);
        reply.header('x-llmops-trace-id', completion.traceId).status(200).send(toChatCompletion(completion, created));
        return;
      }
      await this.stream(reply, this.completions.completeStream(command), body.model, created, body.stream_options?.include_usage === true);
    } catch (error) {
      this.sendError(reply, error);
    }
  }

  @Post('embeddings')
  async createEmbeddings(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const abort = this.abortOnDisconnect(reply);
    try {
      let body: EmbeddingRequest;
      try {
        body = parseEmbeddingRequest(request.body);
      } catch (error) {
        return await this.embeddings.reject({ authorization: request.headers.authorization, ...refusedFieldsOf(request.body) }, error);
      }
      const outcome = await this.embeddings.embed({
        endpoint: 'http.embeddings',
        authorization: request.headers.authorization,
        model: body.model,
        inputs: body.inputs,
        ...(body.dimensions !== undefined ? { dimensions: body.dimensions } : {}),
        user: body.user,
        deadlineMs: this.deadlineOf(request),
        cancellation: abort,
      });
      reply.header('x-llmops-trace-id', outcome.traceId).status(200).send(toEmbeddingList(outcome, body.encodingFormat));
    } catch (error) {
      this.sendError(reply, error);
    }
  }

  @Get('models')
  async listModels(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      this.completions.authenticate(request.headers.authorization);
      const created = Math.floor(Date.now() / 1000);
      reply.send({
        object: 'list',
        data: (await this.models.list()).map((model) => ({ id: model.id, object: 'model', created, owned_by: model.provider || 'llmops' })),
      });
    } catch (error) {
      this.sendError(reply, error);
    }
  }

  @Post('feedback')
  async postFeedback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      const eventId = await this.feedback.record(request.headers.authorization, feedbackRequestOf(request.body));
      reply.status(200).send({ object: 'feedback', id: eventId });
    } catch (error) {
      this.sendError(reply, error);
    }
  }

  /** Work done for a client that hung up is wasted: its hops are cancelled. */
  private abortOnDisconnect(reply: FastifyReply): LazyAbortController {
    const abort = new LazyAbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort(new Error('client disconnected'));
    });
    return abort;
  }

  private deadlineOf(request: FastifyRequest): number {
    const asked = Number(request.headers[TIMEOUT_HEADER]);
    const timeout = Number.isFinite(asked) && asked > 0 ? Math.min(asked, this.config.defaultTimeoutMs) : this.config.defaultTimeoutMs;
    return Date.now() + timeout;
  }

  /** Server-sent events, written to the socket as they come: the reply is taken over from Fastify. */
  private async stream(
    reply: FastifyReply,
    chunks: AsyncGenerator<import('@llmops/contracts').CompleteChunk>,
    requestedModel: string,
    created: number,
    includeUsage: boolean,
  ): Promise<void> {
    let id = '';
    let model = requestedModel;
    const response = reply.raw;
    const write = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
    try {
      for await (const chunk of chunks) {
        if (chunk.event.case === 'started') {
          // Accepted: from here on errors travel inside the stream.
          id = chunk.event.value.id;
          model = chunk.event.value.model?.model || requestedModel;
          reply.hijack();
          response.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
            connection: 'keep-alive',
            'x-llmops-trace-id': chunk.event.value.traceId,
          });
          response.flushHeaders();
          write(toChunk(id, created, model, { role: 'assistant', content: '' }, null));
        } else if (chunk.event.case === 'delta') {
          write(toChunk(id, created, model, { content: chunk.event.value }, null));
        } else if (chunk.event.case === 'toolCall') {
          write(toChunk(id, created, model, toToolCallDelta(chunk.event.value), null));
        } else if (chunk.event.case === 'done') {
          const done = chunk.event.value;
          write(toFinalChunk(done, created));
          if (includeUsage) write(toUsageChunk(done, created));
        }
      }
      if (!response.headersSent) {
        reply.hijack();
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      }
      response.end('data: [DONE]\n\n');
    } catch (error) {
      if (!response.headersSent) throw error;
      // The stream has begun: the error travels as an SSE event, the way OpenAI reports one.
      write(toHttpError(error).body);
      response.end();
    }
  }

  private sendError(reply: FastifyReply, error: unknown): void {
    if (reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    const { status, body, retryAfterSeconds } = toHttpError(error);
    if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
    const traceId = traceIdOfError(error);
    if (traceId) reply.header('x-llmops-trace-id', traceId);
    reply.status(status).send(body);
  }
}

/** What a body that could not be read as a request still says, for the trace of its refusal. */
function refusedFieldsOf(body: unknown): { requestedModel?: string; stream?: boolean; user?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const { model, stream, user } = body as Record<string, unknown>;
  return {
    ...(typeof model === 'string' ? { requestedModel: model.slice(0, MAX_ECHOED_CHARS) } : {}),
    ...(stream === true ? { stream: true } : {}),
    ...(typeof user === 'string' ? { user: user.slice(0, MAX_ECHOED_CHARS) } : {}),
  };
}
