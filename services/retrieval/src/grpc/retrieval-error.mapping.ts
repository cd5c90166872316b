import { ErrorCode, PlatformError } from '@llmops/grpc';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

/** The PlatformError code of each retrieval domain code; the switch makes a new code a compile error until it is mapped. */
export function errorCodeOf(code: RetrievalErrorCode): ErrorCode {
  switch (code) {
    case RetrievalErrorCode.InvalidCollectionName:
    case RetrievalErrorCode.InvalidTenant:
    case RetrievalErrorCode.InvalidDocument:
    case RetrievalErrorCode.UnsupportedMediaType:
    case RetrievalErrorCode.InvalidQuery:
    case RetrievalErrorCode.EmbedderMismatch:
      return ErrorCode.InvalidRequest;
    case RetrievalErrorCode.EmbedderUnavailable:
    case RetrievalErrorCode.RerankFailure:
    case RetrievalErrorCode.RedactionFailure:
      return ErrorCode.Unavailable;
    case RetrievalErrorCode.PathNotFound:
      return ErrorCode.NotFound;
    case RetrievalErrorCode.PathOutsideRoot:
      return ErrorCode.PermissionDenied;
    case RetrievalErrorCode.DocumentTooLarge:
      return ErrorCode.InputTooLarge;
    case RetrievalErrorCode.StoreFailure:
      return ErrorCode.Internal;
  }
}

/**
 * Any error of a retrieval call as the PlatformError its caller sees. Store failures and
 * unexpected errors keep their message (LanceDB paths, stack details) out of the answer; the
 * controller logs them. The call tells a cancelled or timed-out call from a failed one.
 */
export function toPlatformError(error: unknown, call?: { readonly signal: AbortSignal; readonly deadlineMs?: number }): PlatformError {
  if (error instanceof PlatformError) return error;
  if (call?.signal.aborted && !(error instanceof RetrievalException)) {
    return call.deadlineMs !== undefined && call.deadlineMs <= Date.now()
      ? new PlatformError(ErrorCode.DeadlineExceeded, 'the deadline passed before the call finished')
      : new PlatformError(ErrorCode.Cancelled, 'the call was cancelled');
  }
  if (!(error instanceof RetrievalException)) return PlatformError.from(error);
  const code = errorCodeOf(error.code);
  if (code === ErrorCode.Internal) return new PlatformError(code, 'the retrieval index failed; the service log has the cause');
  return new PlatformError(code, error.message, { reason: error.code });
}
