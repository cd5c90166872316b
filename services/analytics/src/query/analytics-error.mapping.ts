import { ClickHouseErrorKind, ClickHouseQueryError, ReadOnlySqlError, ReadOnlySqlErrorCode } from '@llmops/clickhouse';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ReportError, ReportErrorCode } from '../reports/report-runner';

/** The one place where analytics' domain errors become the platform's error codes. */
export function toPlatformError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  if (error instanceof ReportError) return new PlatformError(reportErrorCode(error.code), error.message, { reason: error.code });
  if (error instanceof ReadOnlySqlError) return new PlatformError(readOnlySqlErrorCode(error.code), error.message, { reason: error.code });
  if (error instanceof ClickHouseQueryError) {
    const code = clickHouseErrorCode(error.kind);
    // What ClickHouse says about the caller's own SQL helps them fix it; anything internal stays in our logs.
    const message = code === ErrorCode.Internal ? 'analytics query failed' : clickHouseMessage(error);
    return new PlatformError(code, message, { reason: error.kind });
  }
  return PlatformError.from(error);
}

function reportErrorCode(code: ReportErrorCode): ErrorCode {
  switch (code) {
    case ReportErrorCode.UnknownReport:
    case ReportErrorCode.MissingParam:
    case ReportErrorCode.InvalidParam:
    case ReportErrorCode.UnknownParam:
      return ErrorCode.InvalidRequest;
  }
}

function readOnlySqlErrorCode(code: ReadOnlySqlErrorCode): ErrorCode {
  switch (code) {
    case ReadOnlySqlErrorCode.Empty:
    case ReadOnlySqlErrorCode.MultiStatement:
    case ReadOnlySqlErrorCode.NotASelect:
    case ReadOnlySqlErrorCode.SettingsClause:
    case ReadOnlySqlErrorCode.OutputClause:
      return ErrorCode.InvalidRequest;
  }
}

function clickHouseErrorCode(kind: ClickHouseErrorKind): ErrorCode {
  switch (kind) {
    case ClickHouseErrorKind.Syntax:
    case ClickHouseErrorKind.UnknownIdentifier:
    case ClickHouseErrorKind.BadArgument:
    case ClickHouseErrorKind.TooManyRows:
      return ErrorCode.InvalidRequest;
    case ClickHouseErrorKind.ReadOnly:
      return ErrorCode.PermissionDenied;
    case ClickHouseErrorKind.QueryTimeout:
    case ClickHouseErrorKind.ClientTimeout:
      return ErrorCode.DeadlineExceeded;
    case ClickHouseErrorKind.Network:
    case ClickHouseErrorKind.Resource:
      return ErrorCode.Unavailable;
    case ClickHouseErrorKind.Other:
      return ErrorCode.Internal;
  }
}

/** ClickHouse's own sentence, without the operation prefix, the server's stack trace or the version banner. */
function clickHouseMessage(error: ClickHouseQueryError): string {
  // The guard words size refusals itself; other errors carry ClickHouse's words in their cause.
  const cause = error.kind === ClickHouseErrorKind.TooManyRows ? undefined : (error.cause as { message?: unknown } | undefined);
  const text = typeof cause?.message === 'string' && cause.message ? cause.message : error.message;
  return text.split(/\n|Stack trace:|\. \(version /)[0]!.trim();
}
