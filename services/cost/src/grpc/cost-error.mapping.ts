import { ErrorCode, PlatformError } from '@llmops/grpc';
import { CostException, CostExceptionCode } from '../pricing/cost.exception';

export function toPlatformError(error: unknown): unknown {
  if (!(error instanceof CostException)) return error;
  switch (error.code) {
    case CostExceptionCode.INVALID_USAGE:
      return new PlatformError(ErrorCode.InvalidRequest, error.message);
  }
}
