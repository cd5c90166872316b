import { performance } from 'node:perf_hooks';
import { ChatProvider, ChatRequest, ChatResult } from '../providers/chat-provider';
import { LinkedAbort } from '../providers/linked-abort';
import { abortError, PartialGeneration, ProviderError, ProviderErrorCode } from '../providers/provider-error';

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
}

/** Providers by provider id; a Map fits. */
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

export type ChainStreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: ChainResult };

export interface ModelChainExecutorOptions {
  /**
   * Longest wait for one model: for the whole answer, or for a stream's first delta (a stream
   * that has started is then bounded by the deadline only). Default: no limit of its own.
   */
  attemptTimeoutMs?: number;
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
export function shouldFallBack(error: ProviderError): boolean {
  switch (error.code) {
    case ProviderErrorCode.RATE_LIMITED:
    case ProviderErrorCode.UPSTREAM_UNAVAILABLE:
    case ProviderErrorCode.TIMEOUT:
    case ProviderErrorCode.STREAM_BROKEN:
    case ProviderErrorCode.CONTEXT_LENGTH:
      return true;
    case ProviderErrorCode.BAD_REQUEST:
    case ProviderErrorCode.AUTH:
    case ProviderErrorCode.CONTENT_POLICY:
    case ProviderErrorCode.CANCELLED:
    case ProviderErrorCode.UNKNOWN:
      return false;
  }
}

/**
 * Walks a model chain: each model in order until one answers, falling back on failures the
 * next model can avoid, within the caller's deadline. Each attempt is one call through
 * `attempt()`, the seam where retry-with-backoff and circuit-breaker policies will wrap it.
 */
export class ModelChainExecutor {
  constructor(
    private readonly providers: ChatProviderRegistry,
    private readonly options: ModelChainExecutorOptions = {},
  ) {}

  async generate(input: ChainRequest): Promise<ChainResult> {
    const started = performance.now();
    const chainScope = this.chainScope(input);
    const attempts: ChainAttempt[] = [];
    let lastError = emptyChainError(input.chain);
    try {
      for (const model of input.chain) {
        if (chainScope.signal.aborted) throw new ModelChainError(abortError(chainScope.signal), attempts);
        const attemptStarted = performance.now();
        const scope = this.attemptScope(chainScope, model);
        try {
          const result = await this.attempt(model, (provider) =>
            provider.generate(this.requestFor(input, model), scope.signal),
          );
          attempts.push({ model, latencyMs: performance.now() - attemptStarted });
          return { result, model, attempts, timeToFirstTokenMs: performance.now() - started };
        } catch (err) {
          lastError = asProviderError(err, scope.signal);
          attempts.push({ model, latencyMs: performance.now() - attemptStarted, error: lastError });
          if (chainScope.signal.aborted || !shouldFallBack(lastError)) throw new ModelChainError(lastError, attempts);
        } finally {
          scope.dispose();
        }
      }
      throw new ModelChainError(lastError, attempts);
    } finally {
      chainScope.dispose();
    }
  }

  /**
   * Streams from the first model that starts answering. Falling back is only possible while
   * nothing has been sent: once a delta went out, a failure ends the stream with the error.
   */
  async *generateStream(input: ChainRequest): AsyncIterable<ChainStreamEvent> {
    const started = performance.now();
    const chainScope = this.chainScope(input);
    const attempts: ChainAttempt[] = [];
    let lastError = emptyChainError(input.chain);
    try {
      for (const model of input.chain) {
        if (chainScope.signal.aborted) throw new ModelChainError(abortError(chainScope.signal), attempts);
        const attemptStarted = performance.now();
        const scope = this.attemptScope(chainScope, model);
        let firstTokenMs: number | undefined;
        try {
          const events = await this.attempt(model, async (provider) =>
            provider.generateStream(this.requestFor(input, model), scope.signal),
          );
          for await (const event of events) {
            if (event.type === 'delta') {
              if (firstTokenMs === undefined) {
                firstTokenMs = performance.now() - started;
                scope.clearTimer();
              }
              yield event;
              continue;
            }
            attempts.push({ model, latencyMs: performance.now() - attemptStarted });
            yield {
              type: 'done',
              result: {
                result: event.result,
                model,
                attempts,
                timeToFirstTokenMs: firstTokenMs ?? performance.now() - started,
              },
            };
            return;
          }
          throw new ProviderError(ProviderErrorCode.STREAM_BROKEN, `${model.provider}/${model.model} ended without a result`);
        } catch (err) {
          lastError = asProviderError(err, scope.signal);
          attempts.push({ model, latencyMs: performance.now() - attemptStarted, error: lastError });
          const sentSomething = firstTokenMs !== undefined;
          if (sentSomething || chainScope.signal.aborted || !shouldFallBack(lastError)) {
            throw new ModelChainError(lastError, attempts);
          }
        } finally {
          scope.dispose();
        }
      }
      throw new ModelChainError(lastError, attempts);
    } finally {
      chainScope.dispose();
    }
  }

  /** One call to one model's provider. */
  private async attempt<T>(model: ChainModel, call: (provider: ChatProvider) => Promise<T>): Promise<T> {
    const provider = this.providers.get(model.provider);
    if (!provider) {
      // Another model of the chain may live on a provider that is configured.
      throw new ProviderError(
        ProviderErrorCode.UPSTREAM_UNAVAILABLE,
        `provider '${model.provider}' of model '${model.model}' is not configured`,
      );
    }
    return call(provider);
  }

  private chainScope(input: ChainRequest): LinkedAbort {
    const scope = new LinkedAbort(input.signal);
    if (input.deadlineMs !== undefined) {
      scope.timeoutAfter(input.deadlineMs - Date.now(), 'the deadline passed before any model answered');
    }
    return scope;
  }

  private attemptScope(chainScope: LinkedAbort, model: ChainModel): LinkedAbort {
    const scope = new LinkedAbort(chainScope.signal);
    const ms = this.options.attemptTimeoutMs;
    if (ms !== undefined) scope.timeoutAfter(ms, `${model.provider}/${model.model} gave no answer within ${ms} ms`);
    return scope;
  }

  private requestFor(input: ChainRequest, model: ChainModel): ChatRequest {
    return { ...input.request, model: model.version || model.model };
  }
}

function asProviderError(err: unknown, signal: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted) return abortError(signal);
  return new ProviderError(ProviderErrorCode.UNKNOWN, err instanceof Error ? err.message : String(err), { cause: err });
}

function emptyChainError(chain: ChainModel[]): ProviderError {
  return new ProviderError(
    ProviderErrorCode.BAD_REQUEST,
    chain.length === 0 ? 'the model chain is empty' : 'no model of the chain was tried',
  );
}
