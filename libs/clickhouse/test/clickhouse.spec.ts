import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel } from '@clickhouse/client';
import {
  BatchWriter,
  ClickHouseErrorKind,
  ClickHouseQueryError,
  MigrationError,
  MigrationRunner,
  ReadOnlySqlError,
  ReadOnlySqlErrorCode,
  ReadOnlySqlGuard,
  closeClickHouseClient,
  commandClickhouse,
  createClickHouseClient,
  isEmbeddedClient,
  queryClickhouse,
  type ClickHouseClient,
} from '@llmops/clickhouse';

// chdb binds one data directory per process: every test in this file shares this one.
const root = mkdtempSync(join(tmpdir(), 'llmops-ch-lib-'));
const migrationsDir = join(root, 'migrations');
let client: ClickHouseClient;

beforeAll(async () => {
  mkdirSync(migrationsDir);
  client = createClickHouseClient({ dataPath: join(root, 'data'), database: 'llmops' });
});

afterAll(async () => {
  await closeClickHouseClient(client);
  rmSync(root, { recursive: true, force: true });
});

const count = async (sql: string) =>
  Number((await queryClickhouse<{ c: string }>({ client, query: sql }))[0].c);

describe('createClickHouseClient (embedded)', () => {
  it('is embedded and refuses clickhouse_settings that chdb would make session-wide', async () => {
    expect(isEmbeddedClient(client)).toBe(true);
    await expect(
      client.query({ query: 'SELECT 1', format: 'JSONEachRow', clickhouse_settings: { readonly: '1' } }),
    ).rejects.toThrow(/whole session.*SETTINGS clause/);
    // And the engine is still writable afterwards.
    await commandClickhouse({ client, query: 'CREATE DATABASE IF NOT EXISTS scratch' });
  });
});

describe('MigrationRunner', () => {
  const write = (name: string, text: string) => writeFileSync(join(migrationsDir, name), text);

  it('applies numbered files in order, once, and records them', async () => {
    write(
      '0001_init.sql',
      `-- two statements; the ; inside the literal and the comment must not split them
CREATE TABLE IF NOT EXISTS llmops.m_a (id UInt32, note String DEFAULT 'a;b') ENGINE = MergeTree ORDER BY id
;
/* seed ; row */
INSERT INTO llmops.m_a (id) VALUES (1);
`,
    );
    write('0002_more.sql', 'CREATE TABLE IF NOT EXISTS llmops.m_b (id UInt32) ENGINE = MergeTree ORDER BY id;\n');
    const runner = new MigrationRunner({ client, directory: migrationsDir });

    const first = await runner.run();
    expect(first).toEqual({ applied: ['0001_init.sql', '0002_more.sql'], alreadyApplied: [] });
    expect(await queryClickhouse({ client, query: 'SELECT id, note FROM llmops.m_a' })).toEqual([{ id: 1, note: 'a;b' }]);

    const second = await runner.run();
    expect(second).toEqual({ applied: [], alreadyApplied: ['0001_init.sql', '0002_more.sql'] });
    expect(await count('SELECT count() AS c FROM llmops.m_a')).toBe(1);

    const recorded = await queryClickhouse<{ version: number; name: string; checksum: string }>({
      client,
      query: 'SELECT version, name, checksum FROM llmops.schema_migrations FINAL ORDER BY version',
    });
    expect(recorded.map((r) => [r.version, r.name])).toEqual([
      [1, 'init'],
      [2, 'more'],
    ]);
    expect(recorded[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to run when an applied file changed', async () => {
    write('0002_more.sql', 'CREATE TABLE IF NOT EXISTS llmops.m_b (id UInt64) ENGINE = MergeTree ORDER BY id;\n');
    const runner = new MigrationRunner({ client, directory: migrationsDir });
    await expect(runner.run()).rejects.toThrow(MigrationError);
    await expect(runner.run()).rejects.toThrow(/0002_more\.sql/);
    rmSync(join(migrationsDir, '0002_more.sql'));
    write('0002_more.sql', 'CREATE TABLE IF NOT EXISTS llmops.m_b (id UInt32) ENGINE = MergeTree ORDER BY id;\n');
  });

  it('names the file and statement that failed', async () => {
    write('0003_broken.sql', 'CREATE TABLE IF NOT EXISTS llmops.m_c (id UInt32) ENGINE = MergeTree ORDER BY id;\nCREAT TABLE nope;\n');
    const runner = new MigrationRunner({ client, directory: migrationsDir });
    await expect(runner.run()).rejects.toThrow(/0003_broken\.sql failed at statement 2 of 2.*SYNTAX/s);
    rmSync(join(migrationsDir, '0003_broken.sql'));
  });
});

describe('queryClickhouse', () => {
  it('binds parameters instead of interpolating them', async () => {
    const hostile = "x'); DROP TABLE llmops.m_a; --";
    const rows = await queryClickhouse<{ s: string; n: number }>({
      client,
      query: 'SELECT {s:String} AS s, {n:UInt32} + 1 AS n',
      params: { s: hostile, n: 41 },
    });
    expect(rows).toEqual([{ s: hostile, n: 42 }]);
    expect(await count('SELECT count() AS c FROM llmops.m_a')).toBe(1);
  });

  it('classifies a syntax error as not retryable', async () => {
    const err = await queryClickhouse({ client, query: 'SELEC 1', operation: 'bad' }).catch((e) => e);
    expect(err).toBeInstanceOf(ClickHouseQueryError);
    expect(err.kind).toBe(ClickHouseErrorKind.Syntax);
    expect(err.retryable).toBe(false);
    expect(err.clickhouseCode).toBe(62);
    expect(err.message).toMatch(/^bad: SYNTAX/);
  });

  it('classifies an unknown table', async () => {
    const err = await queryClickhouse({ client, query: 'SELECT * FROM llmops.missing' }).catch((e) => e);
    expect(err.kind).toBe(ClickHouseErrorKind.UnknownIdentifier);
  });

  describe('over HTTP', () => {
    let server: Server;
    let requests = 0;
    let mode: 'hangup' | 'syntax' = 'hangup';
    let url = '';

    beforeAll(async () => {
      server = createServer((req, res) => {
        requests++;
        req.resume();
        if (mode === 'hangup') {
          req.socket.destroy();
          return;
        }
        res.writeHead(400, { 'X-ClickHouse-Exception-Code': '62', 'Content-Type': 'text/plain' });
        res.end('Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR) (version 25.1.1.1)\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('retries network failures, then reports them as NETWORK', async () => {
      const http = createClickHouseClient({ url, database: 'llmops', logLevel: ClickHouseLogLevel.OFF });
      requests = 0;
      mode = 'hangup';
      const err = await queryClickhouse({
        client: http,
        query: 'SELECT 1',
        retry: { attempts: 3, baseDelayMs: 1 },
      }).catch((e) => e);
      await http.close();
      expect(err.kind).toBe(ClickHouseErrorKind.Network);
      expect(err.retryable).toBe(true);
      expect(requests).toBe(3);
    });

    it('does not retry a syntax error from the server', async () => {
      const http = createClickHouseClient({ url, database: 'llmops', logLevel: ClickHouseLogLevel.OFF });
      requests = 0;
      mode = 'syntax';
      const err = await queryClickhouse({ client: http, query: 'SELEC 1', retry: { attempts: 3, baseDelayMs: 1 } }).catch(
        (e) => e,
      );
      await http.close();
      expect(err.kind).toBe(ClickHouseErrorKind.Syntax);
      expect(requests).toBe(1);
    });
  });
});

describe('BatchWriter', () => {
  type Tables = { 'llmops.bw_events': { event_id: string; n: number } };

  beforeAll(async () => {
    await commandClickhouse({
      client,
      query: `CREATE TABLE IF NOT EXISTS llmops.bw_events (event_id String, n UInt32)
        ENGINE = MergeTree ORDER BY event_id SETTINGS non_replicated_deduplication_window = 100`,
    });
  });

  it('batches by size, resolves each write once its rows are stored', async () => {
    const writer = new BatchWriter<Tables>({ client, maxBatchRows: 2, flushIntervalMs: 1 });
    const rows = [1, 2, 3, 4, 5].map((n) => ({ event_id: `size-${n}`, n }));
    await writer.write('llmops.bw_events', rows);
    expect(await count("SELECT count() AS c FROM llmops.bw_events WHERE startsWith(event_id, 'size-')")).toBe(5);
    await writer.close();
  });

  it('flushes on close even before the interval', async () => {
    const writer = new BatchWriter<Tables>({ client, flushIntervalMs: 60_000 });
    const written = writer.write('llmops.bw_events', [{ event_id: 'close-1', n: 1 }]);
    await writer.close();
    await written;
    expect(await count("SELECT count() AS c FROM llmops.bw_events WHERE event_id = 'close-1'")).toBe(1);
    await expect(writer.write('llmops.bw_events', [{ event_id: 'late', n: 1 }])).rejects.toThrow(/closed/);
  });

  it('drops a re-sent batch of the same events through the deduplication token', async () => {
    const writer = new BatchWriter<Tables>({
      client,
      flushIntervalMs: 1,
      dedupKeyOf: { 'llmops.bw_events': (row) => row.event_id },
    });
    await writer.write('llmops.bw_events', [
      { event_id: 'dup-1', n: 1 },
      { event_id: 'dup-2', n: 2 },
    ]);
    await writer.write('llmops.bw_events', [
      { event_id: 'dup-2', n: 2 },
      { event_id: 'dup-1', n: 1 },
    ]);
    await writer.close();
    expect(await count("SELECT count() AS c FROM llmops.bw_events WHERE startsWith(event_id, 'dup-')")).toBe(2);
  });

  it('rejects the write and reports the error when the batch cannot be stored', async () => {
    const errors: string[] = [];
    const writer = new BatchWriter<{ 'llmops.nope': { a: number } }>({
      client,
      flushIntervalMs: 1,
      onError: (table, err) => errors.push(`${table}: ${err.message}`),
    });
    const err = await writer.write('llmops.nope', [{ a: 1 }]).catch((e) => e);
    await writer.close();
    expect(err).toBeInstanceOf(ClickHouseQueryError);
    expect(err.kind).toBe(ClickHouseErrorKind.UnknownIdentifier);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^llmops\.nope: insert 1 rows into llmops\.nope/);
  });
});

describe('ReadOnlySqlGuard', () => {
  let guard: ReadOnlySqlGuard;
  beforeAll(async () => {
    guard = new ReadOnlySqlGuard(client, { maxResultRows: 100, maxExecutionTimeSeconds: 5 });
    await commandClickhouse({
      client,
      query: 'CREATE TABLE IF NOT EXISTS llmops.ro_t (id UInt32, name String) ENGINE = MergeTree ORDER BY id',
    });
    await commandClickhouse({ client, query: "INSERT INTO llmops.ro_t VALUES (1, 'a'), (2, 'b')" });
  });

  const refusal = (sql: string) => guard.run(sql).catch((e) => e);

  it('runs a SELECT and returns typed columns', async () => {
    const result = await guard.run('SELECT id, name FROM llmops.ro_t ORDER BY id;');
    expect(result.columns).toEqual([
      { name: 'id', type: 'UInt32' },
      { name: 'name', type: 'String' },
    ]);
    expect(result.rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  it.each([
    ["INSERT INTO llmops.ro_t VALUES (3, 'c')", ReadOnlySqlErrorCode.NotASelect, /only SELECT.*got INSERT/],
    ['DROP TABLE llmops.ro_t', ReadOnlySqlErrorCode.NotASelect, /only SELECT.*got DROP/],
    ['SELECT 1; DROP TABLE llmops.ro_t', ReadOnlySqlErrorCode.MultiStatement, /one statement/],
    ['SELECT * FROM (SELECT 1 SETTINGS readonly = 0)', ReadOnlySqlErrorCode.SettingsClause, /SETTINGS/],
    ["SELECT 1 INTO OUTFILE '/tmp/x'", ReadOnlySqlErrorCode.OutputClause, /OUTFILE/],
    ['   ', ReadOnlySqlErrorCode.Empty, /empty/],
  ])('refuses %s', async (sql, code, message) => {
    const err = await refusal(sql);
    expect(err).toBeInstanceOf(ReadOnlySqlError);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('lets readonly=1 stop table functions that read the host', async () => {
    const err = await refusal("SELECT * FROM file('/etc/hostname', 'LineAsString')");
    expect(err).toBeInstanceOf(ClickHouseQueryError);
    expect(err.kind).toBe(ClickHouseErrorKind.ReadOnly);
  });

  it('enforces the row limit', async () => {
    const err = await refusal('SELECT number FROM system.numbers LIMIT 1000');
    expect(err.kind).toBe(ClickHouseErrorKind.TooManyRows);
    expect(err.message).toMatch(/larger than 100 rows/);
  });

  it('leaves the engine writable and the data intact', async () => {
    await commandClickhouse({ client, query: "INSERT INTO llmops.ro_t VALUES (3, 'c')" });
    expect(await count('SELECT count() AS c FROM llmops.ro_t')).toBe(3);
  });
});
