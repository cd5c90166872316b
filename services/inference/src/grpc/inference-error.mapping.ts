import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ModelChainError } from '../generation/model-chain.executor';
import { ProviderError, ProviderErrorCode } from '../providers/provider-error';

function codeOf(code: ProviderErrorCode): ErrorCode {
  switch (code) {
    case ProviderErrorCode.RATE_LIMITED:
      return ErrorCode.RateLimited;
    case ProviderErrorCode.UPSTREAM_UNAVAILABLE:
    case ProviderErrorCode.STREAM_BROKEN:
    case ProviderErrorCode.UNKNOWN:
      return ErrorCode.UpstreamError;
    case ProviderErrorCode.TIMEOUT:
      return ErrorCode.DeadlineExceeded;
    case ProviderErrorCode.BAD_REQUEST:
      return ErrorCode.InvalidRequest;
    case ProviderErrorCode.CONTEXT_LENGTH:
      return ErrorCode.InputTooLarge;
    case ProviderErrorCode.CONTENT_POLICY:
      return ErrorCode.BlockedByGuardrail;
    case ProviderErrorCode.AUTH:
      // The provider refused *our* credentials: a platform fault, not the caller's.
      return ErrorCode.UpstreamError;
    case ProviderErrorCode.CANCELLED:
      return ErrorCode.Cancelled;
  }
}

/** Provider and chain errors as the caller sees them; messages never hold an API key. */
export function toPlatformError(error: unknown): unknown {
  if (error instanceof ModelChainError || error instanceof ProviderError) {
    const details: Record<string, string> = { provider_code: error.code };
    if (error.retryAfterMs !== undefined) details['retry_after_ms'] = String(error.retryAfterMs);
    return new PlatformError(codeOf(error.code), error.message, details);
  }
  return error;
}
