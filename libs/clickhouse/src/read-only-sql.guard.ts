import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseErrorKind, ClickHouseQueryError, classifyClickHouseError } from './clickhouse-query.error';
import { queryClickhouse, queryClickhouseWithMeta, type QueryResultWithMeta } from './query-clickhouse';

export enum ReadOnlySqlErrorCode {
  Empty = 'EMPTY',
  MultiStatement = 'MULTI_STATEMENT',
  NotASelect = 'NOT_A_SELECT',
  SettingsClause = 'SETTINGS_CLAUSE',
  OutputClause = 'OUTPUT_CLAUSE',
}

/** User SQL refused before it ran. */
export class ReadOnlySqlError extends Error {
  override readonly name = 'ReadOnlySqlError';
  constructor(
    readonly code: ReadOnlySqlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadOnlySqlLimits {
  maxExecutionTimeSeconds: number;
  maxResultRows: number;
  maxResultBytes: number;
}

export const DEFAULT_READ_ONLY_LIMITS: ReadOnlySqlLimits = {
  maxExecutionTimeSeconds: 30,
  maxResultRows: 10_000,
  maxResultBytes: 50_000_000,
};

const SELECT_ROOTS = ['SelectWithUnionQuery', 'SelectIntersectExceptQuery'];

/**
 * Runs SQL typed by a person (`llmops sql`) so that it can only read, within time and size limits.
 *
 * Checked with ClickHouse's own parser, not regexes: `formatQuery` refuses multi-statements, `EXPLAIN AST` tells
 * the statement kind. The query then runs as a subquery of `SELECT * FROM (…) SETTINGS readonly = 1, …`: a
 * subquery can only be a SELECT, and readonly=1 also forbids table functions such as file() and url().
 * SETTINGS clauses in the user's SQL are refused because a subquery's SETTINGS override the outer ones (verified
 * on chdb 26.7: an inner `SETTINGS readonly = 0` re-enabled file()). Settings never go through
 * `clickhouse_settings`, which the embedded engine would make session-wide.
 */
export class ReadOnlySqlGuard {
  private readonly limits: ReadOnlySqlLimits;

  constructor(
    private readonly client: ClickHouseClient,
    limits: Partial<ReadOnlySqlLimits> = {},
  ) {
    this.limits = { ...DEFAULT_READ_ONLY_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value <= 0) throw new Error(`read-only SQL limit ${name} must be a positive integer`);
    }
  }

  /** The statement as ClickHouse formats it, once it passed every check. Throws ReadOnlySqlError otherwise. */
  async check(sql: string): Promise<string> {
    const trimmed = sql.trim().replace(/;\s*$/, '').trim();
    if (!trimmed) throw new ReadOnlySqlError(ReadOnlySqlErrorCode.Empty, 'SQL is empty');

    let formatted: string;
    try {
      const rows = await queryClickhouse<{ formatted: string }>({
        client: this.client,
        operation: 'sql.parse',
        query: 'SELECT formatQuery({sql:String}) AS formatted',
        params: { sql: trimmed },
      });
      formatted = rows[0].formatted;
    } catch (err) {
      const classified = classifyClickHouseError(err, 'sql.parse');
      if (/Multi-statements are not allowed/i.test(classified.message)) {
        throw new ReadOnlySqlError(ReadOnlySqlErrorCode.MultiStatement, 'only one statement is allowed');
      }
      throw classified;
    }

    // `formatted` is one statement by construction (formatQuery refused anything else). EXPLAIN in a subquery
    // accepts only a SELECT without output options, and renders its rows in the caller's format on both engines.
    const keyword = formatted.split(/\s+/)[0].toUpperCase();
    let lines: string[];
    try {
      const ast = await queryClickhouse<{ explain: string }>({
        client: this.client,
        operation: 'sql.explain',
        query: `SELECT explain FROM (EXPLAIN AST ${formatted})`,
      });
      lines = ast.map((r) => r.explain);
    } catch (err) {
      const classified = classifyClickHouseError(err, 'sql.explain');
      if (/supports only SELECT/i.test(classified.message)) {
        throw new ReadOnlySqlError(ReadOnlySqlErrorCode.NotASelect, `only SELECT queries are allowed (got ${keyword})`);
      }
      if (/cannot have output options/i.test(classified.message)) {
        throw new ReadOnlySqlError(ReadOnlySqlErrorCode.OutputClause, 'FORMAT and INTO OUTFILE clauses are not allowed');
      }
      throw classified;
    }
    const root = (lines[0] ?? '').trim().split(/\s+/)[0];
    if (!SELECT_ROOTS.includes(root)) {
      throw new ReadOnlySqlError(ReadOnlySqlErrorCode.NotASelect, `only SELECT queries are allowed (got ${keyword})`);
    }
    if (lines.some((line) => line.trim() === 'Set')) {
      throw new ReadOnlySqlError(ReadOnlySqlErrorCode.SettingsClause, 'SETTINGS clauses are not allowed');
    }
    return formatted;
  }

  async run(sql: string): Promise<QueryResultWithMeta> {
    const statement = await this.check(sql);
    const { maxExecutionTimeSeconds, maxResultRows, maxResultBytes } = this.limits;
    try {
      return await queryClickhouseWithMeta({
        client: this.client,
        operation: 'sql.run',
        query:
          `SELECT * FROM (\n${statement}\n) SETTINGS readonly = 1, max_execution_time = ${maxExecutionTimeSeconds}, ` +
          `max_result_rows = ${maxResultRows}, max_result_bytes = ${maxResultBytes}, result_overflow_mode = 'throw', ` +
          // The server's default; chdb's is 0. One answer shape on both engines, and no precision lost above 2^53.
          'output_format_json_quote_64bit_integers = 1',
        retry: { attempts: 1 },
      });
    } catch (err) {
      const classified = classifyClickHouseError(err, 'sql.run');
      if (classified.kind === ClickHouseErrorKind.TooManyRows) {
        throw new ClickHouseQueryError(
          `result larger than ${maxResultRows} rows or ${maxResultBytes} bytes; add a LIMIT or aggregate`,
          classified.kind,
          false,
          classified.clickhouseCode,
          { cause: err },
        );
      }
      throw classified;
    }
  }
}
