import { closeClickHouseClient, queryClickhouse, type ClickHouseClient } from '@llmops/clickhouse';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnalyticsDatabase } from '../src/storage/analytics-database';
import { applyRetention } from '../src/storage/retention-policy';

describe('retention policy on the embedded engine', () => {
  let dir: string;
  let client: ClickHouseClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'analytics-retention-'));
    ({ client } = await openAnalyticsDatabase({ dataDir: join(dir, 'clickhouse') }));
  });

  afterAll(async () => {
    await closeClickHouseClient(client);
    rmSync(dir, { recursive: true, force: true });
  });

  const ttlOf = async (table: string) =>
    (await queryClickhouse<{ q: string }>({ client, query: "SELECT create_table_query AS q FROM system.tables WHERE database = 'llmops' AND name = {name:String}", params: { name: table } }))[0]!.q;

  it('leaves the tables alone when the setting matches the migrations', async () => {
    expect(await applyRetention(client, 90)).toEqual([]);
  });

  it('changes every event table to the configured retention, once', async () => {
    const changes = await applyRetention(client, 30);
    expect(changes.map((change) => change.table).sort()).toEqual(
      ['llmops.alerts', 'llmops.cost', 'llmops.eval_results', 'llmops.feedback', 'llmops.guardrail_events', 'llmops.spans', 'llmops.traces', 'llmops.usage'].sort(),
    );
    expect(changes.every((change) => change.fromDays === 90 && change.toDays === 30)).toBe(true);
    expect(await ttlOf('traces')).toMatch(/toIntervalDay\(30\)|INTERVAL 30 DAY/);
    expect(await applyRetention(client, 30)).toEqual([]);
  });

  it('refuses a retention that is not a positive whole number of days', async () => {
    await expect(applyRetention(client, 0)).rejects.toThrow(/positive whole number/);
    await expect(applyRetention(client, 1.5)).rejects.toThrow(/positive whole number/);
  });
});
