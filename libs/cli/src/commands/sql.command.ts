import { Analytics } from '@llmops/contracts';
import { createGrpcClient } from '@llmops/grpc';
import type { CliTarget } from './cli-context';
import { formatTable } from './table';

/** Read-only ClickHouse SQL through the analytics service (which enforces read-only). */
export async function sql(target: CliTarget, query: string, options: { json?: boolean; limit?: number }): Promise<void> {
  const analytics = createGrpcClient(Analytics, target.addresses.analytics);
  try {
    const result = await analytics.query({ query: { case: 'sql', value: query }, limit: options.limit ?? 1000 }, { timeoutMs: 60_000 });
    if (options.json) {
      for (const row of result.rowsJson) console.log(row);
      return;
    }
    const rows = result.rowsJson.map((row) => JSON.parse(row) as Record<string, unknown>);
    console.log(formatTable(result.columns.map((column) => column.name), rows));
    console.log(`\n${rows.length} rows in ${result.elapsedMs.toFixed(1)} ms`);
  } finally {
    analytics.close();
  }
}
