import { ErrorCode, PlatformError } from '@llmops/grpc';
import { gatewayRequests } from '@llmops/telemetry';

/**
 * Load shedding shared by every endpoint of the gateway: past capacity a queue only makes every
 * request late, so the request over the limit is refused at once (503, retryable) and the
 * accepted ones keep their latency.
 */
export class InFlightLimiter {
  private inFlight = 0;

  constructor(private readonly maxInFlight: number = Number.POSITIVE_INFINITY) {}

  /** Takes a slot or throws UNAVAILABLE; the returned release is safe to call twice. */
  admit(endpoint: string): () => void {
    if (this.inFlight >= this.maxInFlight) {
      // Counted, not traced: a refusal at capacity must stay cheaper than serving.
      gatewayRequests.inc({ endpoint, outcome: 'shed' });
      throw new PlatformError(ErrorCode.Unavailable, `the gateway is at capacity (${this.maxInFlight} requests in flight); retry shortly`, { retry_after_ms: '1000' });
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (!released) this.inFlight--;
      released = true;
    };
  }
}
