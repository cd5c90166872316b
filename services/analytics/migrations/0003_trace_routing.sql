-- Routing's explanation of each request (issue 4): why the route was chosen, the rule that matched,
-- the experiment arm, cache outcome and budget action, and whether the trace is a shadow copy.
-- Additive: existing rows read the defaults (empty strings, false).

ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS route_reason String;
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS route_rule LowCardinality(String);
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS experiment LowCardinality(String);
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS experiment_arm LowCardinality(String);
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS cache_status LowCardinality(String);
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS budget_action LowCardinality(String);
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS shadow Bool;
ALTER TABLE llmops.traces ADD COLUMN IF NOT EXISTS shadow_of String;
