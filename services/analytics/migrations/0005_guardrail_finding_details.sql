-- Findings carry their category (pii, injection, harmful...), a finer label (the Llama Guard 3
-- code S1..S14, the topic, the injection technique) and the action the policy took for that
-- finding alone (issue 5). Existing rows read empty strings for the new tuple elements.

ALTER TABLE llmops.guardrail_events MODIFY COLUMN findings Array(Tuple(
    type LowCardinality(String),
    detector LowCardinality(String),
    message_index UInt32,
    start UInt32,
    end UInt32,
    score Float64,
    category LowCardinality(String),
    label LowCardinality(String),
    action LowCardinality(String)));
