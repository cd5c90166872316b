export enum PromptExceptionCode {
  UNKNOWN_PROMPT = 'UNKNOWN_PROMPT',
  UNKNOWN_PROMPT_VERSION = 'UNKNOWN_PROMPT_VERSION',
  MISSING_VARIABLES = 'MISSING_VARIABLES',
  INVALID_PROMPT_DIRECTORY = 'INVALID_PROMPT_DIRECTORY',
}

/** A prompt-domain failure; the transport layer maps `code` to a gRPC status. */
export class PromptException extends Error {
  override readonly name = 'PromptException';

  constructor(
    readonly code: PromptExceptionCode,
    message: string,
    /** Structured detail for the caller, e.g. the missing variable names. Never template text. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
