import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ClickHouseErrorKind,
  ClickHouseQueryError,
  MigrationRunner,
  ReadOnlySqlError,
  ReadOnlySqlErrorCode,
  closeClickHouseClient,
  createClickHouseClient,
  queryClickhouse,
  type ClickHouseClient,
} from '@llmops/clickhouse';
import {
  AlertEventSchema,
  CostEventSchema,
  EvalResultEventSchema,
  FeedbackEventSchema,
  GuardrailAction,
  GuardrailEventSchema,
  SpanEventSchema,
  TraceEventSchema,
  UsageEventSchema,
} from '@llmops/contracts';
import { EVENT_TOPICS, EventMappingError, type EventTopic } from '../src/storage/event-row.mapper';
import { EventSink } from '../src/storage/event-sink';
import { ReportError, ReportErrorCode, ReportRunner } from '../src/reports/report-runner';

// chdb binds one data directory per process: every test in this file uses this one.
const root = mkdtempSync(join(tmpdir(), 'llmops-analytics-'));
const migrations = join(__dirname, '..', 'migrations');
let client: ClickHouseClient;
let sink: EventSink;

// A fixed recent time (inside the 90-day TTL), at a whole second plus 123 ms to check millisecond precision.
const NOW = Math.floor(Date.now() / 1000) * 1000 + 123;
const at = (offsetMs = 0) => timestampFromMs(NOW + offsetMs);
const context = (tenantId: string) => ({
  tenantId,
  projectId: 'proj-1',
  userId: 'user-1',
  apiKeyId: 'key-1',
  requestId: 'req-1',
  tags: { feature: 'chat' },
});

function trace(eventId: string, traceId: string, tenantId = 'tenant-a', overrides: Partial<MessageInitShape<typeof TraceEventSchema>> = {}) {
  return create(TraceEventSchema, {
    eventId,
    traceId,
    occurredAt: at(),
    context: context(tenantId),
    endpoint: 'http.chat.completions',
    stream: true,
    route: 'default',
    requestedModel: 'gpt-4o-mini',
    model: { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' },
    promptName: 'support',
    promptVersion: '3',
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 0, estimated: false },
    costUsd: 0.00042,
    latencyMs: 250,
    timeToFirstTokenMs: 80,
    status: 'ok',
    stages: [
      { stage: 'auth', startOffsetMs: 0, latencyMs: 1.5, status: 'ok' },
      { stage: 'guardrails.input', startOffsetMs: 1.5, latencyMs: 4, status: 'ok' },
      { stage: 'inference', startOffsetMs: 6, latencyMs: 230, status: 'ok', detail: 'openai/gpt-4o-mini' },
      { stage: 'guardrails.output', startOffsetMs: 236, latencyMs: 10, status: 'ok' },
    ],
    inputVerdict: 'pass',
    outputVerdict: 'pass',
    citations: 2,
    collection: 'docs',
    routeReason: 'rule "simple" matched (complexity simple) → route "cheap"',
    routeRule: 'simple',
    experiment: 'exp-1',
    experimentArm: 'treatment',
    cacheStatus: 'miss',
    budgetAction: 'allow',
    attempts: [
      { model: { provider: 'openai', model: 'gpt-4o', version: '2024-08-06' }, latencyMs: 0, retry: 0, skipped: true, errorCode: 'CIRCUIT_OPEN', error: 'breaker open' },
      { model: { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' }, latencyMs: 12.5, retry: 0, errorCode: 'RATE_LIMITED', error: '429 rate limited' },
      { model: { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' }, latencyMs: 230, retry: 1 },
    ],
    ...overrides,
  });
}

const samples = {
  'llmops.traces.v1': trace('ev-trace-1', 'trace-1'),
  'llmops.spans.v1': create(SpanEventSchema, {
    eventId: 'ev-span-1',
    traceId: 'trace-1',
    spanId: 'span-1',
    parentSpanId: 'span-0',
    name: 'inference.generate',
    kind: 'client',
    serviceName: 'inference',
    startTime: at(6),
    durationMs: 230,
    statusCode: 'ok',
    attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': '120' },
    tenantId: 'tenant-a',
  }),
  'llmops.usage.v1': create(UsageEventSchema, {
    eventId: 'ev-usage-1',
    traceId: 'trace-1',
    occurredAt: at(),
    context: context('tenant-a'),
    model: { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' },
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 5, estimated: true },
  }),
  'llmops.cost.v1': create(CostEventSchema, {
    eventId: 'ev-cost-1',
    traceId: 'trace-1',
    occurredAt: at(),
    context: context('tenant-a'),
    model: { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' },
    usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20 },
    inputCostUsd: 0.00018,
    outputCostUsd: 0.00018,
    cachedInputCostUsd: 0.00006,
    totalCostUsd: 0.00042,
    priced: true,
  }),
  'llmops.guardrails.v1': create(GuardrailEventSchema, {
    eventId: 'ev-guard-1',
    traceId: 'trace-1',
    occurredAt: at(),
    context: context('tenant-a'),
    direction: 'input',
    action: GuardrailAction.REDACT,
    findings: [
      { type: 'email', detector: 'regex.email', messageIndex: 1, start: 10, end: 25, score: 1, category: 'pii', label: 'email', action: GuardrailAction.REDACT },
      { type: 'payment_card', detector: 'luhn', messageIndex: 1, start: 40, end: 56, score: 0.99 },
    ],
    latencyMs: 3.25,
  }),
  'llmops.feedback.v1': create(FeedbackEventSchema, {
    eventId: 'ev-feedback-1',
    traceId: 'trace-1',
    occurredAt: at(1000),
    context: context('tenant-a'),
    thumbs: -1,
    score: 0.25,
    comment: 'wrong "refund" policy, it\'s 30 days',
    correction: 'Refunds within 30 days.',
  }),
  'llmops.evals.v1': create(EvalResultEventSchema, {
    eventId: 'ev-eval-1',
    runId: 'run-1',
    occurredAt: at(),
    tenantId: 'tenant-a',
    dataset: 'support-golden',
    caseIndex: 7,
    metric: 'faithfulness',
    score: 0.875,
    model: 'gpt-4o-mini',
    traceId: 'trace-1',
  }),
  'llmops.alerts.v1': create(AlertEventSchema, {
    eventId: 'ev-alert-1',
    occurredAt: at(),
    tenantId: 'tenant-a',
    kind: 'cost_spike',
    severity: 'warning',
    message: 'spend 3x the 7-day average',
    labels: { model: 'gpt-4o-mini' },
    value: 12.5,
    threshold: 4,
  }),
};

const count = async (sql: string, params?: Record<string, unknown>) =>
  Number((await queryClickhouse<{ c: string }>({ client, query: sql, params }))[0].c);

beforeAll(async () => {
  client = createClickHouseClient({ dataPath: join(root, 'chdb'), database: 'llmops' });
  sink = new EventSink({ client, flushIntervalMs: 1 });
});

afterAll(async () => {
  await sink?.close();
  if (client) await closeClickHouseClient(client);
  rmSync(root, { recursive: true, force: true });
});

describe('migrations', () => {
  it('apply every file, and a second run applies nothing', async () => {
    const runner = new MigrationRunner({ client, directory: migrations });
    const first = await runner.run();
    expect(first.applied).toEqual(['0001_init.sql', '0002_traces_hourly.sql', '0003_trace_routing.sql', '0004_trace_attempts.sql', '0005_guardrail_finding_details.sql']);
    const second = await runner.run();
    expect(second).toEqual({ applied: [], alreadyApplied: ['0001_init.sql', '0002_traces_hourly.sql', '0003_trace_routing.sql', '0004_trace_attempts.sql', '0005_guardrail_finding_details.sql'] });

    const tables = await queryClickhouse<{ name: string; engine: string }>({
      client,
      query: "SELECT name, engine FROM system.tables WHERE database = 'llmops' ORDER BY name",
    });
    expect(Object.fromEntries(tables.map((t) => [t.name, t.engine]))).toEqual({
      alerts: 'ReplacingMergeTree',
      cost: 'ReplacingMergeTree',
      eval_results: 'ReplacingMergeTree',
      feedback: 'ReplacingMergeTree',
      guardrail_events: 'ReplacingMergeTree',
      schema_migrations: 'ReplacingMergeTree',
      spans: 'ReplacingMergeTree',
      traces: 'ReplacingMergeTree',
      traces_hourly: 'AggregatingMergeTree',
      traces_hourly_mv: 'MaterializedView',
      usage: 'ReplacingMergeTree',
    });
  });
});

describe('EventSink', () => {
  it.each(Object.keys(samples) as EventTopic[])('round-trips %s: protobuf → row → ClickHouse → same row', async (topic) => {
    const event = samples[topic];
    const schema = EVENT_TOPICS[topic].schema as DescMessage;
    await sink.writeEncoded(topic, [toBinary(schema, event as never)]);

    const table = EVENT_TOPICS[topic].table;
    const stored = await queryClickhouse({
      client,
      query: `SELECT * FROM ${table} FINAL WHERE event_id = {id:String}`,
      params: { id: event.eventId },
    });
    const expected = (EVENT_TOPICS[topic].toRow as (e: unknown) => object)(event);
    expect(stored).toEqual([expected]);
    expect((stored[0] as { ts: string }).ts).toBe(new Date(NOW + (topic === 'llmops.spans.v1' ? 6 : topic === 'llmops.feedback.v1' ? 1000 : 0)).toISOString().replace('T', ' ').replace('Z', ''));
  });

  it('keeps one row per event_id when an event is delivered again in another batch', async () => {
    const a = trace('ev-dup-a', 'trace-dup', 'tenant-dup');
    const b = trace('ev-dup-b', 'trace-dup-2', 'tenant-dup');
    await sink.write('llmops.traces.v1', [a]);
    await sink.write('llmops.traces.v1', [a, b]);
    expect(await count("SELECT count() AS c FROM llmops.traces FINAL WHERE tenant_id = 'tenant-dup'")).toBe(2);
    expect(await count("SELECT count() AS c FROM llmops.traces FINAL WHERE event_id = 'ev-dup-a'")).toBe(1);
  });

  it('drops a re-sent identical batch at insert, so the hourly rollup counts it once', async () => {
    const batch = [trace('ev-rs-1', 'trace-rs-1', 'tenant-rs'), trace('ev-rs-2', 'trace-rs-2', 'tenant-rs')];
    await sink.write('llmops.traces.v1', batch);
    await sink.write('llmops.traces.v1', [...batch].reverse());
    expect(await count("SELECT count() AS c FROM llmops.traces WHERE tenant_id = 'tenant-rs'")).toBe(2);
    expect(await count("SELECT sum(requests) AS c FROM llmops.traces_hourly WHERE tenant_id = 'tenant-rs'")).toBe(2);
  });

  it('refuses an event without its time instead of storing it in 1970', async () => {
    const bad = trace('ev-no-time', 'trace-no-time', 'tenant-a', { occurredAt: undefined });
    await expect(sink.write('llmops.traces.v1', [bad])).rejects.toThrow(EventMappingError);
    await expect(sink.writeEncoded('llmops.nope.v1', [])).rejects.toThrow(/no table for topic llmops.nope.v1/);
  });
});

describe('ReportRunner', () => {
  let reports: ReportRunner;
  const since = new Date(NOW - 3_600_000).toISOString();

  beforeAll(async () => {
    reports = new ReportRunner(client, { maxResultRows: 1000 });
    await sink.write('llmops.traces.v1', [
      trace('ev-rep-1', 'trace-rep-1', 'tenant-rep', { latencyMs: 100 }),
      trace('ev-rep-2', 'trace-rep-2', 'tenant-rep', { latencyMs: 200, status: 'error', occurredAt: at(10) }),
      trace('ev-rep-3', 'trace-rep-3', 'tenant-rep', {
        latencyMs: 900,
        occurredAt: at(20),
        model: { provider: 'anthropic', model: 'claude-haiku', version: '1' },
        costUsd: 0.002,
      }),
    ]);
    await sink.write('llmops.cost.v1', [
      create(CostEventSchema, { ...samples['llmops.cost.v1'], eventId: 'ev-rep-cost-1', context: context('tenant-rep'), totalCostUsd: 0.5 }),
      create(CostEventSchema, { ...samples['llmops.cost.v1'], eventId: 'ev-rep-cost-2', context: context('tenant-rep'), totalCostUsd: 0.25, priced: false }),
    ]);
    await sink.write('llmops.usage.v1', [
      create(UsageEventSchema, { ...samples['llmops.usage.v1'], eventId: 'ev-rep-usage-1', context: context('tenant-rep') }),
      create(UsageEventSchema, { ...samples['llmops.usage.v1'], eventId: 'ev-rep-usage-2', context: context('tenant-rep') }),
    ]);
  });

  it('trace: one row per stage, in order, with the model, tokens and cost', async () => {
    const result = await reports.run('trace', { trace_id: 'trace-1' });
    expect(result.columns.map((c) => c.name)).toEqual(
      expect.arrayContaining(['stage', 'latency_ms', 'status', 'model', 'tokens', 'cost_usd']),
    );
    expect(result.columns.find((c) => c.name === 'latency_ms')?.type).toBe('Float64');
    expect(result.rows.map((r) => [r.stage, r.latency_ms, r.status])).toEqual([
      ['auth', 1.5, 'ok'],
      ['guardrails.input', 4, 'ok'],
      ['inference', 230, 'ok'],
      ['guardrails.output', 10, 'ok'],
    ]);
    for (const row of result.rows) {
      expect(row).toMatchObject({ trace_id: 'trace-1', model: 'gpt-4o-mini', tokens: '150', cost_usd: 0.00042 });
    }
  });

  it('usage_by_model sums tokens per model of one tenant', async () => {
    const result = await reports.run('usage_by_model', { tenant_id: 'tenant-rep', since });
    expect(result.rows).toHaveLength(1);
    expect(result.rows[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(Number(result.rows[0].calls)).toBe(2);
    expect(Number(result.rows[0].input_tokens)).toBe(240);
    expect(Number(result.rows[0].estimated_calls)).toBe(2);
  });

  it('latency_by_model reads quantiles from the hourly rollup', async () => {
    const result = await reports.run('latency_by_model', { tenant_id: 'tenant-rep', since });
    const byModel = Object.fromEntries(result.rows.map((r) => [r.model, r]));
    expect(Number(byModel['gpt-4o-mini'].requests)).toBe(2);
    expect(Number(byModel['gpt-4o-mini'].errors)).toBe(1);
    expect(byModel['gpt-4o-mini'].p50_ms).toBeGreaterThanOrEqual(100);
    expect(byModel['gpt-4o-mini'].p99_ms).toBeLessThanOrEqual(200);
    expect(byModel['claude-haiku'].p95_ms).toBe(900);
  });

  it('spend_by_tenant sums cost per tenant', async () => {
    const result = await reports.run('spend_by_tenant', { since });
    const rep = result.rows.find((r) => r.tenant_id === 'tenant-rep');
    expect(rep?.cost_usd).toBeCloseTo(0.75, 10);
    expect(Number(rep?.unpriced_calls)).toBe(1);
  });

  it('recent_traces returns the newest first, limited', async () => {
    const result = await reports.run('recent_traces', { limit: '2', tenant_id: 'tenant-rep' });
    expect(result.rows.map((r) => r.trace_id)).toEqual(['trace-rep-3', 'trace-rep-2']);
  });

  it('explains unknown reports and bad parameters', async () => {
    await expect(reports.run('nope')).rejects.toMatchObject({ code: ReportErrorCode.UnknownReport });
    await expect(reports.run('usage_by_model', { since })).rejects.toThrow(/needs tenant_id/);
    await expect(reports.run('usage_by_model', { tenant_id: 'x', since: 'yesterday' })).rejects.toMatchObject({
      code: ReportErrorCode.InvalidParam,
    });
    await expect(reports.run('recent_traces', { limit: 5000 })).rejects.toThrow(/exceeds 1000/);
    await expect(reports.run('trace', { trace_id: 't', drop: 'x' })).rejects.toBeInstanceOf(ReportError);
  });

  it('runSql answers a SELECT in the same shape', async () => {
    const result = await reports.runSql(
      "SELECT model, count() AS n FROM llmops.traces FINAL WHERE tenant_id = 'tenant-rep' GROUP BY model ORDER BY model",
    );
    expect(result.columns).toEqual([
      { name: 'model', type: 'LowCardinality(String)' },
      { name: 'n', type: 'UInt64' },
    ]);
    expect(result.rows).toEqual([
      { model: 'claude-haiku', n: '1' },
      { model: 'gpt-4o-mini', n: '2' },
    ]);
  });

  it.each([
    ["INSERT INTO llmops.traces (event_id) VALUES ('x')", ReadOnlySqlErrorCode.NotASelect],
    ['DROP TABLE llmops.traces', ReadOnlySqlErrorCode.NotASelect],
    ['SELECT 1; DROP TABLE llmops.traces', ReadOnlySqlErrorCode.MultiStatement],
  ])('runSql refuses %s', async (sql, code) => {
    const err = await reports.runSql(sql).catch((e) => e);
    expect(err).toBeInstanceOf(ReadOnlySqlError);
    expect(err.code).toBe(code);
    expect(await count('SELECT count() AS c FROM llmops.traces FINAL WHERE event_id = {id:String}', { id: 'ev-trace-1' })).toBe(1);
  });

  it('runSql classifies a bad query', async () => {
    const err = await reports.runSql('SELECT nope FROM llmops.traces').catch((e) => e);
    expect(err).toBeInstanceOf(ClickHouseQueryError);
    expect(err.kind).toBe(ClickHouseErrorKind.UnknownIdentifier);
    expect(err.retryable).toBe(false);
  });
});

describe('experiment_comparison report', () => {
  const since = new Date(NOW - 3_600_000).toISOString();
  // control: 40 answers in ~100 ms at $0.001, 30 of 40 thumbs up; treatment: ~200 ms at $0.002, 10 of 40.
  const arms = [
    { arm: 'control', latency: 100, cost: 0.001, ups: 30, score: 0.8 },
    { arm: 'treatment', latency: 200, cost: 0.002, ups: 10, score: 0.6 },
  ];

  beforeAll(async () => {
    const traces = arms.flatMap(({ arm, latency, cost }) =>
      Array.from({ length: 40 }, (_, index) =>
        trace(`ev-exp-${arm}-${index}`, `trace-exp-${arm}-${index}`, 'tenant-exp', {
          experiment: 'exp-report',
          experimentArm: arm,
          latencyMs: latency + (index % 5) * 5 - 10,
          costUsd: cost,
        }),
      ),
    );
    // Left out of the comparison: a shadow copy and a failed request.
    traces.push(trace('ev-exp-shadow', 'trace-exp-shadow', 'tenant-exp', { experiment: 'exp-report', experimentArm: 'shadow', shadow: true, shadowOf: 'trace-exp-control-0' }));
    traces.push(trace('ev-exp-error', 'trace-exp-error', 'tenant-exp', { experiment: 'exp-report', experimentArm: 'control', status: 'error', latencyMs: 9000 }));
    await sink.write('llmops.traces.v1', traces);
    await sink.write(
      'llmops.feedback.v1',
      arms.flatMap(({ arm, ups }) =>
        Array.from({ length: 40 }, (_, index) =>
          create(FeedbackEventSchema, { eventId: `ev-exp-fb-${arm}-${index}`, traceId: `trace-exp-${arm}-${index}`, occurredAt: at(1), context: context('tenant-exp'), thumbs: index < ups ? 1 : -1 }),
        ),
      ),
    );
    await sink.write(
      'llmops.evals.v1',
      arms.flatMap(({ arm, score }) =>
        Array.from({ length: 10 }, (_, index) =>
          create(EvalResultEventSchema, { eventId: `ev-exp-eval-${arm}-${index}`, runId: 'online', occurredAt: at(2), tenantId: 'tenant-exp', metric: 'faithfulness', score: score + (index % 2) * 0.1, traceId: `trace-exp-${arm}-${index}` }),
        ),
      ),
    );
  });

  it('compares arms with the control: thumbs-up rate by z-test, latency, cost and score by Welch t-test', async () => {
    const reports = new ReportRunner(client, { maxResultRows: 1000 });
    const result = await reports.run('experiment_comparison', { experiment: 'exp-report', since });
    expect(result.rows.map((row) => [row.arm, Number(row.is_control), Number(row.requests), Number(row.rated), Number(row.thumbs_up)])).toEqual([
      ['control', 1, 40, 40, 30],
      ['treatment', 0, 40, 40, 10],
    ]);
    const [control, treatment] = result.rows as Array<Record<string, number>>;
    expect(control!.thumbs_up_rate).toBe(0.75);
    expect(treatment!.thumbs_up_rate).toBe(0.25);
    expect(control!.thumbs_up_p_value).toBeNull(); // nan: the control is not compared with itself
    // pooled two-proportion z: (0.25 − 0.75) / sqrt(0.5 × 0.5 × (1/40 + 1/40)) = −4.4721
    expect(treatment!.thumbs_up_z).toBeCloseTo(-4.4721, 3);
    expect(treatment!.thumbs_up_p_value).toBeLessThan(0.0001);
    expect(treatment!.latency_diff_ms).toBeCloseTo(100, 6);
    expect(treatment!.latency_p_value).toBeLessThan(0.0001);
    expect(treatment!.cost_diff_usd).toBeCloseTo(0.001, 9);
    expect(Number(treatment!.scored)).toBe(10);
    expect(treatment!.eval_score_diff).toBeCloseTo(-0.2, 9);
    expect(treatment!.eval_score_p_value).toBeLessThan(0.0001);
  });

  it('takes the control arm from the caller, and reports no difference between identical arms', async () => {
    const reports = new ReportRunner(client, { maxResultRows: 1000 });
    const result = await reports.run('experiment_comparison', { experiment: 'exp-report', since, control_arm: 'treatment', tenant_id: 'tenant-exp' });
    expect(result.rows.map((row) => row.arm)).toEqual(['treatment', 'control']);
    expect((result.rows[1] as Record<string, number>).latency_diff_ms).toBeCloseTo(-100, 6);
    const none = await reports.run('experiment_comparison', { experiment: 'no-such-experiment', since });
    expect(none.rows).toEqual([]);
  });
});

describe('shadow_comparison report', () => {
  const since = new Date(NOW - 3_600_000).toISOString();
  const live = { provider: 'openai', model: 'gpt-4o-mini', version: '2024-07-18' };
  const candidate = { provider: 'anthropic', model: 'claude-sonnet-4', version: '20250514' };

  beforeAll(async () => {
    // 20 live answers in ~100 ms at $0.001 with 30 output tokens; their copies ~300 ms at $0.004
    // with 50; copy 19 failed. Live traces 0-9 and their copies are scored 0.7 and 0.9.
    const traces = Array.from({ length: 20 }, (_, index) => [
      trace(`ev-sh-live-${index}`, `trace-sh-live-${index}`, 'tenant-sh', {
        experiment: 'exp-shadow',
        experimentArm: 'stable',
        model: live,
        latencyMs: 100 + (index % 4) * 2,
        costUsd: 0.001,
        usage: { inputTokens: 100, outputTokens: 30 },
      }),
      trace(`ev-sh-copy-${index}`, `trace-sh-copy-${index}`, 'tenant-sh', {
        experiment: 'exp-shadow',
        experimentArm: 'shadow',
        shadow: true,
        shadowOf: `trace-sh-live-${index}`,
        model: candidate,
        latencyMs: 300 + (index % 4) * 2,
        costUsd: index === 19 ? 0 : 0.004,
        usage: { inputTokens: 100, outputTokens: index === 19 ? 0 : 50 },
        status: index === 19 ? 'error' : 'ok',
      }),
    ]).flat();
    // Not a pair: a live trace of the experiment that was not copied.
    traces.push(trace('ev-sh-alone', 'trace-sh-alone', 'tenant-sh', { experiment: 'exp-shadow', experimentArm: 'stable', model: live }));
    await sink.write('llmops.traces.v1', traces);
    await sink.write(
      'llmops.evals.v1',
      Array.from({ length: 10 }, (_, index) => [
        create(EvalResultEventSchema, { eventId: `ev-sh-eval-live-${index}`, runId: 'online', occurredAt: at(2), tenantId: 'tenant-sh', metric: 'faithfulness', score: 0.7, traceId: `trace-sh-live-${index}` }),
        create(EvalResultEventSchema, { eventId: `ev-sh-eval-copy-${index}`, runId: 'online', occurredAt: at(2), tenantId: 'tenant-sh', metric: 'faithfulness', score: 0.9, traceId: `trace-sh-copy-${index}` }),
      ]).flat(),
    );
  });

  it('pairs each copy with the answer it copied and compares them', async () => {
    const reports = new ReportRunner(client, { maxResultRows: 1000 });
    const result = await reports.run('shadow_comparison', { experiment: 'exp-shadow', since });
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0] as Record<string, number | string>;
    expect(row).toMatchObject({ live_model: 'gpt-4o-mini', shadow_model: 'claude-sonnet-4' });
    expect([row.pairs, row.live_errors, row.shadow_errors, row.scored_pairs].map(Number)).toEqual([20, 0, 1, 10]);
    expect(row.latency_diff_mean_ms).toBeCloseTo(200, 6);
    expect(row.latency_p_value as number).toBeLessThan(0.0001);
    expect(row.output_tokens_diff_mean).toBeCloseTo(20, 6);
    expect(row.live_cost_usd).toBeCloseTo(0.02, 9);
    expect(row.shadow_cost_usd).toBeCloseTo(0.076, 9);
    expect(row.live_score_mean).toBeCloseTo(0.7, 9);
    expect(row.shadow_score_mean).toBeCloseTo(0.9, 9);
    expect((await reports.run('shadow_comparison', { experiment: 'exp-shadow', since, tenant_id: 'someone-else' })).rows).toEqual([]);
  });
});
