import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  RetryPolicy,
  circuitBreaker,
  handleWhen,
  retry,
  type IRetryBackoffContext,
} from 'cockatiel';
import { DEFAULT_PROVIDER_RESILIENCE, type ProviderResilience } from '@llmops/config';
import { performance } from 'node:perf_hooks';
import { LinkedAbort } from '../providers/linked-abort';
import { abortError, ProviderError, ProviderErrorCode } from '../providers/provider-error';
import { inferenceAttempts, inferenceBreakerState } from './inference.metrics';

/** Per provider (llmops.yaml `providers.<id>.resilience`); the defaults are the config's. */
export type ResilienceSettings = ProviderResilience;

export const DEFAULT_RESILIENCE: Readonly<ResilienceSettings> = DEFAULT_PROVIDER_RESILIENCE;

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface BreakerStatus {
  provider: string;
  /** The provider model version the breaker guards. */
  model: string;
  state: BreakerStateName;
  consecutiveFailures: number;
}

/** One try of a model, as the policies saw it. */
export interface PolicyTry {
  /** 0 for the first try, 1 for the first retry... */
  retry: number;
  latencyMs: number;
  error?: ProviderError;
  /** Not sent: the breaker was open. */
  skipped?: boolean;
}

/** Retrying the same model helps with load and flaky connections; a timeout moves on to the next model. */
function isRetryable(error: ProviderError): boolean {
  return (
    error.retryable &&
    (error.code === ProviderErrorCode.RATE_LIMITED ||
      error.code === ProviderErrorCode.UPSTREAM_UNAVAILABLE ||
      error.code === ProviderErrorCode.STREAM_BROKEN)
  );
}

/** What says the upstream is unwell; a bad request or the caller leaving says nothing about it. */
function isBreakerFailure(error: unknown): boolean {
  if (!(error instanceof ProviderError)) return false;
  switch (error.code) {
    case ProviderErrorCode.RATE_LIMITED:
    case ProviderErrorCode.UPSTREAM_UNAVAILABLE:
    case ProviderErrorCode.TIMEOUT:
    case ProviderErrorCode.STREAM_BROKEN:
      return true;
    default:
      return false;
  }
}

function stateName(state: CircuitState): BreakerStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half_open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}

const STATE_VALUE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The cockatiel policies of one provider model: retries with exponential backoff and full jitter
 * (or the upstream's Retry-After) around a consecutive-failure circuit breaker.
 */
export class ModelPolicy {
  readonly breaker: CircuitBreakerPolicy;
  private readonly retryPolicy: RetryPolicy;
  private failures = 0;
  private openedAt = 0;

  constructor(
    readonly provider: string,
    readonly model: string,
    readonly settings: ResilienceSettings,
    random: () => number,
  ) {
    this.breaker = circuitBreaker(handleWhen(isBreakerFailure), {
      halfOpenAfter: settings.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailureThreshold),
    });
    // cockatiel reports every error; only those the breaker handles (isBreakerFailure) count.
    this.breaker.onFailure(({ handled }) => {
      if (handled) this.failures++;
    });
    this.breaker.onSuccess(() => (this.failures = 0));
    this.breaker.onBreak(() => (this.openedAt = Date.now()));
    this.breaker.onStateChange((state) =>
      inferenceBreakerState.set({ provider: provider, model }, STATE_VALUE[stateName(state)]),
    );
    inferenceBreakerState.set({ provider, model }, 0);

    const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
      const error = 'error' in context.result ? context.result.error : undefined;
      if (error instanceof ProviderError && error.retryAfterMs !== undefined) return error.retryAfterMs;
      // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, cap].
      const cap = Math.min(settings.backoffMaxMs, settings.backoffInitialMs * 2 ** (context.attempt - 1));
      return Math.floor(random() * cap);
    });
    this.retryPolicy = retry(
      handleWhen(
        (error) =>
          error instanceof ProviderError &&
          isRetryable(error) &&
          (error.retryAfterMs === undefined || error.retryAfterMs <= settings.maxRetryAfterMs),
      ),
      { maxAttempts: settings.maxRetries, backoff },
    );
  }

  get status(): BreakerStatus {
    const state = this.breaker.state === CircuitState.Open && !this.isOpen ? 'half_open' : stateName(this.breaker.state);
    return { provider: this.provider, model: this.model, state, consecutiveFailures: this.failures };
  }

  /**
   * True while the breaker refuses calls: the chain moves on at once. cockatiel moves an open
   * breaker to half-open only when a call arrives after the cooldown, so the cooldown is checked
   * here; while half-open, its one probe is in flight and other calls move on too.
   */
  get isOpen(): boolean {
    if (this.breaker.state === CircuitState.Isolated || this.breaker.state === CircuitState.HalfOpen) return true;
    return this.breaker.state === CircuitState.Open && Date.now() - this.openedAt < this.settings.breakerCooldownMs;
  }

  /**
   * Calls `call` until it succeeds, fails for good, or retries run out; each try gets its own
   * abort scope with the per-attempt timeout. On success the scope of the winning try is handed
   * to the caller (a stream keeps using it) and must be disposed by it.
   */
  async run<T>(
    parent: AbortSignal,
    call: (scope: LinkedAbort) => Promise<T>,
    onTry: (attempt: PolicyTry) => void,
    options: { holdBreaker?: boolean } = {},
  ): Promise<{ value: T; scope: LinkedAbort; settle: (error?: ProviderError) => void }> {
    const timeoutMs = this.settings.attemptTimeoutMs;
    try {
      const retries = this.retryPolicy.execute(async ({ attempt }) => {
        const scope = new LinkedAbort(parent);
        scope.timeoutAfter(timeoutMs, `${this.provider}/${this.model} gave no answer within ${timeoutMs} ms`);
        const started = performance.now();
        // With holdBreaker (streams) the try succeeds at its first event, but the breaker hears
        // the outcome only when the caller settles it: at the stream's end or its failure.
        let settle: (error?: ProviderError) => void = () => undefined;
        const outcome = options.holdBreaker
          ? new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())))
          : undefined;
        try {
          // A half-open breaker lets one probe through; cockatiel would queue the others behind it.
          if (this.breaker.state === CircuitState.HalfOpen) throw new BrokenCircuitError();
          const value = await new Promise<T>((resolve, reject) => {
            this.breaker
              .execute(async () => {
                const first = await call(scope);
                resolve(first);
                if (outcome) await outcome;
                return first;
              })
              .catch(reject); // after resolve(), a later rejection only reaches the breaker
          });
          onTry({ retry: attempt, latencyMs: performance.now() - started });
          inferenceAttempts.inc({ provider: this.provider, model: this.model, outcome: 'ok' });
          return { value, scope, settle };
        } catch (err) {
          scope.dispose();
          const skipped = err instanceof BrokenCircuitError;
          const error = skipped ? this.openError() : toProviderError(err, scope.signal);
          onTry({ retry: attempt, latencyMs: performance.now() - started, error, ...(skipped ? { skipped } : {}) });
          inferenceAttempts.inc({ provider: this.provider, model: this.model, outcome: skipped ? 'skipped' : error.code });
          throw error;
        }
      }, parent);
      // cockatiel 3's backoff sleep ignores the signal: a cancel or deadline must not wait it out.
      // The loop left behind stops at its next check of the (aborted) signal.
      return await untilAborted(retries, parent);
    } catch (err) {
      // cockatiel reports an abort during a backoff sleep as its own TaskCancelledError.
      if (err instanceof ProviderError) throw err;
      throw parent.aborted ? abortError(parent) : toProviderError(err, parent);
    }
  }

  openError(): ProviderError {
    return new ProviderError(
      ProviderErrorCode.UPSTREAM_UNAVAILABLE,
      `${this.provider}/${this.model} skipped: its circuit breaker is open`,
      { retryable: false },
    );
  }
}

/** One ModelPolicy per provider+model, made on first use. */
export class ModelPolicies {
  private readonly policies = new Map<string, ModelPolicy>();

  constructor(
    private readonly settingsFor: (providerId: string) => ResilienceSettings = () => DEFAULT_RESILIENCE,
    private readonly random: () => number = Math.random,
  ) {}

  for(provider: string, model: string): ModelPolicy {
    const key = `${provider}\u0000${model}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = new ModelPolicy(provider, model, this.settingsFor(provider), this.random);
      this.policies.set(key, policy);
    }
    return policy;
  }

  settings(provider: string): ResilienceSettings {
    return this.settingsFor(provider);
  }

  statuses(): BreakerStatus[] {
    return [...this.policies.values()].map((policy) => policy.status);
  }
}

function toProviderError(err: unknown, signal: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted) return abortError(signal);
  return new ProviderError(ProviderErrorCode.UNKNOWN, err instanceof Error ? err.message : String(err), { cause: err });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
