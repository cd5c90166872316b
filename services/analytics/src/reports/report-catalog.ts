/** ClickHouse types a report parameter may have; values are bound as query_params, never spliced into SQL. */
export type ReportParamType = 'String' | 'UInt32' | "DateTime64(3, 'UTC')";

export interface ReportParam {
  name: string;
  type: ReportParamType;
  description: string;
  /** Absent: the parameter is required. */
  default?: string | number;
  /** Upper bound for UInt32 parameters such as limits. */
  max?: number;
}

export interface ReportDefinition {
  name: string;
  description: string;
  params: ReportParam[];
  /** One SELECT with `{name:Type}` placeholders and no SETTINGS clause (the runner appends its own). */
  sql: string;
}

const SINCE: ReportParam = {
  name: 'since',
  type: "DateTime64(3, 'UTC')",
  description: 'start of the window: ISO-8601, epoch milliseconds, or YYYY-MM-DD hh:mm:ss (UTC)',
};
const TENANT: ReportParam = { name: 'tenant_id', type: 'String', description: 'tenant to report on' };

// Raw event tables are ReplacingMergeTree: FINAL collapses redelivered events that merges have not removed yet.
const reports: ReportDefinition[] = [
  {
    name: 'trace',
    description: 'one trace, one row per stage: stage, timing, status, with the model, tokens and cost of the trace',
    params: [{ name: 'trace_id', type: 'String', description: 'the trace id' }],
    sql: `
SELECT
    t.trace_id AS trace_id,
    t.ts AS ts,
    t.tenant_id AS tenant_id,
    t.endpoint AS endpoint,
    t.status AS trace_status,
    t.latency_ms AS trace_latency_ms,
    tupleElement(s, 'stage') AS stage,
    tupleElement(s, 'start_offset_ms') AS start_offset_ms,
    tupleElement(s, 'latency_ms') AS latency_ms,
    tupleElement(s, 'status') AS status,
    tupleElement(s, 'detail') AS detail,
    t.provider AS provider,
    t.model AS model,
    t.input_tokens + t.output_tokens AS tokens,
    t.cost_usd AS cost_usd
FROM (SELECT * FROM llmops.traces FINAL WHERE trace_id = {trace_id:String}) AS t
LEFT ARRAY JOIN t.stages AS s
ORDER BY ts, start_offset_ms`,
  },
  {
    name: 'usage_by_model',
    description: 'calls and tokens per provider and model for one tenant since a time',
    params: [TENANT, SINCE],
    sql: `
SELECT
    provider,
    model,
    count() AS calls,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_input_tokens) AS cached_input_tokens,
    sum(reasoning_tokens) AS reasoning_tokens,
    countIf(usage_estimated) AS estimated_calls
FROM llmops.usage FINAL
WHERE tenant_id = {tenant_id:String} AND ts >= {since:DateTime64(3, 'UTC')}
GROUP BY provider, model
ORDER BY input_tokens + output_tokens DESC, provider, model`,
  },
  {
    name: 'latency_by_model',
    description: 'requests, errors and p50/p95/p99 latency per provider and model, from the hourly rollup (whole hours)',
    params: [TENANT, SINCE],
    sql: `
SELECT
    provider,
    model,
    sum(requests) AS requests,
    sum(errors) AS errors,
    sum(blocked) AS blocked,
    quantilesMerge(0.5, 0.95, 0.99)(latency_quantiles) AS latency_quantiles_ms,
    latency_quantiles_ms[1] AS p50_ms,
    latency_quantiles_ms[2] AS p95_ms,
    latency_quantiles_ms[3] AS p99_ms
FROM llmops.traces_hourly
WHERE tenant_id = {tenant_id:String} AND hour >= toStartOfHour({since:DateTime64(3, 'UTC')})
GROUP BY provider, model
ORDER BY requests DESC, provider, model`,
  },
  {
    name: 'spend_by_tenant',
    description: 'priced calls, tokens and cost in USD per tenant since a time',
    params: [SINCE],
    sql: `
SELECT
    tenant_id,
    count() AS calls,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(total_cost_usd) AS cost_usd,
    countIf(NOT priced) AS unpriced_calls
FROM llmops.cost FINAL
WHERE ts >= {since:DateTime64(3, 'UTC')}
GROUP BY tenant_id
ORDER BY cost_usd DESC, tenant_id`,
  },
  {
    name: 'recent_traces',
    description: 'the latest traces, newest first, optionally of one tenant',
    params: [
      { name: 'limit', type: 'UInt32', description: 'how many traces', default: 50, max: 1000 },
      { name: 'tenant_id', type: 'String', description: 'only this tenant (empty: all)', default: '' },
    ],
    sql: `
SELECT
    trace_id,
    ts,
    tenant_id,
    endpoint,
    provider,
    model,
    status,
    latency_ms,
    input_tokens + output_tokens AS tokens,
    cost_usd
FROM llmops.traces FINAL
WHERE {tenant_id:String} = '' OR tenant_id = {tenant_id:String}
ORDER BY ts DESC, trace_id
LIMIT {limit:UInt32}`,
  },
];

/** The named reports of the analytics service, by name. */
export const REPORT_CATALOG: ReadonlyMap<string, ReportDefinition> = new Map(reports.map((r) => [r.name, r]));
