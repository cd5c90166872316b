/** What went wrong with a ClickHouse call, coarse enough to decide retry and user-facing mapping. */
export enum ClickHouseErrorKind {
  /** Connection refused/reset, DNS, socket hang up: the server may be back in a moment. */
  Network = 'NETWORK',
  /** The client gave up waiting for the server (request_timeout): may succeed on retry. */
  ClientTimeout = 'CLIENT_TIMEOUT',
  /** Server overloaded or out of memory: may succeed on retry with back-off. */
  Resource = 'RESOURCE',
  /** The query ran past max_execution_time: retrying would only burn the same time again. */
  QueryTimeout = 'QUERY_TIMEOUT',
  /** Result exceeded max_result_rows / max_result_bytes. */
  TooManyRows = 'TOO_MANY_ROWS',
  Syntax = 'SYNTAX',
  UnknownIdentifier = 'UNKNOWN_IDENTIFIER',
  BadArgument = 'BAD_ARGUMENT',
  /** The statement would write while readonly is in force. */
  ReadOnly = 'READONLY',
  Other = 'OTHER',
}

const RETRYABLE = new Set<ClickHouseErrorKind>([
  ClickHouseErrorKind.Network,
  ClickHouseErrorKind.ClientTimeout,
  ClickHouseErrorKind.Resource,
]);

// ClickHouse server error codes (src/Common/ErrorCodes.cpp), grouped by what a caller can do about them.
const KIND_BY_CODE: Record<number, ClickHouseErrorKind> = {
  62: ClickHouseErrorKind.Syntax, // SYNTAX_ERROR
  47: ClickHouseErrorKind.UnknownIdentifier, // UNKNOWN_IDENTIFIER
  16: ClickHouseErrorKind.UnknownIdentifier, // NO_SUCH_COLUMN_IN_TABLE
  60: ClickHouseErrorKind.UnknownIdentifier, // UNKNOWN_TABLE
  81: ClickHouseErrorKind.UnknownIdentifier, // UNKNOWN_DATABASE
  46: ClickHouseErrorKind.UnknownIdentifier, // UNKNOWN_FUNCTION
  6: ClickHouseErrorKind.BadArgument, // CANNOT_PARSE_TEXT
  26: ClickHouseErrorKind.BadArgument, // CANNOT_PARSE_QUOTED_STRING
  27: ClickHouseErrorKind.BadArgument, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  36: ClickHouseErrorKind.BadArgument, // BAD_ARGUMENTS
  41: ClickHouseErrorKind.BadArgument, // CANNOT_PARSE_DATETIME
  42: ClickHouseErrorKind.BadArgument, // NUMBER_OF_ARGUMENTS_DOESNT_MATCH
  43: ClickHouseErrorKind.BadArgument, // ILLEGAL_TYPE_OF_ARGUMENT
  53: ClickHouseErrorKind.BadArgument, // TYPE_MISMATCH
  117: ClickHouseErrorKind.BadArgument, // INCORRECT_DATA
  456: ClickHouseErrorKind.BadArgument, // UNKNOWN_QUERY_PARAMETER
  457: ClickHouseErrorKind.BadArgument, // BAD_QUERY_PARAMETER
  164: ClickHouseErrorKind.ReadOnly, // READONLY
  159: ClickHouseErrorKind.QueryTimeout, // TIMEOUT_EXCEEDED
  396: ClickHouseErrorKind.TooManyRows, // TOO_MANY_ROWS_OR_BYTES
  158: ClickHouseErrorKind.TooManyRows, // TOO_MANY_ROWS
  241: ClickHouseErrorKind.Resource, // MEMORY_LIMIT_EXCEEDED
  202: ClickHouseErrorKind.Resource, // TOO_MANY_SIMULTANEOUS_QUERIES
  252: ClickHouseErrorKind.Resource, // TOO_MANY_PARTS
  209: ClickHouseErrorKind.Network, // SOCKET_TIMEOUT
  210: ClickHouseErrorKind.Network, // NETWORK_ERROR
};

const NETWORK_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** A ClickHouse failure with its kind, whether retrying can help, and the server's error code when there is one. */
export class ClickHouseQueryError extends Error {
  override readonly name = 'ClickHouseQueryError';
  constructor(
    message: string,
    readonly kind: ClickHouseErrorKind,
    readonly retryable: boolean,
    readonly clickhouseCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Turn anything thrown by @clickhouse/client (HTTP) or chdb/connection (embedded) into a ClickHouseQueryError.
 * Duck-typed on `code`/`type` because the embedded connection throws client-common's ClickHouseError class,
 * which is not the same class object that @clickhouse/client exports.
 */
export function classifyClickHouseError(err: unknown, context?: string): ClickHouseQueryError {
  if (err instanceof ClickHouseQueryError) return err;
  const e = (err ?? {}) as { message?: unknown; code?: unknown; type?: unknown };
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const prefix = context ? `${context}: ` : '';

  const serverCode = code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined;
  let kind: ClickHouseErrorKind;
  if (serverCode !== undefined) {
    kind = KIND_BY_CODE[serverCode] ?? ClickHouseErrorKind.Other;
  } else if (code !== undefined && NETWORK_ERRNO.has(code)) {
    kind = ClickHouseErrorKind.Network;
  } else if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    kind = ClickHouseErrorKind.ClientTimeout;
  } else if (/socket hang up|ECONNRESET|ECONNREFUSED/i.test(message)) {
    kind = ClickHouseErrorKind.Network;
  } else {
    kind = ClickHouseErrorKind.Other;
  }
  return new ClickHouseQueryError(
    `${prefix}${kind}${serverCode !== undefined ? ` (ClickHouse code ${serverCode})` : ''}: ${message.trim()}`,
    kind,
    RETRYABLE.has(kind),
    serverCode,
    { cause: err },
  );
}
