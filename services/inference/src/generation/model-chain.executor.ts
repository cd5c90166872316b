import { performance } from 'node:perf_hooks';
import { ChatProvider, ChatRequest, ChatResult, ChatStreamEvent, ToolCallDelta } from '../providers/chat-provider';
import { LinkedAbort } from '../providers/linked-abort';
import { abortError, PartialGeneration, ProviderError, ProviderErrorCode } from '../providers/provider-error';
import { BreakerStatus, ModelPolicies, ModelPolicy, PolicyTry, ResilienceSettings } from './model-policies';

export interface ChainModel {
  /** Provider id from llmops.yaml: the key into the provider registry. */
  provider: string;
  /** The model id as users name it. */
  model: string;
  /** The pinned provider model version sent upstream; the model id when empty. */
  version: string;
}

/** One try of one model, as recorded on the trace. */
export interface ChainAttempt {
  model: ChainModel;
  latencyMs: number;
  /** Absent when the attempt succeeded. */
  error?: ProviderError;
  /** 0 for a model's first try, 1 for its first retry... */
  retry: number;
  /** Not sent: the model's breaker was open, or its window is no larger than one that overflowed. */
  skipped?: boolean;
}

export interface ChatProviderRegistry {
  get(providerId: string): ChatProvider | undefined;
}

export interface ChainRequest {
  chain: ChainModel[];
  request: Omit<ChatRequest, 'model'>;
  /** Absolute deadline in ms since the epoch, from the caller (what is left of its deadline). */
  deadlineMs?: number;
  /** The caller's cancellation; aborting it aborts the upstream call in flight. */
  signal?: AbortSignal;
}

export interface ChainResult {
  result: ChatResult;
  /** The model that answered. */
  model: ChainModel;
  attempts: ChainAttempt[];
  /** From the start of the chain to the first delta (streams) or to the whole answer. */
  timeToFirstTokenMs: number;
}

export type ChainStreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call'; delta: ToolCallDelta }
  | { type: 'done'; result: ChainResult };

export interface ModelChainExecutorOptions {
  /**
   * Retries, per-attempt timeout (for a whole answer, or for a stream's first event) and circuit
   * breakers per provider model. Default: DEFAULT_RESILIENCE for every provider.
   */
  policies?: ModelPolicies;
  /** A model's context window, to skip models no larger than one that overflowed. */
  contextWindowOf?: (model: ChainModel) => number | undefined;
}

/** The chain gave no answer: the error that ended it, with every attempt made. */
export class ModelChainError extends Error {
  override readonly name = 'ModelChainError';
  readonly code: ProviderErrorCode;
  readonly retryAfterMs?: number;
  /** What a stream had already sent when it failed (its deltas went out to the caller). */
  readonly partial?: PartialGeneration;

  constructor(
    readonly lastError: ProviderError,
    readonly attempts: ChainAttempt[],
  ) {
    const last = attempts[attempts.length - 1];
    super(
      last
        ? `${last.model.provider}/${last.model.model} failed after ${attempts.length} attempt(s): ${lastError.message}`
        : lastError.message,
      { cause: lastError },
    );
    this.code = lastError.code;
    this.retryAfterMs = lastError.retryAfterMs;
    this.partial = lastError.partial;
  }
}

/**
 * Whether the next model in the chain may succeed where this one failed. Load, outages and
 * slowness are the upstream's; a bad or forbidden request would fail everywhere. A context
 * overflow may fit the next model's larger window.
 */
export function shouldFallBack(error: ProviderError, settings?: Pick<ResilienceSettings, 'fallbackOnContentPolicy'>): boolean {
  if (error.code === ProviderErrorCode.CONTENT_POLICY) return settings?.fallbackOnContentPolicy ?? false;
  switch (error.code) {
    case ProviderErrorCode.RATE_LIMITED:
    case ProviderErrorCode.UPSTREAM_UNAVAILABLE:
    case ProviderErrorCode.TIMEOUT:
    case ProviderErrorCode.STREAM_BROKEN:
    case ProviderErrorCode.CONTEXT_LENGTH:
      return true;
    case ProviderErrorCode.BAD_REQUEST:
    case ProviderErrorCode.AUTH:
    case ProviderErrorCode.CANCELLED:
    case ProviderErrorCode.UNKNOWN:
      return false;
  }
}

/**
 * Walks a model chain: each model in order until one answers, falling back on failures the
 * next model can avoid, within the caller's deadline. Each model is tried through its
 * ModelPolicy (cockatiel retries around a circuit breaker); an open breaker skips the model.
 */
export class ModelChainExecutor {
  private readonly policies: ModelPolicies;

  constructor(
    private readonly providers: ChatProviderRegistry,
    private readonly options: ModelChainExecutorOptions = {},
  ) {
    this.policies = options.policies ?? new ModelPolicies();
  }

  async generate(input: ChainRequest): Promise<ChainResult> {
    const started = performance.now();
    const chainScope = this.chainScope(input);
    const walk = new ChainWalk(input.chain, this.policies, this.options.contextWindowOf);
    try {
      for (const model of input.chain) {
        if (chainScope.signal.aborted) throw new ModelChainError(abortError(chainScope.signal), walk.attempts);
        const provider = this.providers.get(model.provider);
        if (!provider) {
          // Another model of the chain may live on a provider that is configured.
          walk.skip(model, notConfigured(model));
          continue;
        }
        const policy = walk.policyFor(model);
        if (!policy) continue;
        try {
          const { value: result, scope } = await policy.run(
            chainScope.signal,
            (scope) => provider.generate(this.requestFor(input, model), scope.signal),
            (attempt) => walk.record(model, attempt),
          );
          scope.dispose();
          if (result.finishReason === 'content_filter' && policy.settings.fallbackOnContentPolicy) {
            walk.refused(model);
            continue;
          }
          return { result, model, attempts: walk.attempts, timeToFirstTokenMs: performance.now() - started };
        } catch (err) {
          const error = asProviderError(err, chainScope.signal);
          walk.failed(model, error);
          if (chainScope.signal.aborted || !shouldFallBack(error, policy.settings)) throw new ModelChainError(error, walk.attempts);
        }
      }
      throw new ModelChainError(walk.lastError, walk.attempts);
    } finally {
      chainScope.dispose();
    }
  }

  /**
   * Streams from the first model that starts answering. Retries and fallbacks happen only
   * while nothing has been sent: once an event went out, a failure ends the stream with the
   * error, which carries what was generated (`partial`) so its usage can still be recorded.
   */
  async *generateStream(input: ChainRequest): AsyncIterable<ChainStreamEvent> {
    const started = performance.now();
    const chainScope = this.chainScope(input);
    const walk = new ChainWalk(input.chain, this.policies, this.options.contextWindowOf);
    try {
      for (const model of input.chain) {
        if (chainScope.signal.aborted) throw new ModelChainError(abortError(chainScope.signal), walk.attempts);
        const provider = this.providers.get(model.provider);
        if (!provider) {
          // Another model of the chain may live on a provider that is configured.
          walk.skip(model, notConfigured(model));
          continue;
        }
        const policy = walk.policyFor(model);
        if (!policy) continue;
        let opened: {
          value: { first: IteratorResult<ChatStreamEvent>; rest: AsyncIterator<ChatStreamEvent> };
          scope: LinkedAbort;
          settle: (error?: ProviderError) => void;
        };
        try {
          // A try ends at the first event: that is what retries and the per-attempt timeout cover.
          opened = await policy.run(
            chainScope.signal,
            async (scope) => {
              const rest = provider.generateStream(this.requestFor(input, model), scope.signal)[Symbol.asyncIterator]();
              return { first: await rest.next(), rest };
            },
            (attempt) => walk.record(model, attempt),
            { holdBreaker: true },
          );
        } catch (err) {
          const error = asProviderError(err, chainScope.signal);
          walk.failed(model, error);
          if (chainScope.signal.aborted || !shouldFallBack(error, policy.settings)) throw new ModelChainError(error, walk.attempts);
          continue;
        }
        // The breaker hears how the stream ended; unsettled (the caller stopped reading) counts as fine.
        let outcome: ProviderError | undefined;
        const { scope } = opened;
        scope.clearTimer();
        const attemptIndex = walk.attempts.length - 1;
        const openedAt = performance.now();
        const firstTokenMs = openedAt - started;
        try {
          const first = opened.value.first;
          if (!first.done && first.value.type === 'done' && first.value.result.finishReason === 'content_filter' && policy.settings.fallbackOnContentPolicy) {
            walk.refused(model);
            continue;
          }
          let next = first;
          while (!next.done) {
            const event = next.value;
            if (event.type === 'done') {
              walk.streamEnded(attemptIndex, performance.now() - openedAt);
              yield { type: 'done', result: { result: event.result, model, attempts: walk.attempts, timeToFirstTokenMs: firstTokenMs } };
              return;
            }
            yield event;
            next = await opened.value.rest.next();
          }
          throw new ProviderError(ProviderErrorCode.STREAM_BROKEN, `${model.provider}/${model.model} ended without a result`);
        } catch (err) {
          // Something went out: no retry, no fallback. The failure is recorded on the try that started the stream.
          const error = asProviderError(err, scope.signal);
          walk.streamEnded(attemptIndex, performance.now() - openedAt, error);
          outcome = error;
          throw new ModelChainError(error, walk.attempts);
        } finally {
          opened.settle(outcome);
          scope.dispose();
          // Ends the provider's stream when the caller stopped reading early.
          void opened.value.rest.return?.();
        }
      }
      throw new ModelChainError(walk.lastError, walk.attempts);
    } finally {
      chainScope.dispose();
    }
  }

  /** Circuit breaker states, for ProviderHealth. */
  breakerStatuses(): BreakerStatus[] {
    return this.policies.statuses();
  }

  private chainScope(input: ChainRequest): LinkedAbort {
    const scope = new LinkedAbort(input.signal);
    if (input.deadlineMs !== undefined) {
      scope.timeoutAfter(input.deadlineMs - Date.now(), 'the deadline passed before any model answered');
    }
    return scope;
  }

  private requestFor(input: ChainRequest, model: ChainModel): ChatRequest {
    return { ...input.request, model: model.version || model.model };
  }
}

/** The bookkeeping of one walk down a chain: attempts, the last error, models to skip. */
class ChainWalk {
  readonly attempts: ChainAttempt[] = [];
  lastError: ProviderError;
  /** After a context overflow, only models with a larger window are worth trying. */
  private minWindow = 0;

  constructor(
    chain: ChainModel[],
    private readonly policies: ModelPolicies,
    private readonly contextWindowOf?: (model: ChainModel) => number | undefined,
  ) {
    this.lastError = emptyChainError(chain);
  }

  /** The model's policy, or undefined (with a skipped attempt recorded) when it is not worth calling. */
  policyFor(model: ChainModel): ModelPolicy | undefined {
    const policy = this.policies.for(model.provider, model.version || model.model);
    const window = this.contextWindowOf?.(model);
    if (this.minWindow > 0 && window !== undefined && window <= this.minWindow) {
      this.skip(model, new ProviderError(ProviderErrorCode.CONTEXT_LENGTH, `${model.provider}/${model.model} skipped: its ${window}-token window is no larger than the one that overflowed`));
      return undefined;
    }
    if (policy.isOpen) {
      this.skip(model, policy.openError());
      return undefined;
    }
    return policy;
  }

  record(model: ChainModel, attempt: PolicyTry): void {
    this.attempts.push({ model, ...attempt });
  }

  failed(model: ChainModel, error: ProviderError): void {
    this.lastError = error;
    if (error.code === ProviderErrorCode.CONTEXT_LENGTH) this.minWindow = Math.max(this.minWindow, this.contextWindowOf?.(model) ?? 0);
    // A failure outside any try (the provider is not configured) still belongs on the trace.
    const last = this.attempts[this.attempts.length - 1];
    if (!last || last.model !== model || !last.error) this.attempts.push({ model, latencyMs: 0, error, retry: 0 });
  }

  /** A stream's try lasts to its end: the time after the first event is added, with the error that ended it. */
  streamEnded(index: number, afterFirstEventMs: number, error?: ProviderError): void {
    if (error) this.lastError = error;
    const attempt = this.attempts[index];
    if (attempt) this.attempts[index] = { ...attempt, latencyMs: attempt.latencyMs + afterFirstEventMs, ...(error ? { error } : {}) };
  }

  /** An answer refused for content policy, where the provider's config says to try the next model. */
  refused(model: ChainModel): void {
    const error = new ProviderError(ProviderErrorCode.CONTENT_POLICY, `${model.provider}/${model.model} refused (finish_reason content_filter)`);
    this.lastError = error;
    const last = this.attempts[this.attempts.length - 1];
    if (last) this.attempts[this.attempts.length - 1] = { ...last, error };
  }

  skip(model: ChainModel, error: ProviderError): void {
    this.lastError = error;
    this.attempts.push({ model, latencyMs: 0, error, retry: 0, skipped: true });
  }
}

function asProviderError(err: unknown, signal: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted) return abortError(signal);
  return new ProviderError(ProviderErrorCode.UNKNOWN, err instanceof Error ? err.message : String(err), { cause: err });
}

/** The model's provider is not in the registry: not in llmops.yaml, or its API key is not set. */
export function notConfigured(model: ChainModel): ProviderError {
  return new ProviderError(
    ProviderErrorCode.UPSTREAM_UNAVAILABLE,
    `provider '${model.provider}' of model '${model.model}' is not configured (not in llmops.yaml, or its api_key_env variable is not set)`,
    { retryable: false },
  );
}

function emptyChainError(chain: ChainModel[]): ProviderError {
  return new ProviderError(
    ProviderErrorCode.BAD_REQUEST,
    chain.length === 0 ? 'the model chain is empty' : 'no model of the chain was tried',
  );
}
