export enum RoutingExceptionCode {
  UNKNOWN_MODEL = 'UNKNOWN_MODEL',
  RATE_LIMITED = 'RATE_LIMITED',
  BUDGET_EXCEEDED = 'BUDGET_EXCEEDED',
  INVALID_REQUEST = 'INVALID_REQUEST',
}

/** A routing-domain failure; the transport layer maps `code` to a gRPC status / HTTP error. */
export class RoutingException extends Error {
  override readonly name = 'RoutingException';

  constructor(
    readonly code: RoutingExceptionCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
