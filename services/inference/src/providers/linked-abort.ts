import { ProviderError, ProviderErrorCode } from './provider-error';

/**
 * An abort signal that follows a parent (the caller's cancellation) and can also fire on a
 * timer of its own. Timers abort with a TIMEOUT ProviderError as the reason, so whoever sees
 * the abort can tell "we gave up waiting" from "the caller went away".
 */
export class LinkedAbort {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private readonly onParentAbort = (): void => this.abort(this.parent?.reason);

  constructor(private readonly parent?: AbortSignal) {
    if (parent?.aborted) this.controller.abort(parent.reason);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** (Re)starts the timer; a later call replaces an earlier one. */
  timeoutAfter(ms: number, message: string): void {
    this.clearTimer();
    if (!Number.isFinite(ms)) return;
    this.timer = setTimeout(
      () => this.abort(new ProviderError(ProviderErrorCode.TIMEOUT, message)),
      Math.max(0, ms),
    );
  }

  clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  dispose(): void {
    this.clearTimer();
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}
