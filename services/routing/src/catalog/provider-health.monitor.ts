import type { ProviderHealthResponse } from '@llmops/contracts';
import type { ModelRef } from './model-catalog';

/** What inference last said about one model: `down` models are left out, `degraded` ones go last. */
export interface LiveModelHealth {
  state: 'degraded' | 'down';
  why: string;
}

/** The port the engine reads; undefined means nothing known beyond llmops.yaml. */
export interface LiveHealth {
  of(model: Pick<ModelRef, 'provider' | 'version'>): LiveModelHealth | undefined;
}

interface Logger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Keeps routing's view of model health current from inference's `ProviderHealth`: a provider
 * without its API key is `down` (inference would skip its models anyway), a model whose circuit
 * breaker is open or half-open is `degraded`. Polled every `intervalMs`; a report older than
 * `staleAfterMs` is forgotten, so an unreachable inference service leaves llmops.yaml in charge
 * rather than a picture of the past.
 */
export class ProviderHealthMonitor implements LiveHealth {
  private byModel = new Map<string, LiveModelHealth>();
  private reportedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly fetch: () => Promise<ProviderHealthResponse>,
    private readonly options: { intervalMs: number; staleAfterMs?: number; logger?: Logger; now?: () => number },
  ) {}

  of(model: Pick<ModelRef, 'provider' | 'version'>): LiveModelHealth | undefined {
    if (this.now() - this.reportedAt > (this.options.staleAfterMs ?? this.options.intervalMs * 5)) return undefined;
    return this.byModel.get(keyOf(model.provider, model.version)) ?? this.byModel.get(keyOf(model.provider, '*'));
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One poll; public so a test can drive it without waiting for the timer. */
  async poll(): Promise<void> {
    try {
      this.apply(await this.fetch());
      if (this.failing) this.options.logger?.info({}, 'provider health from inference is back');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.logger?.warn({ err: (error as Error).message }, 'cannot read provider health from inference; routing uses llmops.yaml health');
      this.failing = true;
    } finally {
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.poll(), this.options.intervalMs);
        this.timer.unref();
      }
    }
  }

  private apply(report: ProviderHealthResponse): void {
    const byModel = new Map<string, LiveModelHealth>();
    for (const provider of report.providers) {
      if (!provider.configured) {
        byModel.set(keyOf(provider.provider, '*'), { state: 'down', why: `provider ${provider.provider} has no API key` });
        continue;
      }
      for (const breaker of provider.breakers) {
        if (breaker.state === 'open' || breaker.state === 'half_open') {
          byModel.set(keyOf(provider.provider, breaker.model), {
            state: 'degraded',
            why: `circuit breaker ${breaker.state.replace('_', '-')} after ${breaker.consecutiveFailures} failures`,
          });
        }
      }
    }
    this.byModel = byModel;
    this.reportedAt = this.now();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function keyOf(provider: string, version: string): string {
  return `${provider}\u0000${version}`;
}
