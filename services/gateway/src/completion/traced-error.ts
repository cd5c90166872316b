import { PlatformError } from '@llmops/grpc';

/**
 * The error a failed request answers with, carrying its trace id: the `x-llmops-trace-id` header
 * over HTTP, the `llmops-detail-trace_id` trailer over gRPC. The trace of a failure is the one a
 * caller most needs to find.
 */
export function tracedError(error: unknown, traceId: string): PlatformError {
  const platformError = PlatformError.from(error);
  return new PlatformError(platformError.code, platformError.message, { ...platformError.details, trace_id: traceId });
}

/** The trace id a failed request's error carries, if it got that far. */
export function traceIdOfError(error: unknown): string | undefined {
  return error instanceof PlatformError ? error.details['trace_id'] : undefined;
}
