import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { drainStream, type ClickHouseClient } from '@clickhouse/client';
import { withClickHouseRetry, type RetryPolicy } from './query-clickhouse';

export interface BatchWriterOptions<Tables extends { [K in keyof Tables]: object }> {
  client: ClickHouseClient;
  /** A table's batch is sent as soon as it holds this many rows. */
  maxBatchRows?: number;
  /** …or this long after its first row arrived. 1 ms in tests. */
  flushIntervalMs?: number;
  /**
   * Key of a row for the insert deduplication token (e.g. its event_id). When given, a batch of the same rows sent
   * again in any order carries the same token, so ClickHouse drops the repeat (tables need
   * non_replicated_deduplication_window > 0) and materialized views do not count it twice.
   */
  dedupKeyOf?: { [T in keyof Tables]?: (row: Tables[T]) => string };
  retry?: Partial<RetryPolicy>;
  /** Told about every failed batch, including those whose promise nobody awaited. */
  onError?: (table: string, error: Error) => void;
}

interface PendingBatch<Row> {
  rows: Row[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * Collects rows per table and inserts them as JSONEachRow batches, by size or after an interval. `write()` resolves
 * once the batch holding its rows is in ClickHouse, so a Kafka consumer commits offsets only after a durable write;
 * it rejects with a classified ClickHouseQueryError when the batch failed after retries of retryable errors.
 * Batches of one table are inserted one after another, in the order rows arrived.
 */
export class BatchWriter<Tables extends { [K in keyof Tables]: object }> {
  private readonly pending = new Map<string, PendingBatch<object>>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly maxBatchRows: number;
  private readonly flushIntervalMs: number;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<Tables>) {
    this.maxBatchRows = options.maxBatchRows ?? 5_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    if (this.maxBatchRows < 1) throw new Error('maxBatchRows must be at least 1');
  }

  write<T extends keyof Tables & string>(table: T, rows: readonly Tables[T][]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`BatchWriter is closed; cannot write to ${table}`));
    if (!TABLE_NAME.test(table)) return Promise.reject(new Error(`invalid table name ${JSON.stringify(table)}`));
    if (rows.length === 0) return Promise.resolve();
    const waits: Promise<void>[] = [];
    let offset = 0;
    while (offset < rows.length) {
      const batch = this.pendingFor(table);
      const take = Math.min(this.maxBatchRows - batch.rows.length, rows.length - offset);
      batch.rows.push(...rows.slice(offset, offset + take));
      offset += take;
      waits.push(batch.promise);
      if (batch.rows.length >= this.maxBatchRows) this.dispatch(table);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Send every pending batch now and wait for all batches in flight. */
  async flush(): Promise<void> {
    for (const table of [...this.pending.keys()]) this.dispatch(table);
    await Promise.allSettled([...this.tails.values()]);
  }

  /** Flush and refuse further writes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private pendingFor(table: string): PendingBatch<object> {
    let batch = this.pending.get(table);
    if (!batch) {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // The failure is reported through onError and to whoever awaits; never as an unhandled rejection.
      promise.catch(() => undefined);
      batch = { rows: [], promise, resolve, reject };
      batch.timer = setTimeout(() => this.dispatch(table), this.flushIntervalMs);
      this.pending.set(table, batch);
    }
    return batch;
  }

  private dispatch(table: string): void {
    const batch = this.pending.get(table);
    if (!batch) return;
    this.pending.delete(table);
    clearTimeout(batch.timer);
    const previous = this.tails.get(table) ?? Promise.resolve();
    const tail = previous.then(() =>
      this.insert(table, batch.rows).then(batch.resolve, (err: Error) => {
        this.options.onError?.(table, err);
        batch.reject(err);
      }),
    );
    this.tails.set(table, tail);
    void tail.then(() => {
      if (this.tails.get(table) === tail) this.tails.delete(table);
    });
  }

  private async insert(table: string, rows: object[]): Promise<void> {
    const body = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
    const token = this.dedupToken(table, rows);
    // The token goes in the SQL, not in clickhouse_settings, so it cannot leak into the embedded engine's session.
    const query =
      `INSERT INTO ${table}` +
      (token
        ? ` SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1`
        : '') +
      ' FORMAT JSONEachRow';
    await withClickHouseRetry(
      `insert ${rows.length} rows into ${table}`,
      async () => {
        const result = await this.options.client.exec({ query, values: Readable.from([body]) });
        await drainStream(result.stream);
      },
      this.options.retry,
    );
  }

  private dedupToken(table: string, rows: object[]): string | undefined {
    const keyOf = this.options.dedupKeyOf?.[table as keyof Tables] as ((row: object) => string) | undefined;
    if (!keyOf) return undefined;
    const keys = rows.map((row) => keyOf(row)).sort();
    // Hex only: safe to place inside the SQL literal.
    return createHash('sha256').update(table).update('\n').update(keys.join('\n')).digest('hex');
  }
}
