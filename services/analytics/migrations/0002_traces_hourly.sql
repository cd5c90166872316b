-- Hourly rollup of traces per tenant, model and prompt version. Counters are sums; latency keeps mergeable
-- quantile states, read with quantilesMerge(0.5, 0.95, 0.99)(latency_quantiles).
-- The view sees inserted blocks, not merged rows: an event redelivered in a batch that differs from the first
-- one is counted twice here, while llmops.traces FINAL counts it once. A re-sent identical batch is dropped:
-- the writer's insert_deduplication_token (with deduplicate_blocks_in_dependent_materialized_views) reaches
-- this table too, hence its deduplication window. Without a token ClickHouse would compare aggregated blocks
-- by content, and two different batches can aggregate to the same block: always insert traces with a token.

CREATE TABLE IF NOT EXISTS llmops.traces_hourly
(
    tenant_id LowCardinality(String),
    hour DateTime('UTC'),
    provider LowCardinality(String),
    model LowCardinality(String),
    prompt_name LowCardinality(String),
    prompt_version LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    blocked SimpleAggregateFunction(sum, UInt64),
    input_tokens SimpleAggregateFunction(sum, UInt64),
    output_tokens SimpleAggregateFunction(sum, UInt64),
    cached_input_tokens SimpleAggregateFunction(sum, UInt64),
    cost_usd SimpleAggregateFunction(sum, Float64),
    latency_quantiles AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, model, provider, prompt_name, prompt_version)
TTL hour + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS llmops.traces_hourly_mv TO llmops.traces_hourly AS
SELECT
    tenant_id,
    toStartOfHour(ts) AS hour,
    provider,
    model,
    prompt_name,
    prompt_version,
    toUInt64(count()) AS requests,
    toUInt64(countIf(status = 'error')) AS errors,
    toUInt64(countIf(status = 'blocked')) AS blocked,
    toUInt64(sum(input_tokens)) AS input_tokens,
    toUInt64(sum(output_tokens)) AS output_tokens,
    toUInt64(sum(cached_input_tokens)) AS cached_input_tokens,
    sum(cost_usd) AS cost_usd,
    quantilesState(0.5, 0.95, 0.99)(latency_ms) AS latency_quantiles
FROM llmops.traces
GROUP BY tenant_id, hour, provider, model, prompt_name, prompt_version;
