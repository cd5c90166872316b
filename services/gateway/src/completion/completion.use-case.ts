import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ChatMessageSchema,
  CitationSchema,
  CompleteResponseSchema,
  CompleteStartedSchema,
  GuardrailAction,
  RequestContextSchema,
  TraceEventSchema,
  UsageEventSchema,
  UsageSchema,
  type ChatMessage,
  type Citation,
  type CompleteChunk,
  type CompleteRequest,
  type CompleteResponse,
  type GenerateResponse,
  type RequestContext,
  type RouteDecision,
} from '@llmops/contracts';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { gatewayRequestDuration, gatewayRequests, GenAiAttributes, LlmopsAttributes } from '@llmops/telemetry';
import { context as otelContext, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { StageRecorder } from './stage-recorder';

export type CompletionEndpoint = 'grpc.Complete' | 'grpc.CompleteStream' | 'http.chat.completions';

export interface CompletionCommand {
  endpoint: CompletionEndpoint;
  /** The raw `authorization` value; checked here so failed attempts are traced too. */
  authorization: string | undefined;
  request: CompleteRequest;
  stream: boolean;
  /** Absolute deadline (epoch ms) of the whole request; every hop gets what is left of it. */
  deadlineMs: number;
  signal?: AbortSignal;
}

const SNIPPET_CHARS = 240;
const RETRIEVAL_TOP_K = 5;
const tracer = trace.getTracer('@llmops/gateway');

interface PreparedRequest {
  context: RequestContext;
  decision: RouteDecision;
  messages: ChatMessage[];
  citations: Citation[];
  promptName: string;
  promptVersion: string;
  collection: string;
  inputVerdict: string;
}

/** Everything the trace event needs, gathered while the request runs. */
class TraceDraft {
  context: RequestContext;
  route = '';
  promptName = '';
  promptVersion = '';
  collection = '';
  inputVerdict = '';
  outputVerdict = '';
  citations = 0;
  firstTokenMs = 0;
  answer: GenerateResponse | undefined;
  costUsd = 0;

  constructor(
    readonly traceId: string,
    readonly command: CompletionCommand,
    readonly stages: StageRecorder,
  ) {
    this.context = create(RequestContextSchema, { traceId, requestId: randomUUID() });
  }
}

/**
 * The request path of ARCHITECTURE.md: authenticate; input guardrails ∥ routing; prompt
 * rendering ∥ retrieval; inference along the model chain; output guardrails; pricing. Every
 * stage is a span and a row of the trace event, which is published whether the request
 * succeeded, failed or was blocked. Events never hold up the answer.
 */
export class CompletionUseCase {
  private inFlight = 0;

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly mesh: MeshClients,
    private readonly events: Pick<EventPublisher, 'publish'>,
    /** Requests served at once; past it new ones are refused at once rather than queued. */
    private readonly maxInFlight: number = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Load shedding: past capacity a queue only makes every request late, so the request over
   * the limit is refused at once (503, retryable) and the accepted ones keep their latency.
   */
  private admit(endpoint: CompletionEndpoint): () => void {
    if (this.inFlight >= this.maxInFlight) {
      // Counted, not traced: a refusal at capacity must stay cheaper than serving.
      gatewayRequests.inc({ endpoint, outcome: 'shed' });
      throw new PlatformError(ErrorCode.Unavailable, `the gateway is at capacity (${this.maxInFlight} requests in flight); retry shortly`, { retry_after_ms: '1000' });
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (!released) this.inFlight--;
      released = true;
    };
  }

  /** For endpoints that only need to know the caller (model listing). */
  authenticate(authorization: string | undefined) {
    return this.authenticator.authenticate(authorization);
  }

  async complete(command: CompletionCommand): Promise<CompleteResponse> {
    const release = this.admit(command.endpoint);
    try {
      return await this.completeAdmitted(command);
    } finally {
      release();
    }
  }

  private async completeAdmitted(command: CompletionCommand): Promise<CompleteResponse> {
    return this.withRootSpan(command, async (draft) => {
      const prepared = await this.prepare(draft);
      const generated = await draft.stages.run(
        'inference',
        () =>
          this.mesh.inference.generate(
            { context: prepared.context, chain: prepared.decision.chain, messages: prepared.messages, params: command.request.params, passages: prepared.citations },
            { deadlineMs: command.deadlineMs, signal: command.signal },
          ),
        { [GenAiAttributes.operationName]: 'chat' },
      );
      draft.answer = generated;
      draft.firstTokenMs = generated.timeToFirstTokenMs;
      const content = await this.checkOutput(draft, prepared, generated.content);
      return this.finish(draft, prepared, generated, content);
    });
  }

  async *completeStream(command: CompletionCommand): AsyncGenerator<CompleteChunk> {
    const release = this.admit(command.endpoint);
    try {
      yield* this.completeStreamAdmitted(command);
    } finally {
      release();
    }
  }

  private async *completeStreamAdmitted(command: CompletionCommand): AsyncGenerator<CompleteChunk> {
    const span = tracer.startSpan('gateway.complete', { kind: SpanKind.INTERNAL, attributes: { 'llmops.endpoint': command.endpoint } });
    const draft = new TraceDraft(this.traceIdOf(span), command, new StageRecorder());
    const spanContext = trace.setSpan(otelContext.active(), span);
    const run = <T>(work: () => Promise<T>) => otelContext.with(spanContext, work);
    // A consumer that stops iterating (a cancelled gRPC call) ends this generator at a yield,
    // where no error reaches the catch below; `finally` still traces the request.
    let settled = false;
    try {
      const prepared = await run(() => this.prepare(draft));
      yield {
        $typeName: 'llmops.v1.CompleteChunk',
        event: {
          case: 'started',
          value: create(CompleteStartedSchema, { id: `chatcmpl-${draft.traceId}`, traceId: draft.traceId, route: draft.route, model: prepared.decision.chain[0] }),
        },
      };
      const inferenceStart = draft.stages.elapsedMs();
      let content = '';
      let generated: GenerateResponse | undefined;
      const stream = otelContext.with(spanContext, () =>
        this.mesh.inference.generateStream(
          { context: prepared.context, chain: prepared.decision.chain, messages: prepared.messages, params: command.request.params, passages: prepared.citations },
          { deadlineMs: command.deadlineMs, signal: command.signal },
        ),
      );
      try {
        for await (const chunk of stream) {
          if (chunk.event.case === 'delta') {
            if (content === '') draft.firstTokenMs = draft.stages.elapsedMs();
            content += chunk.event.value;
            yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'delta', value: chunk.event.value } };
          } else if (chunk.event.case === 'done') {
            generated = chunk.event.value;
          }
        }
      } catch (error) {
        draft.stages.record('inference', inferenceStart, 'error', PlatformError.from(error).code);
        throw error;
      }
      draft.stages.record('inference', inferenceStart, 'ok');
      if (!generated) throw new PlatformError(ErrorCode.UpstreamError, 'the model stream ended without a result');
      draft.answer = generated;
      // Streamed text has already reached the client; the output check records its verdict
      // (a finding here is an alert, not a redaction).
      await run(() => this.checkOutput(draft, prepared, content));
      const response = await run(() => this.finish(draft, prepared, generated as GenerateResponse, content));
      settled = true;
      span.end();
      yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'done', value: response } };
    } catch (error) {
      settled = true;
      otelContext.with(spanContext, () => this.fail(draft, span, error));
      throw PlatformError.from(error);
    } finally {
      if (!settled) otelContext.with(spanContext, () => this.fail(draft, span, new PlatformError(ErrorCode.Cancelled, 'the client stopped reading the stream')));
    }
  }

  /** The OpenTelemetry trace id, so trace rows and span rows join; random when tracing is off. */
  private traceIdOf(span: Span): string {
    const traceId = span.spanContext().traceId;
    return /^0+$/.test(traceId) ? randomBytes(16).toString('hex') : traceId;
  }

  private async withRootSpan<T>(command: CompletionCommand, work: (draft: TraceDraft) => Promise<T>): Promise<T> {
    return tracer.startActiveSpan('gateway.complete', { attributes: { 'llmops.endpoint': command.endpoint } }, async (span) => {
      const draft = new TraceDraft(this.traceIdOf(span), command, new StageRecorder());
      try {
        const result = await work(draft);
        span.end();
        return result;
      } catch (error) {
        this.fail(draft, span, error);
        throw PlatformError.from(error);
      }
    });
  }

  private async prepare(draft: TraceDraft): Promise<PreparedRequest> {
    const { command, stages } = draft;
    const { request } = command;
    const caller = await stages.run('auth', async () => this.authenticator.authenticate(command.authorization));
    draft.context = create(RequestContextSchema, {
      tenantId: caller.tenant,
      projectId: caller.project,
      userId: request.user || caller.user || '',
      apiKeyId: caller.keyId,
      requestId: draft.context.requestId,
      traceId: draft.traceId,
      tags: request.tags,
    });
    trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.tenantId]: caller.tenant, [LlmopsAttributes.projectId]: caller.project });
    if (Date.now() >= command.deadlineMs) throw new PlatformError(ErrorCode.DeadlineExceeded, 'the request deadline passed before it could be served');
    if (request.messages.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, 'messages must contain at least one message');

    const hop = { deadlineMs: command.deadlineMs, signal: command.signal };
    const context = draft.context;
    const [verdict, decision] = await Promise.all([
      stages.run('guardrails.input', () => this.mesh.guardrails.checkInput({ context, messages: request.messages }, hop)),
      stages.run('routing', () => this.mesh.routing.route({ context, model: request.model, messages: request.messages }, hop)),
    ]);
    draft.route = decision.route;
    draft.inputVerdict = GuardrailAction[verdict.action]?.toLowerCase() ?? 'unspecified';
    if (verdict.action === GuardrailAction.BLOCK) {
      stages.mark('guardrails.input', 'blocked', verdict.findings.map((finding) => finding.type).join(','));
      const oversized = verdict.findings.some((finding) => finding.type === 'oversized_input');
      throw new PlatformError(oversized ? ErrorCode.InputTooLarge : ErrorCode.BlockedByGuardrail, verdict.reason || 'the input was blocked by a guardrail');
    }
    if (verdict.action === GuardrailAction.REDACT) stages.mark('guardrails.input', 'redacted', verdict.findings.map((finding) => finding.type).join(','));
    const messages = verdict.action === GuardrailAction.REDACT ? verdict.messages : request.messages;

    const promptName = request.prompt || decision.prompt;
    const collection = request.collection || (decision.retrieval ? decision.collection : '');
    // Known before the calls, so a request that fails in them is traced with them too.
    draft.promptName = promptName;
    draft.collection = collection;
    const question = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const [rendered, passages] = await Promise.all([
      promptName
        ? stages.run('prompts', () => this.mesh.prompts.render({ name: promptName, variables: request.variables }, hop), { [LlmopsAttributes.promptName]: promptName })
        : (stages.skip('prompts', 'no prompt template'), undefined),
      collection
        ? stages.run('retrieval', () => this.mesh.retrieval.search({ context, collection, query: question, topK: RETRIEVAL_TOP_K }, hop), {
            [LlmopsAttributes.collection]: collection,
          })
        : (stages.skip('retrieval', 'route asks for no retrieval'), undefined),
    ]);
    const citations = (passages?.passages ?? []).map((passage, index) =>
      create(CitationSchema, { index: index + 1, source: passage.source, section: passage.section, chunkId: passage.chunkId, score: passage.score, snippet: passage.text }),
    );
    draft.promptVersion = rendered?.version ?? '';
    draft.citations = citations.length;
    const finalMessages = rendered ? [create(ChatMessageSchema, { role: 'system', content: rendered.text }), ...messages] : messages;
    return { context, decision, messages: finalMessages, citations, promptName, promptVersion: draft.promptVersion, collection, inputVerdict: draft.inputVerdict };
  }

  private async checkOutput(draft: TraceDraft, prepared: PreparedRequest, content: string): Promise<string> {
    const verdict = await draft.stages.run('guardrails.output', () =>
      this.mesh.guardrails.checkOutput({ context: prepared.context, content }, { deadlineMs: draft.command.deadlineMs }),
    );
    draft.outputVerdict = GuardrailAction[verdict.action]?.toLowerCase() ?? 'unspecified';
    const types = verdict.findings.map((finding) => finding.type).join(',');
    if (verdict.action === GuardrailAction.BLOCK) {
      draft.stages.mark('guardrails.output', 'blocked', types);
      throw new PlatformError(ErrorCode.BlockedByGuardrail, verdict.reason || 'the answer was blocked by a guardrail');
    }
    if (verdict.action === GuardrailAction.REDACT) {
      draft.stages.mark('guardrails.output', 'redacted', types);
      return verdict.content;
    }
    return content;
  }

  private async finish(draft: TraceDraft, prepared: PreparedRequest, generated: GenerateResponse, content: string): Promise<CompleteResponse> {
    const usage = generated.usage ?? create(UsageSchema);
    const price = await draft.stages
      .run('cost', () => this.mesh.cost.price({ context: prepared.context, model: generated.model, usage, traceId: draft.traceId }, { deadlineMs: draft.command.deadlineMs }))
      .catch(() => undefined); // an answer is never lost to pricing; the trace shows the failed stage
    draft.costUsd = price?.totalCostUsd ?? 0;
    trace.getActiveSpan()?.setAttributes({
      [GenAiAttributes.requestModel]: draft.command.request.model,
      [GenAiAttributes.responseModel]: generated.model?.version ?? '',
      [GenAiAttributes.providerName]: generated.model?.provider ?? '',
      [GenAiAttributes.inputTokens]: usage.inputTokens,
      [GenAiAttributes.outputTokens]: usage.outputTokens,
      [LlmopsAttributes.costUsd]: draft.costUsd,
      [LlmopsAttributes.route]: draft.route,
    });
    this.events.publish(
      'llmops.usage.v1',
      create(UsageEventSchema, { eventId: randomUUID(), traceId: draft.traceId, occurredAt: timestampFromMs(Date.now()), context: prepared.context, model: generated.model, usage }),
    );
    const citations = prepared.citations.map((citation) => create(CitationSchema, { ...citation, snippet: citation.snippet.slice(0, SNIPPET_CHARS) }));
    this.publishTrace(draft, 'ok');
    return create(CompleteResponseSchema, {
      id: `chatcmpl-${draft.traceId}`,
      traceId: draft.traceId,
      content,
      finishReason: generated.finishReason || 'stop',
      model: generated.model,
      usage,
      costUsd: draft.costUsd,
      citations,
      promptVersion: prepared.promptVersion,
    });
  }

  private fail(draft: TraceDraft, span: Span, error: unknown): void {
    const platformError = PlatformError.from(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: platformError.code });
    span.end();
    const status = platformError.code === ErrorCode.BlockedByGuardrail || platformError.code === ErrorCode.InputTooLarge ? 'blocked' : 'error';
    this.publishTrace(draft, status, platformError);
  }

  private publishTrace(draft: TraceDraft, status: string, error?: PlatformError): void {
    const { command, answer } = draft;
    gatewayRequests.inc({ endpoint: command.endpoint, outcome: error?.code ?? 'ok' });
    gatewayRequestDuration.observe({ endpoint: command.endpoint }, draft.stages.elapsedMs() / 1000);
    this.events.publish(
      'llmops.traces.v1',
      create(TraceEventSchema, {
        eventId: randomUUID(),
        traceId: draft.traceId,
        occurredAt: timestampFromMs(Date.now()),
        context: draft.context,
        endpoint: command.endpoint,
        stream: command.stream,
        route: draft.route,
        requestedModel: command.request.model,
        model: answer?.model,
        promptName: draft.promptName,
        promptVersion: draft.promptVersion,
        usage: answer?.usage,
        costUsd: draft.costUsd,
        latencyMs: draft.stages.elapsedMs(),
        timeToFirstTokenMs: draft.firstTokenMs,
        status,
        errorCode: error?.code ?? '',
        errorMessage: error?.message ?? '',
        stages: draft.stages.stages,
        inputVerdict: draft.inputVerdict,
        outputVerdict: draft.outputVerdict,
        citations: draft.citations,
        collection: draft.collection,
      }),
    );
  }
}
