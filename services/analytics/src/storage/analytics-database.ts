import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  MigrationRunner,
  closeClickHouseClient,
  createClickHouseClient,
  type ClickHouseClient,
  type MigrationRunResult,
} from '@llmops/clickhouse';

/** Numbered SQL files beside src/ and dist/, so the same path works from the sources and the build. */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

export interface AnalyticsDatabaseOptions {
  /** ClickHouse server over HTTP; absent: the embedded engine in `dataDir`. */
  url?: string;
  dataDir: string;
  migrationsDir?: string;
  log?: (message: string) => void;
}

export interface AnalyticsDatabase {
  client: ClickHouseClient;
  migrations: MigrationRunResult;
}

/** Opens ClickHouse and brings the `llmops` schema up to date; closes the client again if migrating fails. */
export async function openAnalyticsDatabase(options: AnalyticsDatabaseOptions): Promise<AnalyticsDatabase> {
  if (!options.url) mkdirSync(options.dataDir, { recursive: true });
  const client = createClickHouseClient({ url: options.url, dataPath: options.dataDir, database: 'llmops' });
  try {
    const migrations = await new MigrationRunner({
      client,
      directory: options.migrationsDir ?? MIGRATIONS_DIR,
      database: 'llmops',
      log: options.log,
    }).run();
    return { client, migrations };
  } catch (error) {
    await closeClickHouseClient(client).catch(() => undefined);
    throw error;
  }
}
