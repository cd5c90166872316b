/** Anything that can hand over an AbortSignal when a cancellable call is about to be made. */
export interface SignalSource {
  readonly signal: AbortSignal;
}

/**
 * An AbortController whose signal is made on first read. On Node 20 every AbortSignal created
 * outlives the next young-generation collection: V8 copies it, and what hangs off it, into the
 * old generation (loadtest/RESULTS.md, 2026-11-28 evening). A request that never makes a
 * cancellable call, such as a gateway cache hit, then pays for a signal nobody listens to in
 * longer scavenges. abort() before the first read is remembered: the signal is born aborted.
 */
export class LazyAbortController implements SignalSource {
  private controller: AbortController | undefined;
  private early: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.early) this.controller.abort(this.early.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller ? this.controller.signal.aborted : this.early !== undefined;
  }

  abort(reason?: unknown): void {
    if (this.controller) this.controller.abort(reason);
    else this.early ??= { reason };
  }
}
