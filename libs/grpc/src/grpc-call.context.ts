import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';

type ServerSurfaceCall = ServerUnaryCall<unknown, unknown>;
import { BaseRpcContext } from '@nestjs/microservices';
import { LazyAbortController, type SignalSource } from './lazy-abort-controller';

/** What a handler may know about the call besides its request: metadata, the caller's
 * deadline and a signal that fires when the caller cancels or the deadline passes (made only
 * when a handler reads it: pass the context itself as a SignalSource to defer that to a call). */
export class GrpcCallContext extends BaseRpcContext<[Metadata, string]> implements SignalSource {
  private readonly abortController = new LazyAbortController();
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly call: ServerSurfaceCall,
    readonly rpc: string,
  ) {
    super([call.metadata, rpc]);
    call.on('cancelled', () => this.abortController.abort(new Error('cancelled by the caller')));
    const deadline = this.deadlineMs;
    if (deadline !== undefined) {
      this.deadlineTimer = setTimeout(
        () => this.abortController.abort(new Error('deadline exceeded')),
        Math.max(0, deadline - Date.now()),
      );
      this.deadlineTimer.unref();
    }
  }

  /** The call has been answered: its deadline timer goes, instead of firing long after for nobody. */
  release(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  get metadata(): Metadata {
    return this.call.metadata;
  }

  /** First value of a metadata key, or undefined. */
  header(key: string): string | undefined {
    const value = this.call.metadata.get(key)[0];
    return value === undefined ? undefined : String(value);
  }

  /** The caller's deadline as epoch milliseconds; undefined when it set none. */
  get deadlineMs(): number | undefined {
    const deadline = this.call.getDeadline();
    if (deadline instanceof Date) return deadline.getTime();
    if (typeof deadline === 'number' && Number.isFinite(deadline)) return deadline;
    return undefined;
  }

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  get peer(): string {
    return this.call.getPeer();
  }
}
