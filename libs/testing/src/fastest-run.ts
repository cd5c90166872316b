import { performance } from 'node:perf_hooks';

/**
 * Fastest of a few runs after a warm-up, in ms. A linear scan passes easily; a quadratic one
 * (seconds on 100 KB) fails every run, so checks for catastrophic backtracking stay meaningful
 * on a busy CI machine.
 */
export function fastestRunMs(run: () => unknown, attempts = 5): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
