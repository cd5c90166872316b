import { ErrorCode, PlatformError } from '@llmops/grpc';
import { RoutingException, RoutingExceptionCode } from '../routes/routing.exception';

export function toPlatformError(error: unknown): unknown {
  if (!(error instanceof RoutingException)) return error;
  const details = Object.fromEntries(Object.entries(error.details).filter(([, value]) => typeof value === 'string' || typeof value === 'number').map(([key, value]) => [key, String(value)]));
  switch (error.code) {
    case RoutingExceptionCode.UNKNOWN_MODEL:
      return new PlatformError(ErrorCode.ModelNotFound, error.message);
    case RoutingExceptionCode.RATE_LIMITED:
      return new PlatformError(ErrorCode.RateLimited, error.message, { ...details, reason: 'rate_limit' });
    case RoutingExceptionCode.BUDGET_EXCEEDED:
      return new PlatformError(ErrorCode.RateLimited, error.message, { ...details, reason: 'budget_exceeded' });
    case RoutingExceptionCode.INVALID_REQUEST:
      return new PlatformError(ErrorCode.InvalidRequest, error.message);
  }
}
