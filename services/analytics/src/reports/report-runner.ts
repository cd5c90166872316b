import {
  ReadOnlySqlGuard,
  queryClickhouseWithMeta,
  type ClickHouseClient,
  type QueryColumn,
  type ReadOnlySqlLimits,
} from '@llmops/clickhouse';
import { toClickHouseDateTime64 } from '../storage/event-row.mapper';
import { REPORT_CATALOG, type ReportDefinition, type ReportParam } from './report-catalog';

export interface ReportResult {
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
  rowsRead: number;
  elapsedMs: number;
}

export enum ReportErrorCode {
  UnknownReport = 'UNKNOWN_REPORT',
  MissingParam = 'MISSING_PARAM',
  InvalidParam = 'INVALID_PARAM',
  UnknownParam = 'UNKNOWN_PARAM',
}

export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ReportParamValues = Record<string, string | number | undefined>;

const UINT32_MAX = 4_294_967_295;

/**
 * Runs the catalog's named reports with validated, bound parameters, and people's own SQL through the read-only
 * guard. Both answer in one shape: column names and ClickHouse types, rows as objects.
 */
export class ReportRunner {
  private readonly guard: ReadOnlySqlGuard;

  constructor(
    private readonly client: ClickHouseClient,
    sqlLimits: Partial<ReadOnlySqlLimits> = {},
    private readonly catalog: ReadonlyMap<string, ReportDefinition> = REPORT_CATALOG,
    private readonly reportTimeoutSeconds = 30,
  ) {
    if (!Number.isInteger(reportTimeoutSeconds) || reportTimeoutSeconds <= 0) {
      throw new Error('reportTimeoutSeconds must be a positive integer');
    }
    this.guard = new ReadOnlySqlGuard(client, sqlLimits);
  }

  list(): ReportDefinition[] {
    return [...this.catalog.values()];
  }

  async run(name: string, params: ReportParamValues = {}): Promise<ReportResult> {
    const report = this.catalog.get(name);
    if (!report) {
      throw new ReportError(
        ReportErrorCode.UnknownReport,
        `unknown report ${JSON.stringify(name)}; known: ${[...this.catalog.keys()].join(', ')}`,
      );
    }
    const bound = bindParams(report, params);
    return queryClickhouseWithMeta({
      client: this.client,
      operation: `report.${report.name}`,
      // 64-bit integers as JSON strings: the server's default, not chdb's; one answer shape on both engines.
      query: `${report.sql}\nSETTINGS max_execution_time = ${this.reportTimeoutSeconds}, output_format_json_quote_64bit_integers = 1`,
      params: bound,
    });
  }

  /** Read-only SQL: one SELECT, readonly=1, time and row limits; refusals throw ReadOnlySqlError. */
  runSql(sql: string): Promise<ReportResult> {
    return this.guard.run(sql);
  }
}

function bindParams(report: ReportDefinition, values: ReportParamValues): Record<string, string | number> {
  const known = new Set(report.params.map((p) => p.name));
  const unknown = Object.keys(values).filter((k) => !known.has(k) && values[k] !== undefined);
  if (unknown.length > 0) {
    throw new ReportError(
      ReportErrorCode.UnknownParam,
      `report ${report.name} has no parameter(s) ${unknown.join(', ')}; it takes ${report.params.map((p) => p.name).join(', ')}`,
    );
  }
  const bound: Record<string, string | number> = {};
  for (const param of report.params) {
    const raw = values[param.name] ?? param.default;
    if (raw === undefined || raw === '') {
      if (param.default === '') {
        bound[param.name] = '';
        continue;
      }
      throw new ReportError(ReportErrorCode.MissingParam, `report ${report.name} needs ${param.name}: ${param.description}`);
    }
    bound[param.name] = convert(report, param, raw);
  }
  return bound;
}

function convert(report: ReportDefinition, param: ReportParam, raw: string | number): string | number {
  const invalid = (why: string) =>
    new ReportError(ReportErrorCode.InvalidParam, `report ${report.name}: ${param.name}=${JSON.stringify(raw)} ${why}`);
  switch (param.type) {
    case 'String':
      return String(raw);
    case 'UInt32': {
      const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > UINT32_MAX) throw invalid('is not a non-negative integer');
      if (param.max !== undefined && n > param.max) throw invalid(`exceeds ${param.max}`);
      return n;
    }
    case "DateTime64(3, 'UTC')": {
      const ms = parseTime(raw);
      if (ms === undefined) throw invalid('is not a time (ISO-8601, epoch ms, or YYYY-MM-DD hh:mm:ss UTC)');
      return toClickHouseDateTime64(ms);
    }
  }
}

function parseTime(raw: string | number): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // 'YYYY-MM-DD hh:mm:ss[.sss]' without a zone is UTC, as ClickHouse shows it.
  const iso = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}Z$/.test(iso) ? iso.replace('Z', 'T00:00:00Z') : iso);
  return Number.isNaN(ms) ? undefined : ms;
}
