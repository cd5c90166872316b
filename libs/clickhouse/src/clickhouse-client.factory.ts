import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import type { ChdbConnection } from 'chdb/dist/connection';

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export interface ClickHouseClientOptions {
  /** ClickHouse server over HTTP, e.g. http://127.0.0.1:8123. Absent: the embedded engine (chdb). */
  url?: string;
  /** Embedded engine's data directory; ':memory:' or absent = a temp dir removed on close. */
  dataPath?: string;
  /** Default database for the HTTP client. The embedded engine ignores it, so always qualify table names. */
  database: string;
  username?: string;
  password?: string;
  /** HTTP request timeout in ms (server only). */
  requestTimeoutMs?: number;
  /** The HTTP client's own logging; failures also surface as classified ClickHouseQueryErrors. Default WARN. */
  logLevel?: ClickHouseLogLevel;
}

// Settings chdb/connection already drops because they only mean something to the HTTP server.
const HTTP_ONLY_SETTINGS = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_response_buffer_size',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
  'default_format',
]);

const embeddedClients = new WeakSet<ClickHouseClient>();

/** True when the client runs the in-process engine (one per process; settings must go in SQL). */
export function isEmbeddedClient(client: ClickHouseClient): boolean {
  return embeddedClients.has(client);
}

/**
 * The same ClickHouseClient for a server and for the embedded engine. The embedded connection is wrapped because
 * chdb/connection applies per-query `clickhouse_settings` as `SET x = y; <query>` on a shared session: the setting
 * then sticks for every later query (a `readonly=1` would make the whole engine read-only for the life of the
 * process). The wrapper refuses such settings instead of letting them leak; put them in a SQL `SETTINGS` clause.
 */
export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  if (options.url) {
    return createClient({
      url: options.url,
      database: options.database,
      username: options.username,
      password: options.password,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      log: { level: options.logLevel ?? ClickHouseLogLevel.WARN },
    });
  }
  // Loaded lazily: the native engine is only mapped into processes that use it. `chdb/connection` is a package
  // export subpath that the repository's `moduleResolution: node` cannot see, hence require + type-only import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/dist/connection');
  const chdb = createChdbConnection({ path: options.dataPath ?? ':memory:' });
  const client = createClient({ connection: new SessionSafeChdbConnection(chdb) as unknown as Connection });
  embeddedClients.add(client);
  return client;
}

/**
 * Close the client; for the embedded engine also wait until chdb has really let go of the data directory
 * (an aborted query keeps the engine busy after its promise settled), so another path can be opened next.
 */
export async function closeClickHouseClient(client: ClickHouseClient): Promise<void> {
  await client.close();
  if (embeddedClients.has(client)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { drainPending } = require('chdb') as typeof import('chdb');
    await drainPending();
  }
}

function refuseSessionWideSettings(operation: string, settings: Record<string, unknown> | undefined): void {
  if (!settings) return;
  const leaking = Object.entries(settings)
    .filter(([name, value]) => value !== undefined && !HTTP_ONLY_SETTINGS.has(name))
    .map(([name]) => name);
  if (leaking.length > 0) {
    throw new Error(
      `embedded ClickHouse (chdb) would apply clickhouse_settings [${leaking.join(', ')}] of this ${operation} to ` +
        `the whole session; put them in a SQL SETTINGS clause instead`,
    );
  }
}

type ConnParams = { clickhouse_settings?: Record<string, unknown> };

class SessionSafeChdbConnection {
  constructor(private readonly inner: ChdbConnection) {}

  ping(params: Parameters<ChdbConnection['ping']>[0]) {
    return this.inner.ping(params);
  }
  async query(params: Parameters<ChdbConnection['query']>[0]) {
    refuseSessionWideSettings('query', (params as ConnParams).clickhouse_settings);
    return this.inner.query(params);
  }
  async insert(params: Parameters<ChdbConnection['insert']>[0]) {
    refuseSessionWideSettings('insert', (params as ConnParams).clickhouse_settings);
    return this.inner.insert(params);
  }
  async command(params: Parameters<ChdbConnection['command']>[0]) {
    refuseSessionWideSettings('command', (params as ConnParams).clickhouse_settings);
    return this.inner.command(params);
  }
  async exec(params: Parameters<ChdbConnection['exec']>[0]) {
    refuseSessionWideSettings('exec', (params as ConnParams).clickhouse_settings);
    return this.inner.exec(params);
  }
  close() {
    return this.inner.close();
  }
}
