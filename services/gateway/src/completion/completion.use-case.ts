import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ChatMessageSchema,
  CitationSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  CompleteStartedSchema,
  GenerateResponseSchema,
  ResponseFormatSchema,
  GuardrailAction,
  RequestContextSchema,
  UsageEventSchema,
  UsageSchema,
  type ChatMessage,
  type Citation,
  type CompleteChunk,
  type CompleteRequest,
  type CompleteResponse,
  type GenerateResponse,
  type Passage,
  type RequestContext,
  type RouteDecision,
} from '@llmops/contracts';
import { ErrorCode, PlatformError, type SignalSource } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { GenAiAttributes, LlmopsAttributes } from '@llmops/telemetry';
import { context as otelContext, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import { InFlightLimiter } from '../admission/in-flight.limiter';
import type { MeshClients } from '../mesh/mesh-clients';
import type { ModelCatalog } from '../models/model-catalog';
import { NearCache, nearCacheKey } from './near-cache';
import { cachedGeneration, isCacheHit, routeOptionsOf, RoutingFeedback } from './routing-feedback';
import { SentenceBuffer } from './sentence-buffer';
import { publishRequestTrace, requestContextOf, traceIdOfSpan, withRootSpan } from './request-trace';
import { StageRecorder } from './stage-recorder';
import { tracedError } from './traced-error';

export type CompletionEndpoint = 'grpc.Complete' | 'grpc.CompleteStream' | 'http.chat.completions';

export interface CompletionCommand {
  endpoint: CompletionEndpoint;
  /** The raw `authorization` value; checked here so failed attempts are traced too. */
  authorization: string | undefined;
  request: CompleteRequest;
  stream: boolean;
  /** Absolute deadline (epoch ms) of the whole request; every hop gets what is left of it. */
  deadlineMs: number;
  /** Cancels the request's calls when the client goes away; its signal is made only for a call. */
  cancellation?: SignalSource;
}

/** What is known of a request whose body could not be read (see CompletionUseCase.reject). */
export interface RefusedRequest {
  endpoint: CompletionEndpoint;
  authorization: string | undefined;
  /** The body's `model`, `stream` and `user`, when it was an object that had them. */
  requestedModel?: string;
  stream?: boolean;
  user?: string;
}

const SNIPPET_CHARS = 240;
const RETRIEVAL_TOP_K = 5;
const tracer = trace.getTracer('@llmops/gateway');

/**
 * What the gateway itself needs of the guardrail policy of a tenant and route: what to do when
 * the guardrails service cannot be reached, and whether a streamed answer is checked before it
 * is sent (`buffered`) or after.
 */
export type GuardrailPolicyLookup = (tenantId: string, route: string) => { failMode: 'open' | 'closed'; streamOutput: 'after' | 'buffered' };

const DEFAULT_POLICY: ReturnType<GuardrailPolicyLookup> = { failMode: 'closed', streamOutput: 'after' };

/** How much an output verdict says, for the trace of a stream checked piece by piece: the worst one stands. */
const VERDICT_RANK: Readonly<Record<string, number>> = { pass: 0, unspecified: 0, unchecked: 1, rewrite: 2, redact: 3, block: 4 };

interface PreparedRequest {
  context: RequestContext;
  decision: RouteDecision;
  messages: ChatMessage[];
  citations: Citation[];
  /** The retrieved passages whole: the output check scores groundedness and leaks against them. */
  passages: Passage[];
  /** From a reversible input redaction: CheckOutput restores the placeholders for this caller. */
  redactionVaultId: string;
  /**
   * An answer served without calling a model: a cache hit, or "I don't know" when retrieval found
   * nothing relevant. `reason` names it on the trace's skipped stages.
   */
  direct?: { generation: GenerateResponse; reason: 'cache hit' | 'nothing relevant' };
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
  /** Retrieval found no passage above the collection's threshold. */
  nothingRelevant = false;
  /** Routing's decision, for the trace (reason, rule, arm, cache, budget) and for Settle. */
  decision: RouteDecision | undefined;

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
/** The answer when the route's documents hold nothing relevant: no model is asked to guess. */
function noRelevantPassages(collection: string): GenerateResponse {
  return create(GenerateResponseSchema, {
    content: `I don't know: the documents in "${collection}" do not cover this question.`,
    finishReason: 'stop',
    usage: create(UsageSchema),
  });
}

export class CompletionUseCase {
  private readonly limiter: InFlightLimiter;

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly mesh: MeshClients,
    private readonly events: Pick<EventPublisher, 'publish'>,
    /** Requests served at once (a number, or the limiter shared with the other endpoints). */
    maxInFlight: number | InFlightLimiter = Number.POSITIVE_INFINITY,
    private readonly guardrailPolicy: GuardrailPolicyLookup = () => DEFAULT_POLICY,
    /** What a name in `model` is; an embedding model is refused here with a clear 400. */
    private readonly models?: Pick<ModelCatalog, 'describe'>,
  ) {
    this.limiter = typeof maxInFlight === 'number' ? new InFlightLimiter(maxInFlight) : maxInFlight;
    this.feedback = new RoutingFeedback(mesh, events);
  }

  private readonly feedback: RoutingFeedback;
  private readonly nearCache = new NearCache();

  private admit(endpoint: CompletionEndpoint): () => void {
    return this.limiter.admit(endpoint);
  }

  /** For endpoints that only need to know the caller (model listing). */
  authenticate(authorization: string | undefined) {
    return this.authenticator.authenticate(authorization);
  }

  /**
   * A request refused before it could be read: a body that is not JSON, too large, or not a chat
   * completion request. The caller is authenticated first (a bad key answers 401 whatever the
   * body, as OpenAI does), and the refusal is traced like any failed request: a row in
   * llmops.traces with the tenant, the model asked for (when the body named one), the error, and
   * a `validation` stage. Always throws: the error to answer with, carrying its trace id.
   */
  async reject(refused: RefusedRequest, error: unknown): Promise<never> {
    const command: CompletionCommand = {
      endpoint: refused.endpoint,
      authorization: refused.authorization,
      request: create(CompleteRequestSchema, { model: refused.requestedModel ?? '', user: refused.user ?? '' }),
      stream: refused.stream ?? false,
      deadlineMs: Number.POSITIVE_INFINITY,
    };
    return this.withRootSpan(command, async (draft) => {
      await this.authStage(draft);
      return draft.stages.run('validation', () => Promise.reject(error));
    });
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
      const { direct } = prepared;
      if (!direct) this.shadow(draft, prepared);
      const generated = direct
        ? (draft.stages.skip('inference', direct.reason), direct.generation)
        : await draft.stages.run(
            'inference',
            () =>
              this.mesh.inference.generate(
                { context: prepared.context, chain: prepared.decision.chain, messages: prepared.messages, params: command.request.params, passages: prepared.citations },
                { deadlineMs: command.deadlineMs, cancellation: command.cancellation },
              ),
            { [GenAiAttributes.operationName]: 'chat' },
          );
      draft.answer = generated;
      draft.firstTokenMs = direct ? draft.stages.elapsedMs() : generated.timeToFirstTokenMs;
      // A cached answer passed the output check when it was first served, and was stored as sent;
      // "I don't know" is ours.
      const content = direct ? (draft.stages.skip('guardrails.output', direct.reason), generated.content) : await this.checkOutput(draft, prepared, generated.content);
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
    const draft = new TraceDraft(traceIdOfSpan(span), command, new StageRecorder());
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
      if (prepared.direct) {
        const cached = prepared.direct.generation;
        draft.stages.skip('inference', prepared.direct.reason);
        draft.stages.skip('guardrails.output', prepared.direct.reason);
        draft.answer = cached;
        draft.firstTokenMs = draft.stages.elapsedMs();
        yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'delta', value: cached.content } };
        const response = await run(() => this.finish(draft, prepared, cached, cached.content));
        settled = true;
        span.end();
        yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'done', value: response } };
        return;
      }
      this.shadow(draft, prepared);
      const inferenceStart = draft.stages.elapsedMs();
      // Checked before sending: the policy asks for it, or placeholders must come back as the caller's values.
      const buffer =
        prepared.redactionVaultId !== '' || this.guardrailPolicy(prepared.context.tenantId, command.request.model).streamOutput === 'buffered'
          ? new SentenceBuffer()
          : undefined;
      const delta = (value: string): CompleteChunk => ({ $typeName: 'llmops.v1.CompleteChunk', event: { case: 'delta', value } });
      let content = '';
      let generated: GenerateResponse | undefined;
      let partial: GenerateResponse | undefined;
      let blocked: unknown;
      const stream = otelContext.with(spanContext, () =>
        this.mesh.inference.generateStream(
          { context: prepared.context, chain: prepared.decision.chain, messages: prepared.messages, params: command.request.params, passages: prepared.citations },
          { deadlineMs: command.deadlineMs, cancellation: command.cancellation },
        ),
      );
      try {
        for await (const chunk of stream) {
          if (chunk.event.case === 'delta') {
            content += chunk.event.value;
            const pieces = buffer ? buffer.push(chunk.event.value) : [chunk.event.value];
            for (const piece of pieces) {
              const checked = buffer ? await run(() => this.checkOutput(draft, prepared, piece, 'piece')).catch((error: unknown) => ((blocked = error), undefined)) : piece;
              if (checked === undefined) break;
              if (draft.firstTokenMs === 0) draft.firstTokenMs = draft.stages.elapsedMs();
              yield delta(checked);
            }
            // Leaving the loop cancels the model's stream: nothing more is generated for nobody.
            if (blocked) break;
          } else if (chunk.event.case === 'toolCall') {
            if (draft.firstTokenMs === 0) draft.firstTokenMs = draft.stages.elapsedMs();
            yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'toolCall', value: chunk.event.value } };
          } else if (chunk.event.case === 'done') {
            generated = chunk.event.value;
          } else if (chunk.event.case === 'partial') {
            partial = chunk.event.value;
          }
        }
      } catch (error) {
        draft.stages.record('inference', inferenceStart, 'error', PlatformError.from(error).code);
        // The stream broke after output went out: what was generated is still recorded and billed.
        if (partial) await run(() => this.recordPartialUsage(draft, prepared, partial as GenerateResponse));
        throw error;
      }
      if (blocked) {
        draft.stages.record('inference', inferenceStart, 'cancelled', 'stopped by the output check');
        throw blocked;
      }
      draft.stages.record('inference', inferenceStart, 'ok');
      if (!generated) throw new PlatformError(ErrorCode.UpstreamError, 'the model stream ended without a result');
      draft.answer = generated;
      const rest = buffer?.flush();
      if (rest) {
        const checked = await run(() => this.checkOutput(draft, prepared, rest, 'piece'));
        if (draft.firstTokenMs === 0) draft.firstTokenMs = draft.stages.elapsedMs();
        yield delta(checked);
      }
      // Unbuffered, the text has already reached the client: the check records its verdict (a
      // finding is an alert, not a redaction). Buffered, every piece was checked before it left;
      // only a JSON answer is checked once more whole, for its format.
      if (!buffer || command.request.params?.responseFormat) await run(() => this.checkOutput(draft, prepared, content));
      const response = await run(() => this.finish(draft, prepared, generated as GenerateResponse, content));
      settled = true;
      span.end();
      yield { $typeName: 'llmops.v1.CompleteChunk', event: { case: 'done', value: response } };
    } catch (error) {
      settled = true;
      otelContext.with(spanContext, () => this.fail(draft, span, error));
      throw tracedError(error, draft.traceId);
    } finally {
      if (!settled) otelContext.with(spanContext, () => this.fail(draft, span, new PlatformError(ErrorCode.Cancelled, 'the client stopped reading the stream')));
    }
  }

  private withRootSpan<T>(command: CompletionCommand, work: (draft: TraceDraft) => Promise<T>): Promise<T> {
    return withRootSpan('gateway.complete', command.endpoint, (traceId) => new TraceDraft(traceId, command, new StageRecorder()), work, (draft, span, error) => this.fail(draft, span, error));
  }

  /** The `auth` stage: the caller's key, then the request context every hop carries. */
  private async authStage(draft: TraceDraft): Promise<void> {
    const { request, authorization } = draft.command;
    const caller = await draft.stages.run('auth', async () => this.authenticator.authenticate(authorization));
    draft.context = requestContextOf(caller, { traceId: draft.traceId, requestId: draft.context.requestId, user: request.user, tags: request.tags });
    trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.tenantId]: caller.tenant, [LlmopsAttributes.projectId]: caller.project });
  }

  private async prepare(draft: TraceDraft): Promise<PreparedRequest> {
    const { command, stages } = draft;
    const { request } = command;
    await this.authStage(draft);
    if (Date.now() >= command.deadlineMs) throw new PlatformError(ErrorCode.DeadlineExceeded, 'the request deadline passed before it could be served');
    if (request.messages.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, 'messages must contain at least one message');
    if (this.models?.describe(request.model)?.embeddings) {
      throw new PlatformError(ErrorCode.InvalidRequest, `"${request.model}" is an embedding model: it serves POST /v1/embeddings, not chat completions.`, { param: 'model' });
    }

    // Hashing the request costs something on every request: only when there is a hit to find or keep.
    const nearKey = this.nearCache.size > 0 ? nearCacheKey(draft.context, request) : undefined;
    const reused = nearKey === undefined ? undefined : this.nearCache.get(nearKey);
    if (reused) return this.reuseHit(draft, reused);

    const hop = { deadlineMs: command.deadlineMs, cancellation: command.cancellation };
    const context = draft.context;
    const [verdict, decision] = await Promise.all([
      this.failOpenWhenAllowed(draft, 'guardrails.input', () => this.mesh.guardrails.checkInput({ context, messages: request.messages, route: request.model }, hop)),
      stages.run('routing', () => this.mesh.routing.route({ context, model: request.model, messages: request.messages, ...routeOptionsOf(request) }, hop)),
    ]);
    draft.route = decision.route;
    draft.decision = decision;
    draft.inputVerdict = verdict ? (GuardrailAction[verdict.action]?.toLowerCase() ?? 'unspecified') : 'unchecked';
    if (verdict?.action === GuardrailAction.BLOCK) {
      stages.mark('guardrails.input', 'blocked', verdict.findings.map((finding) => finding.type).join(','));
      const oversized = verdict.findings.some((finding) => finding.type === 'oversized_input');
      throw new PlatformError(oversized ? ErrorCode.InputTooLarge : ErrorCode.BlockedByGuardrail, verdict.reason || 'the input was blocked by a guardrail');
    }
    // Redacted (personal data) or rewritten (e.g. invisible characters removed): the checked text goes on.
    const changed = verdict?.action === GuardrailAction.REDACT || verdict?.action === GuardrailAction.REWRITE;
    if (changed) stages.mark('guardrails.input', verdict.action === GuardrailAction.REDACT ? 'redacted' : 'rewritten', verdict.findings.map((finding) => finding.type).join(','));
    const messages = changed ? verdict.messages : request.messages;

    // A cached answer needs neither a prompt nor passages: it is served as stored.
    const hit = isCacheHit(decision);
    if (hit && verdict?.action === GuardrailAction.PASS) this.nearCache.put(nearKey ?? nearCacheKey(context, request), decision);
    const promptName = hit ? '' : request.prompt || decision.prompt;
    const collection = hit ? '' : request.collection || (decision.retrieval ? decision.collection : '');
    // Known before the calls, so a request that fails in them is traced with them too.
    draft.promptName = promptName;
    draft.collection = collection;
    const question = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    const [rendered, passages] = await Promise.all([
      promptName
        ? stages.run('prompts', () => this.mesh.prompts.render({ name: promptName, version: decision.promptVersion, variables: request.variables }, hop), {
            [LlmopsAttributes.promptName]: promptName,
          })
        : (stages.skip('prompts', hit ? 'cache hit' : 'no prompt template'), undefined),
      collection ? this.retrieve(draft, collection, question, hop) : (stages.skip('retrieval', hit ? 'cache hit' : 'route asks for no retrieval'), undefined),
    ]);
    const citations = (passages?.passages ?? []).map((passage, index) =>
      create(CitationSchema, {
        index: index + 1,
        source: passage.source,
        section: passage.section,
        chunkId: passage.chunkId,
        score: passage.score,
        relevance: passage.relevance,
        snippet: passage.text,
        page: passage.page,
        title: passage.title,
      }),
    );
    draft.nothingRelevant = passages?.nothingRelevant ?? false;
    draft.promptVersion = rendered?.version ?? '';
    draft.citations = citations.length;
    const finalMessages = rendered ? [create(ChatMessageSchema, { role: 'system', content: rendered.text }), ...messages] : messages;
    return {
      context,
      decision,
      messages: finalMessages,
      citations,
      passages: passages?.passages ?? [],
      redactionVaultId: verdict?.redactionVaultId ?? '',
      ...(hit
        ? { direct: { generation: cachedGeneration(decision), reason: 'cache hit' as const } }
        : passages?.nothingRelevant
          ? { direct: { generation: noRelevantPassages(collection), reason: 'nothing relevant' as const } }
          : {}),
      promptName, promptVersion: draft.promptVersion, collection, inputVerdict: draft.inputVerdict };
  }

  /**
   * A hit routing served moments ago for the same bytes from the same caller, whose input check
   * passed untouched: answered as routing answered it, without a hop (ADR 0006).
   */
  private reuseHit(draft: TraceDraft, decision: RouteDecision): PreparedRequest {
    const { stages } = draft;
    stages.skip('guardrails.input', 'the same input passed moments ago');
    stages.skip('routing', 'hit reused by the gateway');
    stages.skip('prompts', 'cache hit');
    stages.skip('retrieval', 'cache hit');
    draft.route = decision.route;
    draft.decision = { ...decision, reason: `hit reused by the gateway (within ${decision.cache!.reuseMs} ms of routing's); ${decision.reason}` };
    draft.inputVerdict = 'pass';
    return {
      context: draft.context,
      // Routing's reservation for the first hit was settled by that request.
      decision: { ...decision, settle: false },
      messages: draft.command.request.messages,
      citations: [],
      passages: [],
      redactionVaultId: '',
      direct: { generation: cachedGeneration(decision), reason: 'cache hit' },
      promptName: '',
      promptVersion: '',
      collection: '',
      inputVerdict: 'pass',
    };
  }

  /**
   * A guardrails call that, when the service cannot be reached, either fails the request (the
   * default: `fail_mode: closed`) or lets it through unchecked where the policy says `open`;
   * the trace shows the stage as `unchecked` either way.
   */
  private async failOpenWhenAllowed<T>(draft: TraceDraft, stage: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await draft.stages.run(stage, call);
    } catch (error) {
      const unreachable = PlatformError.from(error).code === ErrorCode.Unavailable;
      if (!unreachable || this.guardrailPolicy(draft.context.tenantId, draft.command.request.model).failMode === 'closed') throw error;
      draft.stages.mark(stage, 'unchecked', 'guardrails unreachable; the policy fails open');
      return undefined;
    }
  }

  /**
   * Passages for the question, read with the caller's identity (documents with an access list
   * are only seen by the principals on it). When retrieval is down the request is answered
   * without passages rather than failed; the trace shows the stage's error.
   */
  private async retrieve(draft: TraceDraft, collection: string, question: string, hop: { deadlineMs: number; cancellation?: SignalSource }) {
    const { context } = draft;
    const principals = [context.userId].filter(Boolean);
    try {
      return await draft.stages.run('retrieval', () => this.mesh.retrieval.search({ context, collection, query: question, topK: RETRIEVAL_TOP_K, principals }, hop), {
        [LlmopsAttributes.collection]: collection,
      });
    } catch (error) {
      if (PlatformError.from(error).code !== ErrorCode.Unavailable) throw error;
      draft.stages.mark('retrieval', 'unavailable', 'retrieval unreachable; answered without passages');
      return undefined;
    }
  }

  /**
   * The output check of a whole answer, or (`piece`) of one piece of a buffered stream: a piece
   * is not checked for the response format, and the trace keeps the worst verdict of the pieces.
   */
  private async checkOutput(draft: TraceDraft, prepared: PreparedRequest, content: string, scope: 'whole' | 'piece' = 'whole'): Promise<string> {
    const { request } = draft.command;
    const responseFormat =
      request.params?.responseFormat && scope === 'whole'
        ? create(ResponseFormatSchema, { type: request.params.responseFormat, jsonSchema: request.params.responseSchemaJson })
        : undefined;
    const previous = draft.outputVerdict;
    const verdict = await this.failOpenWhenAllowed(draft, 'guardrails.output', () =>
      this.mesh.guardrails.checkOutput(
        { context: prepared.context, content, route: request.model, passages: prepared.passages, responseFormat, redactionVaultId: prepared.redactionVaultId },
        { deadlineMs: draft.command.deadlineMs },
      ),
    );
    const worst = (verdict: string) => (scope === 'piece' && (VERDICT_RANK[previous] ?? 0) > (VERDICT_RANK[verdict] ?? 0) ? previous : verdict);
    if (!verdict) {
      draft.outputVerdict = worst('unchecked');
      return content;
    }
    draft.outputVerdict = worst(GuardrailAction[verdict.action]?.toLowerCase() ?? 'unspecified');
    const types = verdict.findings.map((finding) => finding.type).join(',');
    if (verdict.action === GuardrailAction.BLOCK) {
      draft.stages.mark('guardrails.output', 'blocked', types);
      throw new PlatformError(ErrorCode.BlockedByGuardrail, verdict.reason || 'the answer was blocked by a guardrail');
    }
    if (verdict.action === GuardrailAction.REDACT || verdict.action === GuardrailAction.REWRITE) {
      draft.stages.mark('guardrails.output', verdict.action === GuardrailAction.REDACT ? 'redacted' : 'rewritten', types);
      return verdict.content;
    }
    // A reversible redaction's placeholders come back restored in an answer that otherwise passed.
    return prepared.redactionVaultId ? verdict.content : content;
  }

  private async finish(draft: TraceDraft, prepared: PreparedRequest, generated: GenerateResponse, content: string): Promise<CompleteResponse> {
    const usage = generated.usage ?? create(UsageSchema);
    const hit = prepared.direct !== undefined;
    // A cache hit or "I don't know" called no provider: it costs nothing and uses no tokens.
    const price = prepared.direct
      ? (draft.stages.skip('cost', prepared.direct.reason), undefined)
      : await draft.stages
          .run('cost', () => this.mesh.cost.price({ context: prepared.context, model: generated.model, usage, traceId: draft.traceId }, { deadlineMs: draft.command.deadlineMs }))
          .catch(() => undefined); // an answer is never lost to pricing; the trace shows the failed stage
    draft.costUsd = price?.totalCostUsd ?? 0;
    this.feedback.settle(prepared.decision, prepared.context, {
      answer: generated,
      ...(price?.priced ? { costUsd: price.totalCostUsd } : {}),
      latencyMs: draft.stages.stages.find((stage) => stage.stage === 'inference')?.latencyMs ?? 0,
      ok: true,
    });
    if (!hit) this.feedback.store(prepared.decision, prepared.context, draft.command.request, content, generated);
    trace.getActiveSpan()?.setAttributes({
      [GenAiAttributes.requestModel]: draft.command.request.model,
      [GenAiAttributes.responseModel]: generated.model?.version ?? '',
      [GenAiAttributes.providerName]: generated.model?.provider ?? '',
      [GenAiAttributes.inputTokens]: usage.inputTokens,
      [GenAiAttributes.outputTokens]: usage.outputTokens,
      [LlmopsAttributes.costUsd]: draft.costUsd,
      [LlmopsAttributes.route]: draft.route,
    });
    if (!hit) {
      this.events.publish(
        'llmops.usage.v1',
        create(UsageEventSchema, { eventId: randomUUID(), traceId: draft.traceId, occurredAt: timestampFromMs(Date.now()), context: prepared.context, model: generated.model, usage }),
      );
    }
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
      toolCalls: generated.toolCalls,
    });
  }

  /** Usage and cost of a stream that failed mid-way; the trace then carries them with the error. */
  private async recordPartialUsage(draft: TraceDraft, prepared: PreparedRequest, partial: GenerateResponse): Promise<void> {
    draft.answer = partial;
    const usage = partial.usage ?? create(UsageSchema);
    const price = await draft.stages
      .run('cost', () => this.mesh.cost.price({ context: prepared.context, model: partial.model, usage, traceId: draft.traceId }, { deadlineMs: draft.command.deadlineMs }))
      .catch(() => undefined);
    draft.costUsd = price?.totalCostUsd ?? 0;
    this.events.publish(
      'llmops.usage.v1',
      create(UsageEventSchema, { eventId: randomUUID(), traceId: draft.traceId, occurredAt: timestampFromMs(Date.now()), context: prepared.context, model: partial.model, usage }),
    );
  }

  private fail(draft: TraceDraft, span: Span, error: unknown): void {
    const platformError = PlatformError.from(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: platformError.code });
    span.end();
    const status = platformError.code === ErrorCode.BlockedByGuardrail || platformError.code === ErrorCode.InputTooLarge ? 'blocked' : 'error';
    // Settles the budget reservation with what was actually used: nothing without an answer, else its
    // priced cost (or the catalog price of its usage when it was not priced).
    this.feedback.settle(draft.decision, draft.context, { ...(draft.answer ? { answer: draft.answer } : {}), ...(draft.answer && draft.costUsd > 0 ? { costUsd: draft.costUsd } : {}), latencyMs: 0, ok: false });
    this.publishTrace(draft, status, platformError);
  }

  private publishTrace(draft: TraceDraft, status: string, error?: PlatformError): void {
    const { command, answer } = draft;
    publishRequestTrace(this.events, { traceId: draft.traceId, context: draft.context, endpoint: command.endpoint, stages: draft.stages }, status, error, {
      stream: command.stream,
      route: draft.route,
      requestedModel: command.request.model,
      model: answer?.model,
      promptName: draft.promptName,
      promptVersion: draft.promptVersion,
      usage: answer?.usage,
      costUsd: draft.costUsd,
      timeToFirstTokenMs: draft.firstTokenMs,
      inputVerdict: draft.inputVerdict,
      outputVerdict: draft.outputVerdict,
      citations: draft.citations,
      collection: draft.collection,
      routeReason: draft.decision?.reason ?? '',
      routeRule: draft.decision?.rule ?? '',
      experiment: draft.decision?.experiment?.name ?? '',
      experimentArm: draft.decision?.experiment?.arm ?? '',
      cacheStatus: draft.decision?.cache?.status ?? '',
      budgetAction: draft.decision?.budget?.action ?? '',
      attempts: answer?.attempts ?? [],
    });
  }

  private shadow(draft: TraceDraft, prepared: PreparedRequest): void {
    this.feedback.shadow(prepared.decision, {
      context: prepared.context,
      messages: prepared.messages,
      params: draft.command.request.params,
      passages: prepared.citations,
      traceId: draft.traceId,
      deadlineMs: draft.command.deadlineMs,
      endpoint: draft.command.endpoint,
    });
  }
}
