import { ErrorCode, PlatformError } from '@llmops/grpc';
import { RoutingException, RoutingExceptionCode } from '../routes/routing.exception';

export function toPlatformError(error: unknown): unknown {
  if (!(error instanceof RoutingException)) return error;
  switch (error.code) {
    case RoutingExceptionCode.UNKNOWN_MODEL:
      return new PlatformError(ErrorCode.ModelNotFound, error.message);
  }
}
