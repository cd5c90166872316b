import { Counter, Gauge } from 'prom-client';

/** Circuit breaker state per provider model: 0 closed, 1 half-open, 2 open. */
export const inferenceBreakerState = new Gauge({
  name: 'llmops_inference_breaker_state',
  help: 'Circuit breaker state per provider model: 0 closed, 1 half-open, 2 open',
  labelNames: ['provider', 'model'] as const,
});

/** Every try of a model, by outcome: ok, skipped (breaker open) or the ProviderErrorCode. */
export const inferenceAttempts = new Counter({
  name: 'llmops_inference_attempts_total',
  help: 'Tries of a provider model by outcome (ok, skipped, or the provider error code)',
  labelNames: ['provider', 'model', 'outcome'] as const,
});
