-- Every try along the model chain (issue 3): which model, how long, which retry, whether its
-- breaker made the chain skip it, and the error it ended with. Additive: old rows read [].

ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS attempts Array(Tuple(
    provider LowCardinality(String),
    model LowCardinality(String),
    version String,
    latency_ms Float64,
    retry UInt32,
    skipped Bool,
    error_code LowCardinality(String),
    error String));
