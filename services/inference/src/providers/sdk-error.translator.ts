import { abortError, PartialGeneration, ProviderError, ProviderErrorCode } from './provider-error';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * The error classes the official `openai` and `@anthropic-ai/sdk` packages both export (they are
 * generated from one template); each package has its own copies, so `instanceof` needs these.
 */
export interface SdkErrorClasses<ApiError extends Error> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  APIError: abstract new (...args: any[]) => ApiError;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIUserAbortError: ErrorClass;
}

/**
 * SDK failures in domain terms, the same for every SDK-based provider: aborts, timeouts,
 * connection failures, broken bodies and mid-stream breaks. What an upstream's error answer
 * means (status, error type or code) differs by provider: `fromApiError` says it, given the
 * message this class builds. Messages never carry the provider key.
 */
export class SdkErrorTranslator<ApiError extends Error & { status?: number }> {
  constructor(
    private readonly providerId: string,
    private readonly apiKey: string,
    private readonly sdk: SdkErrorClasses<ApiError>,
    private readonly fromApiError: (err: ApiError, message: string) => ProviderError,
  ) {}

  toProviderError(err: unknown, signal: AbortSignal): ProviderError {
    if (err instanceof ProviderError) return err;
    if (signal.aborted) return abortError(signal);
    if (err instanceof this.sdk.APIUserAbortError) return new ProviderError(ProviderErrorCode.CANCELLED, 'the request was cancelled', { cause: err });
    if (err instanceof this.sdk.APIConnectionTimeoutError) return new ProviderError(ProviderErrorCode.TIMEOUT, `${this.providerId} timed out`, { cause: err });
    if (err instanceof this.sdk.APIConnectionError) {
      return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, `could not reach ${this.providerId}: ${this.describe(err)}`, { cause: err });
    }
    if (err instanceof this.sdk.APIError) return this.apiError(err);
    // Checked by name: fetch's errors may come from another realm (jest, vm), where instanceof fails.
    if (errorName(err) === 'SyntaxError') {
      return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, `${this.providerId} sent a response that is not valid JSON`, { cause: err });
    }
    if (errorName(err) === 'TypeError') {
      // undici reports a connection that died while the body was read as a TypeError ("terminated").
      return new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, `the connection to ${this.providerId} failed: ${this.describe(err)}`, { cause: err });
    }
    return new ProviderError(ProviderErrorCode.UNKNOWN, `${this.providerId} failed: ${this.describe(err)}`, { cause: err });
  }

  /** After the stream started, anything that is not an abort or an upstream error event is a break. */
  toStreamError(err: unknown, signal: AbortSignal, partial: PartialGeneration): ProviderError {
    if (signal.aborted) return abortError(signal, partial);
    const transportFailure = err instanceof this.sdk.APIConnectionError || err instanceof this.sdk.APIUserAbortError;
    if (!transportFailure && err instanceof this.sdk.APIError) return this.apiError(err).withPartial(partial);
    return new ProviderError(ProviderErrorCode.STREAM_BROKEN, `the stream from ${this.providerId} broke after ${partial.text.length} characters: ${this.describe(err)}`, {
      partial,
      cause: err,
    });
  }

  /** An upstream message, with our key cut out in case a server echoes it back. */
  describe(err: unknown): string {
    const raw = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
    return this.apiKey.length >= 4 ? raw.split(this.apiKey).join('[redacted]') : raw;
  }

  private apiError(err: ApiError): ProviderError {
    return this.fromApiError(err, `${this.providerId} answered ${err.status ?? 'with an error event'}: ${this.describe(err)}`);
  }
}

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : undefined;
}
