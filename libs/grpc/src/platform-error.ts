/** Domain error codes shared by every service. The mapping to gRPC status codes lives in
 * grpc-status.mapping.ts and the mapping to OpenAI-style HTTP errors in the gateway. */
export enum ErrorCode {
  InvalidRequest = 'invalid_request',
  Unauthenticated = 'unauthenticated',
  PermissionDenied = 'permission_denied',
  NotFound = 'not_found',
  ModelNotFound = 'model_not_found',
  InputTooLarge = 'input_too_large',
  BlockedByGuardrail = 'blocked_by_guardrail',
  RateLimited = 'rate_limited',
  DeadlineExceeded = 'deadline_exceeded',
  Cancelled = 'cancelled',
  UpstreamError = 'upstream_error',
  Unavailable = 'unavailable',
  Unimplemented = 'unimplemented',
  Internal = 'internal',
}

export class PlatformError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  static from(error: unknown): PlatformError {
    if (error instanceof PlatformError) return error;
    // Internal failures never show their message to a client: it may hold paths or secrets.
    return new PlatformError(ErrorCode.Internal, 'internal error');
  }
}
