-- Event tables, one per Kafka topic (see proto/llmops/v1/events.proto). Every table:
--   * ReplacingMergeTree with event_id last in the sorting key: a redelivered event collapses into one row
--     (read with FINAL for exact answers before merges ran);
--   * non_replicated_deduplication_window so a re-sent batch with the same insert_deduplication_token is
--     dropped at insert time and never reaches the materialized views twice;
--   * daily partitions and a 90-day TTL (retention).
-- Times are DateTime64(3, 'UTC'): the writer sends 'YYYY-MM-DD hh:mm:ss.sss' strings in UTC.

CREATE DATABASE IF NOT EXISTS llmops;

CREATE TABLE IF NOT EXISTS llmops.traces
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    project_id LowCardinality(String),
    user_id String,
    api_key_id String,
    request_id String,
    tags Map(String, String),
    endpoint LowCardinality(String),
    stream Bool,
    route LowCardinality(String),
    requested_model LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    model_version LowCardinality(String),
    prompt_name LowCardinality(String),
    prompt_version LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32,
    cached_input_tokens UInt32,
    reasoning_tokens UInt32,
    usage_estimated Bool,
    cost_usd Float64,
    latency_ms Float64,
    time_to_first_token_ms Float64,
    status LowCardinality(String),
    error_code LowCardinality(String),
    error_message String,
    stages Array(Tuple(stage LowCardinality(String), start_offset_ms Float64, latency_ms Float64, status LowCardinality(String), detail String)),
    input_verdict LowCardinality(String),
    output_verdict LowCardinality(String),
    citations UInt32,
    collection LowCardinality(String),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), model, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.spans
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    span_id String,
    parent_span_id String,
    name LowCardinality(String),
    kind LowCardinality(String),
    service_name LowCardinality(String),
    duration_ms Float64,
    status_code LowCardinality(String),
    status_message String,
    attributes Map(LowCardinality(String), String),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), service_name, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.usage
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    project_id LowCardinality(String),
    user_id String,
    api_key_id String,
    request_id String,
    tags Map(String, String),
    provider LowCardinality(String),
    model LowCardinality(String),
    model_version LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32,
    cached_input_tokens UInt32,
    reasoning_tokens UInt32,
    usage_estimated Bool,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), model, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.cost
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    project_id LowCardinality(String),
    user_id String,
    api_key_id String,
    request_id String,
    tags Map(String, String),
    provider LowCardinality(String),
    model LowCardinality(String),
    model_version LowCardinality(String),
    input_tokens UInt32,
    output_tokens UInt32,
    cached_input_tokens UInt32,
    reasoning_tokens UInt32,
    usage_estimated Bool,
    input_cost_usd Float64,
    output_cost_usd Float64,
    cached_input_cost_usd Float64,
    total_cost_usd Float64,
    priced Bool,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), model, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.guardrail_events
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    project_id LowCardinality(String),
    user_id String,
    api_key_id String,
    request_id String,
    tags Map(String, String),
    direction LowCardinality(String),
    action LowCardinality(String),
    findings Array(Tuple(type LowCardinality(String), detector LowCardinality(String), message_index UInt32, start UInt32, end UInt32, score Float64)),
    latency_ms Float64,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), direction, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.feedback
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    trace_id String,
    project_id LowCardinality(String),
    user_id String,
    api_key_id String,
    request_id String,
    tags Map(String, String),
    thumbs Int8,
    score Float64,
    comment String,
    correction String,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.eval_results
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    run_id String,
    dataset LowCardinality(String),
    case_index UInt32,
    metric LowCardinality(String),
    score Float64,
    model LowCardinality(String),
    trace_id String
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, run_id, metric, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS llmops.alerts
(
    event_id String,
    tenant_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    kind LowCardinality(String),
    severity LowCardinality(String),
    message String,
    labels Map(String, String),
    value Float64,
    threshold Float64
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(ts)
ORDER BY (tenant_id, toStartOfHour(ts), kind, event_id)
TTL toDateTime(ts) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;
