export {
  createClickHouseClient,
  closeClickHouseClient,
  isEmbeddedClient,
  type ClickHouseClientOptions,
} from './clickhouse-client.factory';
export { ClickHouseErrorKind, ClickHouseQueryError, classifyClickHouseError } from './clickhouse-query.error';
export {
  queryClickhouse,
  queryClickhouseWithMeta,
  commandClickhouse,
  withClickHouseRetry,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type QueryColumn,
  type QueryClickhouseOptions,
  type QueryResultWithMeta,
} from './query-clickhouse';
export {
  MigrationRunner,
  MigrationError,
  type MigrationFile,
  type MigrationRunResult,
  type MigrationRunnerOptions,
} from './migration-runner';
export { splitSqlStatements } from './sql-statement.splitter';
export { BatchWriter, type BatchWriterOptions } from './batch-writer';
export {
  ReadOnlySqlGuard,
  ReadOnlySqlError,
  ReadOnlySqlErrorCode,
  DEFAULT_READ_ONLY_LIMITS,
  type ReadOnlySqlLimits,
} from './read-only-sql.guard';
export type { ClickHouseClient } from '@clickhouse/client';
