import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  GenerateResponseSchema,
  RequestContextSchema,
  UsageEventSchema,
  UsageSchema,
  type EmbedResponse,
  type RequestContext,
  type RouteDecision,
  type Usage,
} from '@llmops/contracts';
import { ErrorCode, PlatformError, type SignalSource } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { GenAiAttributes, LlmopsAttributes } from '@llmops/telemetry';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { InFlightLimiter } from '../admission/in-flight.limiter';
import type { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import { RoutingFeedback } from '../completion/routing-feedback';
import { StageRecorder } from '../completion/stage-recorder';
import { publishRequestTrace, requestContextOf, withRootSpan } from '../completion/request-trace';
import type { MeshClients } from '../mesh/mesh-clients';
import type { ModelCatalog } from '../models/model-catalog';

export type EmbeddingEndpoint = 'http.embeddings' | 'grpc.Embed';

export interface EmbeddingCommand {
  endpoint: EmbeddingEndpoint;
  /** The raw `authorization` value; checked here so failed attempts are traced too. */
  authorization: string | undefined;
  /** An embedding model's id: embeddings never go through a route (see `checkModel`). */
  model: string;
  inputs: string[];
  dimensions?: number;
  /** The end user the caller names (OpenAI's `user`), recorded like chat's. */
  user: string;
  /** Absolute deadline (epoch ms); every hop gets what is left of it. */
  deadlineMs: number;
  /** Cancels the request's calls when the client goes away; its signal is made only for a call. */
  cancellation?: SignalSource;
}

export interface EmbeddingOutcome {
  traceId: string;
  /** The model id the caller named. */
  model: string;
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: Usage | undefined;
  costUsd: number;
}


/** Why embedding inputs skip the input guardrails; on every trace, so nobody has to guess. */
const UNCHECKED_INPUT = 'embedding inputs are documents turned into vectors, never shown to a model or a user';

/** What the trace event needs, gathered while the request runs. */
class EmbeddingTrace {
  context: RequestContext;
  readonly stages = new StageRecorder();
  decision: RouteDecision | undefined;
  answer: EmbedResponse | undefined;
  costUsd = 0;

  constructor(
    readonly traceId: string,
    readonly command: EmbeddingCommand,
  ) {
    this.context = create(RequestContextSchema, { traceId, requestId: randomUUID() });
  }
}

/**
 * POST /v1/embeddings: authenticate; routing pins the named model and enforces budgets and rate
 * limits (a reservation, settled after the call with the priced cost); inference's `Embed` under
 * the request deadline; pricing (input tokens only). A usage event and a trace event as chat's,
 * and never the input texts. Input guardrails do not apply: embeddings hand no text to a model
 * that answers, and documents trip prompt-injection and harm detectors by their subject alone.
 */
export class EmbeddingUseCase {
  private readonly feedback: RoutingFeedback;

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly mesh: Pick<MeshClients, 'routing' | 'inference' | 'cost'>,
    private readonly events: Pick<EventPublisher, 'publish'>,
    private readonly models: Pick<ModelCatalog, 'describe' | 'embeddingModels'>,
    private readonly limiter: Pick<InFlightLimiter, 'admit'>,
  ) {
    this.feedback = new RoutingFeedback(mesh, events);
  }

  async embed(command: EmbeddingCommand): Promise<EmbeddingOutcome> {
    const release = this.limiter.admit(command.endpoint);
    try {
      return await this.withRootSpan(command, (draft) => this.run(draft));
    } finally {
      release();
    }
  }

  /**
   * A request refused before it could be read (not JSON, too large, not an embeddings request):
   * authenticated first, then traced with a `validation` stage, as chat's (CompletionUseCase.reject).
   * Always throws the error to answer with, carrying its trace id.
   */
  async reject(refused: { authorization: string | undefined; requestedModel?: string; user?: string }, error: unknown): Promise<never> {
    const command: EmbeddingCommand = {
      endpoint: 'http.embeddings',
      authorization: refused.authorization,
      model: refused.requestedModel ?? '',
      inputs: [],
      user: refused.user ?? '',
      deadlineMs: Number.POSITIVE_INFINITY,
    };
    return this.withRootSpan(command, async (draft) => {
      await this.authStage(draft);
      return draft.stages.run('validation', () => Promise.reject(error));
    });
  }

  /** Runs `work` under the request's root span; a failure is traced and thrown with its trace id. */
  private withRootSpan<T>(command: EmbeddingCommand, work: (draft: EmbeddingTrace) => Promise<T>): Promise<T> {
    return withRootSpan('gateway.embeddings', command.endpoint, (traceId) => new EmbeddingTrace(traceId, command), work, (draft, span, error) => this.fail(draft, span, error));
  }

  /** The `auth` stage: the caller's key, then the request context every hop carries. */
  private async authStage(draft: EmbeddingTrace): Promise<void> {
    const caller = await draft.stages.run('auth', async () => this.authenticator.authenticate(draft.command.authorization));
    draft.context = requestContextOf(caller, { traceId: draft.traceId, requestId: draft.context.requestId, user: draft.command.user });
    trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.tenantId]: caller.tenant, [LlmopsAttributes.projectId]: caller.project });
  }

  private async run(draft: EmbeddingTrace): Promise<EmbeddingOutcome> {
    const { command, stages } = draft;
    await this.authStage(draft);
    const context = draft.context;
    if (Date.now() >= command.deadlineMs) throw new PlatformError(ErrorCode.DeadlineExceeded, 'the request deadline passed before it could be served');
    this.checkModel(command.model);
    stages.skip('guardrails.input', UNCHECKED_INPUT);

    const hop = { deadlineMs: command.deadlineMs, cancellation: command.cancellation };
    // Routing sees the texts only to estimate the tokens it reserves; max_tokens 0: nothing is generated.
    const decision = await stages
      .run('routing', () =>
        this.mesh.routing.route(
          { context, model: command.model, messages: command.inputs.map((content) => ({ role: 'user', content })), params: { maxTokens: 0 }, noCache: true, needs: ['embeddings'] },
          hop,
        ),
      )
      .catch((error: unknown) => {
        // Routing's 404 lists chat routes and every model; the caller needs the embedding models.
        const platformError = PlatformError.from(error);
        if (platformError.code !== ErrorCode.ModelNotFound) throw error;
        throw new PlatformError(ErrorCode.ModelNotFound, `Unknown model "${command.model.slice(0, 100)}". ${this.embeddingModelsSentence()}`, platformError.details);
      });
    draft.decision = decision;
    const model = decision.chain[0];
    if (!model) throw new PlatformError(ErrorCode.Internal, `routing returned no model for "${command.model}"`);

    const answer = await stages
      .run(
        'inference',
        () => this.mesh.inference.embed({ context, model, inputs: command.inputs, ...(command.dimensions !== undefined ? { dimensions: command.dimensions } : {}) }, hop),
        { [GenAiAttributes.operationName]: 'embeddings', [GenAiAttributes.requestModel]: command.model },
      )
      .catch((error: unknown) => {
        const platformError = PlatformError.from(error);
        // A text longer than the model takes is the caller's `input`, not chat's `messages`.
        if (platformError.code !== ErrorCode.InputTooLarge) throw error;
        throw new PlatformError(platformError.code, platformError.message, { ...platformError.details, param: 'input' });
      });
    draft.answer = answer;
    if (answer.embeddings.length !== command.inputs.length) {
      throw new PlatformError(ErrorCode.UpstreamError, `${model.provider} returned ${answer.embeddings.length} embeddings for ${command.inputs.length} inputs`);
    }
    const usage = answer.usage ?? create(UsageSchema);
    const answeredBy = answer.model ?? model;
    const price = await stages
      .run('cost', () => this.mesh.cost.price({ context, model: answeredBy, usage, traceId: draft.traceId }, { deadlineMs: command.deadlineMs }))
      .catch(() => undefined); // the vectors are never lost to pricing; the trace shows the failed stage
    draft.costUsd = price?.totalCostUsd ?? 0;
    this.feedback.settle(decision, context, {
      answer: create(GenerateResponseSchema, { model: answeredBy, usage }),
      ...(price?.priced ? { costUsd: price.totalCostUsd } : {}),
      latencyMs: stages.stages.find((stage) => stage.stage === 'inference')?.latencyMs ?? 0,
      ok: true,
    });
    trace.getActiveSpan()?.setAttributes({
      [GenAiAttributes.operationName]: 'embeddings',
      [GenAiAttributes.requestModel]: command.model,
      [GenAiAttributes.responseModel]: answer.responseModel,
      [GenAiAttributes.providerName]: answeredBy.provider,
      [GenAiAttributes.inputTokens]: usage.inputTokens,
      [LlmopsAttributes.costUsd]: draft.costUsd,
      [LlmopsAttributes.route]: decision.route,
    });
    this.events.publish(
      'llmops.usage.v1',
      create(UsageEventSchema, { eventId: randomUUID(), traceId: draft.traceId, occurredAt: timestampFromMs(Date.now()), context, model: answeredBy, usage }),
    );
    this.publishTrace(draft, 'ok');
    return { traceId: draft.traceId, model: command.model, vectors: answer.embeddings.map((embedding) => embedding.vector), usage, costUsd: draft.costUsd };
  }

  /**
   * Embeddings name one model and are served by it alone: falling back to another model would
   * return vectors of another space, which a caller cannot compare with the ones it stored.
   * Names routing would not know are left to routing, whose 404 lists every model.
   */
  private checkModel(name: string): void {
    const described = this.models.describe(name);
    if (!described) return;
    const choose = this.embeddingModelsSentence();
    if (described.isRoute) {
      throw new PlatformError(ErrorCode.InvalidRequest, `"${name}" is a route; embeddings need the id of an embedding model. ${choose}`, { param: 'model' });
    }
    if (!described.embeddings) {
      throw new PlatformError(ErrorCode.InvalidRequest, `The model "${name}" does not serve embeddings (it has no "embeddings" capability in llmops.yaml). ${choose}`, { param: 'model' });
    }
  }

  private embeddingModelsSentence(): string {
    const available = this.models.embeddingModels();
    return available.length > 0 ? `Embedding models: ${available.join(', ')}.` : 'No embedding model is configured in llmops.yaml.';
  }

  private fail(draft: EmbeddingTrace, span: Span, error: unknown): void {
    const platformError = PlatformError.from(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: platformError.code });
    span.end();
    // No vectors, nothing spent as far as we know: the reservation is released.
    this.feedback.settle(draft.decision, draft.context, { latencyMs: 0, ok: false });
    this.publishTrace(draft, 'error', platformError);
  }

  private publishTrace(draft: EmbeddingTrace, status: string, error?: PlatformError): void {
    const { command, answer, decision } = draft;
    publishRequestTrace(this.events, { traceId: draft.traceId, context: draft.context, endpoint: command.endpoint, stages: draft.stages }, status, error, {
      route: decision?.route ?? '',
      requestedModel: command.model,
      ...(answer?.model ? { model: answer.model } : {}),
      ...(answer?.usage ? { usage: answer.usage } : {}),
      costUsd: draft.costUsd,
      inputVerdict: 'unchecked',
      routeReason: decision?.reason ?? '',
      cacheStatus: decision?.cache?.status ?? '',
      budgetAction: decision?.budget?.action ?? '',
    });
  }
}
