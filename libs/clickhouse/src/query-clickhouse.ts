import type { ClickHouseClient } from '@clickhouse/client';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { classifyClickHouseError, type ClickHouseQueryError } from './clickhouse-query.error';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryClickhouseOptions {
  client: ClickHouseClient;
  /** SQL with `{name:Type}` placeholders; values go in `params`, never into this string. */
  query: string;
  params?: Record<string, unknown>;
  /** Short name for spans and error messages, e.g. 'report.usage_by_model'. */
  operation?: string;
  retry?: Partial<RetryPolicy>;
  abortSignal?: AbortSignal;
}

export interface QueryResultWithMeta<Row = Record<string, unknown>> {
  columns: QueryColumn[];
  rows: Row[];
  rowsRead: number;
  elapsedMs: number;
}

const tracer = trace.getTracer('@llmops/clickhouse');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `fn`, retrying only failures that classify as retryable (network, client timeout, resource pressure), with
 * exponential back-off and jitter. Everything else is thrown at once as a ClickHouseQueryError.
 */
export async function withClickHouseRetry<T>(
  operation: string,
  fn: () => Promise<T>,
  policy: Partial<RetryPolicy> = {},
): Promise<T> {
  const { attempts, baseDelayMs, maxDelayMs } = { ...DEFAULT_RETRY_POLICY, ...policy };
  let lastError: ClickHouseQueryError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await fn();
    } catch (err) {
      lastError = classifyClickHouseError(err, operation);
      if (!lastError.retryable || attempt === attempts) break;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }
  throw lastError;
}

async function traced<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`clickhouse ${operation}`, async (span) => {
    span.setAttribute('db.system.name', 'clickhouse');
    span.setAttribute('db.operation.name', operation);
    try {
      return await fn();
    } catch (err) {
      const classified = classifyClickHouseError(err, operation);
      span.setStatus({ code: SpanStatusCode.ERROR, message: classified.kind });
      span.setAttribute('error.type', classified.kind);
      throw classified;
    } finally {
      span.end();
    }
  });
}

/** One SELECT with bound parameters, rows as objects (JSONEachRow). */
export async function queryClickhouse<Row = Record<string, unknown>>(opts: QueryClickhouseOptions): Promise<Row[]> {
  const operation = opts.operation ?? 'query';
  return traced(operation, () =>
    withClickHouseRetry(
      operation,
      async () => {
        const rs = await opts.client.query({
          query: opts.query,
          query_params: opts.params,
          format: 'JSONEachRow',
          abort_signal: opts.abortSignal,
        });
        return rs.json<Row>();
      },
      opts.retry,
    ),
  );
}

/** One SELECT with bound parameters, with column names and types (format JSON) for callers that show results. */
export async function queryClickhouseWithMeta<Row = Record<string, unknown>>(
  opts: QueryClickhouseOptions,
): Promise<QueryResultWithMeta<Row>> {
  const operation = opts.operation ?? 'query';
  return traced(operation, () =>
    withClickHouseRetry(
      operation,
      async () => {
        const rs = await opts.client.query({
          query: opts.query,
          query_params: opts.params,
          format: 'JSON',
          abort_signal: opts.abortSignal,
        });
        const body = await rs.json<Row>();
        return {
          columns: body.meta?.map((m) => ({ name: m.name, type: m.type })) ?? [],
          rows: body.data,
          rowsRead: Number(body.statistics?.rows_read ?? 0),
          elapsedMs: Number(body.statistics?.elapsed ?? 0) * 1000,
        };
      },
      opts.retry,
    ),
  );
}

/** A statement without a result set (DDL, INSERT … SELECT), with bound parameters. */
export async function commandClickhouse(opts: QueryClickhouseOptions): Promise<void> {
  const operation = opts.operation ?? 'command';
  await traced(operation, () =>
    withClickHouseRetry(
      operation,
      async () => {
        await opts.client.command({ query: opts.query, query_params: opts.params, abort_signal: opts.abortSignal });
      },
      opts.retry,
    ),
  );
}
