import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { commandClickhouse, queryClickhouse } from './query-clickhouse';
import { splitSqlStatements } from './sql-statement.splitter';

export interface MigrationFile {
  version: number;
  name: string;
  fileName: string;
  checksum: string;
  statements: string[];
}

export interface MigrationRunResult {
  applied: string[];
  alreadyApplied: string[];
}

export interface MigrationRunnerOptions {
  client: ClickHouseClient;
  /** Directory holding `0001_name.sql`, `0002_name.sql`, … */
  directory: string;
  /** Database of the bookkeeping table; created when missing. */
  database?: string;
  log?: (message: string) => void;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const FILE_PATTERN = /^(\d{4,})_([A-Za-z0-9_-]+)\.sql$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Applies numbered SQL files in order, once each, and records them in `<database>.schema_migrations`.
 * ClickHouse has no transactional DDL, so a file that fails half-way stays unrecorded and is re-run whole next
 * time: write statements that can run twice (IF NOT EXISTS). An applied file whose content changed is refused,
 * because the database would silently differ from what the file says.
 */
export class MigrationRunner {
  private readonly database: string;
  private readonly log: (message: string) => void;

  constructor(private readonly options: MigrationRunnerOptions) {
    this.database = options.database ?? 'llmops';
    if (!IDENTIFIER.test(this.database)) throw new MigrationError(`invalid database name ${this.database}`);
    this.log = options.log ?? (() => undefined);
  }

  async loadFiles(): Promise<MigrationFile[]> {
    const entries = (await readdir(this.options.directory)).filter((f) => f.endsWith('.sql')).sort();
    const files: MigrationFile[] = [];
    const seen = new Map<number, string>();
    for (const fileName of entries) {
      const match = FILE_PATTERN.exec(fileName);
      if (!match) {
        throw new MigrationError(`migration file ${fileName} does not match NNNN_name.sql`);
      }
      const version = Number(match[1]);
      const other = seen.get(version);
      if (other) throw new MigrationError(`migrations ${other} and ${fileName} share version ${version}`);
      seen.set(version, fileName);
      const text = await readFile(join(this.options.directory, fileName), 'utf8');
      files.push({
        version,
        name: match[2],
        fileName,
        checksum: createHash('sha256').update(text).digest('hex'),
        statements: splitSqlStatements(text),
      });
    }
    return files.sort((a, b) => a.version - b.version);
  }

  async run(): Promise<MigrationRunResult> {
    const { client } = this.options;
    const table = `${this.database}.schema_migrations`;
    await commandClickhouse({ client, operation: 'migrations.bootstrap', query: `CREATE DATABASE IF NOT EXISTS ${this.database}` });
    await commandClickhouse({
      client,
      operation: 'migrations.bootstrap',
      query: `CREATE TABLE IF NOT EXISTS ${table} (
        version UInt32,
        name String,
        checksum String,
        applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = ReplacingMergeTree ORDER BY version`,
    });

    const files = await this.loadFiles();
    const appliedRows = await queryClickhouse<{ version: number; name: string; checksum: string }>({
      client,
      operation: 'migrations.applied',
      query: `SELECT version, name, checksum FROM ${table} FINAL ORDER BY version`,
    });
    const applied = new Map(appliedRows.map((r) => [Number(r.version), r]));

    const changed = files.filter((f) => applied.has(f.version) && applied.get(f.version)!.checksum !== f.checksum);
    if (changed.length > 0) {
      throw new MigrationError(
        `applied migration(s) changed on disk: ${changed.map((f) => f.fileName).join(', ')}; ` +
          'add a new numbered file instead of editing an applied one',
      );
    }

    const result: MigrationRunResult = { applied: [], alreadyApplied: [] };
    for (const file of files) {
      if (applied.has(file.version)) {
        result.alreadyApplied.push(file.fileName);
        continue;
      }
      for (const [index, statement] of file.statements.entries()) {
        try {
          await commandClickhouse({ client, operation: `migration ${file.fileName}`, query: statement, retry: { attempts: 1 } });
        } catch (err) {
          throw new MigrationError(
            `migration ${file.fileName} failed at statement ${index + 1} of ${file.statements.length}: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
      await commandClickhouse({
        client,
        operation: 'migrations.record',
        query: `INSERT INTO ${table} (version, name, checksum) VALUES ({version:UInt32}, {name:String}, {checksum:String})`,
        params: { version: file.version, name: file.name, checksum: file.checksum },
      });
      this.log(`applied migration ${file.fileName}`);
      result.applied.push(file.fileName);
    }
    return result;
  }
}
