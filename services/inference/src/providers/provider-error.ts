import { ChatUsage } from './chat-provider';

export enum ProviderErrorCode {
  RATE_LIMITED = 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  TIMEOUT = 'TIMEOUT',
  BAD_REQUEST = 'BAD_REQUEST',
  AUTH = 'AUTH',
  CONTEXT_LENGTH = 'CONTEXT_LENGTH',
  CONTENT_POLICY = 'CONTENT_POLICY',
  CANCELLED = 'CANCELLED',
  STREAM_BROKEN = 'STREAM_BROKEN',
  UNKNOWN = 'UNKNOWN',
}

/** What a stream had produced when it failed, so the caller can still account for it. */
export interface PartialGeneration {
  text: string;
  usage: ChatUsage;
}

export interface ProviderErrorOptions {
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  partial?: PartialGeneration;
  cause?: unknown;
}

/**
 * Whether trying again (the same model later, or another model now) can succeed. A caller's
 * own cancellation is final; a request the provider rejected as malformed or unauthorised
 * will be rejected again.
 */
export function isRetryableCode(code: ProviderErrorCode): boolean {
  switch (code) {
    case ProviderErrorCode.RATE_LIMITED:
    case ProviderErrorCode.UPSTREAM_UNAVAILABLE:
    case ProviderErrorCode.TIMEOUT:
    case ProviderErrorCode.STREAM_BROKEN:
      return true;
    case ProviderErrorCode.BAD_REQUEST:
    case ProviderErrorCode.AUTH:
    case ProviderErrorCode.CONTEXT_LENGTH:
    case ProviderErrorCode.CONTENT_POLICY:
    case ProviderErrorCode.CANCELLED:
    case ProviderErrorCode.UNKNOWN:
      return false;
  }
}

/** A provider failure in domain terms. Messages never contain credentials. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly code: ProviderErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly partial?: PartialGeneration;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.retryAfterMs = options.retryAfterMs;
    this.partial = options.partial;
  }

  /** The same error with what the stream had produced attached. */
  withPartial(partial: PartialGeneration): ProviderError {
    return new ProviderError(this.code, this.message, {
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      partial,
      cause: this.cause,
    });
  }
}

/**
 * The code for an abort: a signal aborted with a TIMEOUT ProviderError (our attempt timer or
 * deadline) or with AbortSignal.timeout()'s TimeoutError is a timeout; anything else is the
 * caller cancelling.
 */
export function abortError(signal: AbortSignal, partial?: PartialGeneration): ProviderError {
  const reason: unknown = signal.reason;
  if (reason instanceof ProviderError) return partial ? reason.withPartial(partial) : reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ProviderError(ProviderErrorCode.TIMEOUT, 'the request timed out', { partial });
  }
  return new ProviderError(ProviderErrorCode.CANCELLED, 'the request was cancelled', { partial });
}
