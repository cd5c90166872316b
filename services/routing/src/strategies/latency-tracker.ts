/**
 * Exponentially weighted moving average of observed latency per model, fed by Settle. Unseen
 * models read as 0 so a new model gets traffic (and thus a measurement) early.
 */
export class LatencyTracker {
  private readonly ewma = new Map<string, number>();

  /** alpha: weight of the newest observation. */
  constructor(private readonly alpha = 0.2) {}

  observe(model: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return;
    const previous = this.ewma.get(model);
    this.ewma.set(model, previous === undefined ? latencyMs : previous + this.alpha * (latencyMs - previous));
  }

  latencyOf(model: string): number {
    return this.ewma.get(model) ?? 0;
  }

  known(model: string): boolean {
    return this.ewma.has(model);
  }
}
