import { ErrorCode, PlatformError } from '@llmops/grpc';

/** The OpenAI error body: what OpenAI SDK clients know how to read. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface HttpError {
  status: number;
  body: OpenAiErrorBody;
  /** Seconds for a Retry-After header, when the caller should come back later. */
  retryAfterSeconds?: number;
}

function body(message: string, type: string, code: string | null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

function retryAfter(error: PlatformError): { retryAfterSeconds?: number } {
  const ms = Number(error.details['retry_after_ms']);
  return Number.isFinite(ms) && ms > 0 ? { retryAfterSeconds: Math.ceil(ms / 1000) } : {};
}

/** The one mapping from domain errors to HTTP statuses and OpenAI-style bodies. */
export function toHttpError(error: unknown): HttpError {
  const platformError = PlatformError.from(error);
  const message = platformError.message;
  const param = platformError.details['param'] ?? null;
  switch (platformError.code) {
    case ErrorCode.InvalidRequest:
      return { status: 400, body: body(message, 'invalid_request_error', null, param) };
    case ErrorCode.InputTooLarge:
      return { status: 400, body: body(message, 'invalid_request_error', 'input_too_large', param ?? 'messages') };
    case ErrorCode.BlockedByGuardrail:
      return { status: 400, body: body(message, 'invalid_request_error', 'content_blocked', param ?? 'messages') };
    case ErrorCode.Unauthenticated:
      return { status: 401, body: body(message, 'invalid_request_error', 'invalid_api_key') };
    case ErrorCode.PermissionDenied:
      return { status: 403, body: body(message, 'invalid_request_error', 'permission_denied') };
    case ErrorCode.ModelNotFound:
      return { status: 404, body: body(message, 'invalid_request_error', 'model_not_found', 'model') };
    case ErrorCode.NotFound:
      return { status: 404, body: body(message, 'invalid_request_error', 'not_found') };
    case ErrorCode.RateLimited:
      return {
        status: 429,
        body: body(message, 'rate_limit_error', platformError.details['reason'] === 'budget_exceeded' ? 'budget_exceeded' : 'rate_limit_exceeded'),
        ...retryAfter(platformError),
      };
    case ErrorCode.DeadlineExceeded:
      return { status: 504, body: body(message, 'timeout_error', 'deadline_exceeded') };
    case ErrorCode.Cancelled:
      return { status: 499, body: body(message, 'invalid_request_error', 'cancelled') };
    case ErrorCode.UpstreamError:
      return { status: 502, body: body(message, 'api_error', 'upstream_error') };
    case ErrorCode.Unavailable:
      return {
        status: 503,
        body: body(message, 'api_error', 'service_unavailable'),
        ...retryAfter(platformError),
      };
    case ErrorCode.Unimplemented:
      return { status: 501, body: body(message, 'invalid_request_error', 'unimplemented') };
    case ErrorCode.Internal:
      return { status: 500, body: body('The server had an error while processing your request.', 'api_error', 'internal_error') };
  }
}
