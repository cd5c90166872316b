import { commandClickhouse, queryClickhouse, type ClickHouseClient } from '@llmops/clickhouse';
import { EVENT_TOPICS } from './event-row.mapper';

const TTL_DAYS = /TTL\s+toDateTime\(ts\)\s*\+\s*(?:toIntervalDay\((\d+)\)|INTERVAL\s+(\d+)\s+DAY)/i;

export interface RetentionChange {
  table: string;
  fromDays: number | undefined;
  toDays: number;
}

/**
 * Makes every event table keep rows for `analytics.retention_days`. The migrations create the
 * tables with a 90-day TTL; a different setting is applied with MODIFY TTL at start-up (without
 * rewriting existing parts: expired rows go at the next merge), and only where it differs.
 */
export async function applyRetention(client: ClickHouseClient, retentionDays: number): Promise<RetentionChange[]> {
  if (!Number.isInteger(retentionDays) || retentionDays <= 0) throw new Error(`retention must be a positive whole number of days, not ${retentionDays}`);
  const tables = Object.values(EVENT_TOPICS).map((topic) => topic.table);
  const rows = await queryClickhouse<{ table: string; create: string }>({
    client,
    operation: 'retention.inspect',
    query: "SELECT concat(database, '.', name) AS table, create_table_query AS create FROM system.tables WHERE database = 'llmops' AND has({tables:Array(String)}, concat(database, '.', name))",
    params: { tables },
  });
  const changes: RetentionChange[] = [];
  for (const { table, create } of rows) {
    const match = TTL_DAYS.exec(create);
    const current = match ? Number(match[1] ?? match[2]) : undefined;
    if (current === retentionDays) continue;
    // DDL takes no bound parameters; the table comes from our own registry and the days were
    // checked to be a positive integer above.
    await commandClickhouse({
      client,
      operation: 'retention.apply',
      query: `ALTER TABLE ${table} MODIFY TTL toDateTime(ts) + INTERVAL ${retentionDays} DAY SETTINGS materialize_ttl_after_modify = 0`,
    });
    changes.push({ table, fromDays: current, toDays: retentionDays });
  }
  return changes;
}
