import { ErrorCode, PlatformError } from '@llmops/grpc';
import { PromptException, PromptExceptionCode } from '../templates/prompt.exception';

export function toPlatformError(error: unknown): unknown {
  if (!(error instanceof PromptException)) return error;
  switch (error.code) {
    case PromptExceptionCode.UNKNOWN_PROMPT:
    case PromptExceptionCode.UNKNOWN_PROMPT_VERSION:
      return new PlatformError(ErrorCode.NotFound, error.message);
    case PromptExceptionCode.MISSING_VARIABLES:
      return new PlatformError(ErrorCode.InvalidRequest, error.message);
    case PromptExceptionCode.INVALID_PROMPT_DIRECTORY:
      return new PlatformError(ErrorCode.Internal, error.message);
  }
}
