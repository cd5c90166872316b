import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv, type PlatformConfig, type ServiceEnvironment } from '@llmops/config';

const analyticsEnvSchema = z.object({
  /** A ClickHouse server over HTTP, e.g. http://127.0.0.1:8123. Unset: the embedded engine (chdb). */
  CLICKHOUSE_URL: z.url({ error: 'must be a URL such as http://127.0.0.1:8123' }).optional(),
  CLICKHOUSE_DATA_DIR: z.string().optional(),
  ANALYTICS_CONSUMER_GROUP: z.string().min(1).default('llmops-analytics'),
  /**
   * How long the sink gathers rows before one insert per table; the consumer commits only after it. It bounds how
   * stale the tables are (an event is queryable about this long after it reached Kafka, plus the insert) and sets the
   * ingestion cost: each insert costs ≈ 15–20 ms of CPU in embedded chdb however few rows it carries.
   */
  ANALYTICS_FLUSH_INTERVAL_MS: z.coerce.number().int().min(1).default(1_000),
});

export interface AnalyticsConfig {
  environment: ServiceEnvironment;
  clickhouse: {
    url?: string;
    /** Data directory of the embedded engine; unused when `url` is set. */
    dataDir: string;
  };
  consumerGroup: string;
  flushIntervalMs: number;
  /** From llmops.yaml `analytics.retention_days`; applied to the event tables at start-up. */
  retentionDays: number;
}


export function loadAnalyticsConfig(
  env: Readonly<Record<string, string | undefined>>,
  environment: ServiceEnvironment,
  platform: Pick<PlatformConfig, 'analytics'>,
): AnalyticsConfig {
  const parsed = parseEnv(analyticsEnvSchema, env, { name: 'analytics' });
  return {
    environment,
    clickhouse: {
      ...(parsed.CLICKHOUSE_URL ? { url: parsed.CLICKHOUSE_URL } : {}),
      dataDir: resolve(parsed.CLICKHOUSE_DATA_DIR ?? join(environment.stateDir, 'clickhouse')),
    },
    consumerGroup: parsed.ANALYTICS_CONSUMER_GROUP,
    flushIntervalMs: parsed.ANALYTICS_FLUSH_INTERVAL_MS,
    retentionDays: platform.analytics.retentionDays,
  };
}
