export enum CostExceptionCode {
  INVALID_USAGE = 'INVALID_USAGE',
}

/** A cost-domain failure; the transport layer maps `code` to a gRPC status. */
export class CostException extends Error {
  override readonly name = 'CostException';

  constructor(
    readonly code: CostExceptionCode,
    message: string,
  ) {
    super(message);
  }
}
