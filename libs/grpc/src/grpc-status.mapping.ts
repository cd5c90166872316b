import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, PlatformError } from './platform-error';

/** Trailer that carries the domain code across hops, so a gateway three calls away still
 * knows a `model_not_found` from any other NOT_FOUND. */
export const ERROR_CODE_TRAILER = 'llmops-error-code';

export function grpcStatusOf(code: ErrorCode): GrpcStatus {
  switch (code) {
    case ErrorCode.InvalidRequest:
    case ErrorCode.InputTooLarge:
      return GrpcStatus.INVALID_ARGUMENT;
    case ErrorCode.Unauthenticated:
      return GrpcStatus.UNAUTHENTICATED;
    case ErrorCode.PermissionDenied:
    case ErrorCode.BlockedByGuardrail:
      return GrpcStatus.PERMISSION_DENIED;
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
      return GrpcStatus.NOT_FOUND;
    case ErrorCode.RateLimited:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case ErrorCode.DeadlineExceeded:
      return GrpcStatus.DEADLINE_EXCEEDED;
    case ErrorCode.Cancelled:
      return GrpcStatus.CANCELLED;
    case ErrorCode.UpstreamError:
    case ErrorCode.Unavailable:
      return GrpcStatus.UNAVAILABLE;
    case ErrorCode.Unimplemented:
      return GrpcStatus.UNIMPLEMENTED;
    case ErrorCode.Internal:
      return GrpcStatus.INTERNAL;
  }
}

function codeOfStatus(status: GrpcStatus): ErrorCode {
  switch (status) {
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return ErrorCode.InvalidRequest;
    case GrpcStatus.UNAUTHENTICATED:
      return ErrorCode.Unauthenticated;
    case GrpcStatus.PERMISSION_DENIED:
      return ErrorCode.PermissionDenied;
    case GrpcStatus.NOT_FOUND:
      return ErrorCode.NotFound;
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return ErrorCode.RateLimited;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return ErrorCode.DeadlineExceeded;
    case GrpcStatus.CANCELLED:
      return ErrorCode.Cancelled;
    case GrpcStatus.UNAVAILABLE:
      return ErrorCode.Unavailable;
    case GrpcStatus.UNIMPLEMENTED:
      return ErrorCode.Unimplemented;
    default:
      return ErrorCode.Internal;
  }
}

export interface GrpcErrorPayload {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

export function toGrpcError(error: unknown): GrpcErrorPayload {
  const platformError = PlatformError.from(error);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_TRAILER, platformError.code);
  for (const [key, value] of Object.entries(platformError.details)) {
    metadata.set(`llmops-detail-${key.toLowerCase()}`, value);
  }
  return { code: grpcStatusOf(platformError.code), details: platformError.message, metadata };
}

/** The client half: turns a failed call back into the PlatformError the server threw. */
export function fromGrpcError(error: ServiceError): PlatformError {
  const trailer = error.metadata?.get(ERROR_CODE_TRAILER)[0];
  const known = Object.values(ErrorCode).find((code) => code === trailer);
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    if (key.startsWith('llmops-detail-')) details[key.slice('llmops-detail-'.length)] = String(value);
  }
  return new PlatformError(known ?? codeOfStatus(error.code), error.details || error.message, details);
}
