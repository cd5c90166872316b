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
  {
    name: 'experiment_comparison',
    description:
      'one experiment, one row per arm: requests, thumbs-up rate, latency, cost and evaluation score, each compared with the control arm ' +
      '(two-proportion z-test on thumbs-up, Welch t-tests on latency, cost and score; p-values two-sided). Shadow copies and failed requests are left out.',
    params: [
      { name: 'experiment', type: 'String', description: 'the experiment name (llmops.yaml experiments[].name)' },
      SINCE,
      { name: 'tenant_id', type: 'String', description: 'only this tenant (empty: all)', default: '' },
      { name: 'control_arm', type: 'String', description: 'the arm the others are compared with (empty: the arm with the most requests, the first by name on a tie)', default: '' },
    ],
    // One row per trace of the experiment, with its latest thumbs and its mean evaluation score;
    // then per arm the summaries, and per arm against the control the tests. welchTTest takes both
    // samples in one aggregate, told apart by its second argument (1 = this arm, 0 = the control).
    sql: `
WITH
    experiment_traces AS (
        SELECT trace_id, toString(experiment_arm) AS arm, latency_ms, cost_usd
        FROM llmops.traces FINAL
        WHERE experiment = {experiment:String}
          AND ts >= {since:DateTime64(3, 'UTC')}
          AND ({tenant_id:String} = '' OR tenant_id = {tenant_id:String})
          AND NOT shadow AND status = 'ok'
    ),
    thumbs AS (
        SELECT trace_id, argMax(thumbs, ts) AS latest, 1 AS rated
        FROM llmops.feedback FINAL
        WHERE trace_id IN (SELECT trace_id FROM experiment_traces) AND thumbs != 0
        GROUP BY trace_id
    ),
    scores AS (
        SELECT trace_id, avg(score) AS score, 1 AS scored
        FROM llmops.eval_results FINAL
        WHERE trace_id IN (SELECT trace_id FROM experiment_traces)
        GROUP BY trace_id
    ),
    samples AS (
        SELECT e.arm AS arm, e.latency_ms AS latency_ms, e.cost_usd AS cost_usd,
               t.rated AS rated, toUInt8(t.latest > 0) AS up, s.scored AS scored, s.score AS score
        FROM experiment_traces AS e
        LEFT JOIN thumbs AS t ON t.trace_id = e.trace_id
        LEFT JOIN scores AS s ON s.trace_id = e.trace_id
    ),
    control AS (
        SELECT if({control_arm:String} != '', {control_arm:String},
                  (SELECT argMin(arm, (-toInt64(n), arm)) FROM (SELECT arm, count() AS n FROM samples GROUP BY arm))) AS name
    ),
    per_arm AS (
        SELECT
            arm,
            count() AS requests,
            sum(rated) AS rated_n,
            sum(up * rated) AS thumbs_up_n,
            if(rated_n > 0, thumbs_up_n / rated_n, nan) AS thumbs_up_rate,
            avg(latency_ms) AS latency_mean_ms,
            quantile(0.5)(latency_ms) AS latency_p50_ms,
            quantile(0.95)(latency_ms) AS latency_p95_ms,
            avg(cost_usd) AS cost_mean_usd,
            sum(cost_usd) AS cost_total_usd,
            sum(scored) AS scored_n,
            if(scored_n > 0, sumIf(score, scored = 1) / scored_n, nan) AS eval_score_mean
        FROM samples
        GROUP BY arm
    ),
    tests AS (
        SELECT
            a.arm AS arm,
            welchTTest(s.latency_ms, toUInt8(s.arm = a.arm)) AS latency_test,
            welchTTest(s.cost_usd, toUInt8(s.arm = a.arm)) AS cost_test,
            welchTTestIf(s.score, toUInt8(s.arm = a.arm), s.scored = 1) AS score_test
        FROM samples AS s
        CROSS JOIN (SELECT DISTINCT arm FROM samples WHERE arm != (SELECT name FROM control)) AS a
        WHERE s.arm = a.arm OR s.arm = (SELECT name FROM control)
        GROUP BY a.arm
    )
SELECT
    p.arm AS arm,
    p.arm = (SELECT name FROM control) AS is_control,
    p.requests AS requests,
    p.rated_n AS rated,
    p.thumbs_up_n AS thumbs_up,
    p.thumbs_up_rate AS thumbs_up_rate,
    p.latency_mean_ms AS latency_mean_ms,
    p.latency_p50_ms AS latency_p50_ms,
    p.latency_p95_ms AS latency_p95_ms,
    p.cost_mean_usd AS cost_mean_usd,
    p.cost_total_usd AS cost_total_usd,
    p.scored_n AS scored,
    p.eval_score_mean AS eval_score_mean,
    if(is_control OR p.rated_n = 0 OR c.rated_n = 0, nan,
       tupleElement(proportionsZTest(p.thumbs_up_n, c.thumbs_up_n, p.rated_n, c.rated_n, 0.95, 'pooled'), 'z_statistic')) AS thumbs_up_z,
    if(is_control OR p.rated_n = 0 OR c.rated_n = 0, nan,
       tupleElement(proportionsZTest(p.thumbs_up_n, c.thumbs_up_n, p.rated_n, c.rated_n, 0.95, 'pooled'), 'p_value')) AS thumbs_up_p_value,
    if(is_control, nan, p.latency_mean_ms - c.latency_mean_ms) AS latency_diff_ms,
    if(is_control, nan, tupleElement(t.latency_test, 'p_value')) AS latency_p_value,
    if(is_control, nan, p.cost_mean_usd - c.cost_mean_usd) AS cost_diff_usd,
    if(is_control, nan, tupleElement(t.cost_test, 'p_value')) AS cost_p_value,
    if(is_control, nan, p.eval_score_mean - c.eval_score_mean) AS eval_score_diff,
    if(is_control, nan, tupleElement(t.score_test, 'p_value')) AS eval_score_p_value
FROM per_arm AS p
CROSS JOIN (SELECT * FROM per_arm WHERE arm = (SELECT name FROM control)) AS c
LEFT JOIN tests AS t ON t.arm = p.arm
ORDER BY is_control DESC, p.arm`,
  },
  {
    name: 'shadow_comparison',
    description:
      'one experiment\'s shadow copies against the answers they copied, one row per (live model, shadow model): pairs, errors, ' +
      'latency, output tokens, cost and evaluation score of each side, with paired differences (shadow − live) and a Welch t-test on latency',
    params: [
      { name: 'experiment', type: 'String', description: 'the experiment name (llmops.yaml experiments[].name)' },
      SINCE,
      { name: 'tenant_id', type: 'String', description: 'only this tenant (empty: all)', default: '' },
    ],
    // A shadow trace names the trace it copied in shadow_of: the pair is one join. Scores are the
    // mean evaluation score of each trace, where one was recorded.
    sql: `
WITH
    shadows AS (
        SELECT trace_id, shadow_of, model, status, latency_ms, output_tokens, cost_usd
        FROM llmops.traces FINAL
        WHERE experiment = {experiment:String}
          AND ts >= {since:DateTime64(3, 'UTC')}
          AND ({tenant_id:String} = '' OR tenant_id = {tenant_id:String})
          AND shadow
    ),
    live AS (
        SELECT trace_id, model, status, latency_ms, output_tokens, cost_usd
        FROM llmops.traces FINAL
        WHERE trace_id IN (SELECT shadow_of FROM shadows) AND NOT shadow
    ),
    scores AS (
        SELECT trace_id, avg(score) AS score
        FROM llmops.eval_results FINAL
        WHERE trace_id IN (SELECT trace_id FROM shadows) OR trace_id IN (SELECT shadow_of FROM shadows)
        GROUP BY trace_id
    ),
    pairs AS (
        SELECT
            l.model AS live_model, s.model AS shadow_model,
            l.status = 'ok' AS live_ok, s.status = 'ok' AS shadow_ok,
            l.latency_ms AS live_latency_ms, s.latency_ms AS shadow_latency_ms,
            l.output_tokens AS live_output_tokens, s.output_tokens AS shadow_output_tokens,
            l.cost_usd AS live_cost_usd, s.cost_usd AS shadow_cost_usd,
            ls.score AS live_score, ss.score AS shadow_score,
            ls.trace_id != '' AND ss.trace_id != '' AS both_scored
        FROM shadows AS s
        INNER JOIN live AS l ON l.trace_id = s.shadow_of
        LEFT JOIN scores AS ls ON ls.trace_id = l.trace_id
        LEFT JOIN scores AS ss ON ss.trace_id = s.trace_id
        SETTINGS join_use_nulls = 0
    ),
    latency_samples AS (
        SELECT live_model, shadow_model, latency_ms, side
        FROM pairs
        ARRAY JOIN [live_latency_ms, shadow_latency_ms] AS latency_ms, [0, 1] AS side
        WHERE live_ok AND shadow_ok
    ),
    latency_tests AS (
        SELECT live_model, shadow_model, welchTTest(latency_ms, toUInt8(side)) AS test
        FROM latency_samples
        GROUP BY live_model, shadow_model
    )
SELECT
    p.live_model AS live_model,
    p.shadow_model AS shadow_model,
    count() AS pairs,
    countIf(NOT p.live_ok) AS live_errors,
    countIf(NOT p.shadow_ok) AS shadow_errors,
    quantileIf(0.5)(p.live_latency_ms, p.live_ok AND p.shadow_ok) AS live_latency_p50_ms,
    quantileIf(0.5)(p.shadow_latency_ms, p.live_ok AND p.shadow_ok) AS shadow_latency_p50_ms,
    avgIf(p.shadow_latency_ms - p.live_latency_ms, p.live_ok AND p.shadow_ok) AS latency_diff_mean_ms,
    any(tupleElement(t.test, 'p_value')) AS latency_p_value,
    avgIf(toFloat64(p.shadow_output_tokens) - p.live_output_tokens, p.live_ok AND p.shadow_ok) AS output_tokens_diff_mean,
    sum(p.live_cost_usd) AS live_cost_usd,
    sum(p.shadow_cost_usd) AS shadow_cost_usd,
    countIf(p.both_scored) AS scored_pairs,
    if(scored_pairs > 0, avgIf(p.live_score, p.both_scored), nan) AS live_score_mean,
    if(scored_pairs > 0, avgIf(p.shadow_score, p.both_scored), nan) AS shadow_score_mean
FROM pairs AS p
LEFT JOIN latency_tests AS t ON t.live_model = p.live_model AND t.shadow_model = p.shadow_model
GROUP BY p.live_model, p.shadow_model
ORDER BY pairs DESC, live_model, shadow_model`,
  },
];

/** The named reports of the analytics service, by name. */
export const REPORT_CATALOG: ReadonlyMap<string, ReportDefinition> = new Map(reports.map((r) => [r.name, r]));
