import type { DescMessage } from '@bufbuild/protobuf';
import { timestampMs, type Timestamp } from '@bufbuild/protobuf/wkt';
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
  type AlertEvent,
  type CostEvent,
  type EvalResultEvent,
  type FeedbackEvent,
  type GuardrailEvent,
  type ModelRef,
  type RequestContext,
  type SpanEvent,
  type TraceEvent,
  type Usage,
  type UsageEvent,
} from '@llmops/contracts';

/** 'YYYY-MM-DD hh:mm:ss.sss' in UTC: what a DateTime64(3, 'UTC') column parses from JSONEachRow. */
export type ClickHouseDateTime64 = string;

interface EventRowBase {
  event_id: string;
  tenant_id: string;
  ts: ClickHouseDateTime64;
}

interface ContextColumns {
  project_id: string;
  user_id: string;
  api_key_id: string;
  request_id: string;
  tags: Record<string, string>;
}

interface ModelColumns {
  provider: string;
  model: string;
  model_version: string;
}

interface UsageColumns {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  usage_estimated: boolean;
}

export interface StageRow {
  stage: string;
  start_offset_ms: number;
  latency_ms: number;
  status: string;
  detail: string;
}

export interface AttemptRow {
  provider: string;
  model: string;
  version: string;
  latency_ms: number;
  retry: number;
  skipped: boolean;
  error_code: string;
  error: string;
}

export interface FindingRow {
  type: string;
  detector: string;
  message_index: number;
  start: number;
  end: number;
  score: number;
  category: string;
  label: string;
  /** What the policy decided for this finding alone. */
  action: string;
}

export interface TraceRow extends EventRowBase, ContextColumns, ModelColumns, UsageColumns {
  trace_id: string;
  endpoint: string;
  stream: boolean;
  route: string;
  requested_model: string;
  prompt_name: string;
  prompt_version: string;
  cost_usd: number;
  latency_ms: number;
  time_to_first_token_ms: number;
  status: string;
  error_code: string;
  error_message: string;
  stages: StageRow[];
  input_verdict: string;
  output_verdict: string;
  citations: number;
  collection: string;
  route_reason: string;
  route_rule: string;
  experiment: string;
  experiment_arm: string;
  cache_status: string;
  budget_action: string;
  shadow: boolean;
  shadow_of: string;
  attempts: AttemptRow[];
}

export interface SpanRow extends EventRowBase {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: string;
  service_name: string;
  duration_ms: number;
  status_code: string;
  status_message: string;
  attributes: Record<string, string>;
}

export interface UsageRow extends EventRowBase, ContextColumns, ModelColumns, UsageColumns {
  trace_id: string;
}

export interface CostRow extends UsageRow {
  input_cost_usd: number;
  output_cost_usd: number;
  cached_input_cost_usd: number;
  total_cost_usd: number;
  priced: boolean;
}

export interface GuardrailEventRow extends EventRowBase, ContextColumns {
  trace_id: string;
  direction: string;
  action: string;
  findings: FindingRow[];
  latency_ms: number;
}

export interface FeedbackRow extends EventRowBase, ContextColumns {
  trace_id: string;
  thumbs: number;
  score: number;
  comment: string;
  correction: string;
}

export interface EvalResultRow extends EventRowBase {
  run_id: string;
  dataset: string;
  case_index: number;
  metric: string;
  score: number;
  model: string;
  trace_id: string;
}

export interface AlertRow extends EventRowBase {
  kind: string;
  severity: string;
  message: string;
  labels: Record<string, string>;
  value: number;
  threshold: number;
}

/** Every ClickHouse table the sink writes, with its row type (Helicone's typed table map). */
export interface EventTableRows {
  'llmops.traces': TraceRow;
  'llmops.spans': SpanRow;
  'llmops.usage': UsageRow;
  'llmops.cost': CostRow;
  'llmops.guardrail_events': GuardrailEventRow;
  'llmops.feedback': FeedbackRow;
  'llmops.eval_results': EvalResultRow;
  'llmops.alerts': AlertRow;
}

export type EventTable = keyof EventTableRows;

/** Each Kafka topic with the message it carries and the table it lands in. */
export interface EventTopics {
  'llmops.traces.v1': { event: TraceEvent; table: 'llmops.traces' };
  'llmops.spans.v1': { event: SpanEvent; table: 'llmops.spans' };
  'llmops.usage.v1': { event: UsageEvent; table: 'llmops.usage' };
  'llmops.cost.v1': { event: CostEvent; table: 'llmops.cost' };
  'llmops.guardrails.v1': { event: GuardrailEvent; table: 'llmops.guardrail_events' };
  'llmops.feedback.v1': { event: FeedbackEvent; table: 'llmops.feedback' };
  'llmops.evals.v1': { event: EvalResultEvent; table: 'llmops.eval_results' };
  'llmops.alerts.v1': { event: AlertEvent; table: 'llmops.alerts' };
}

export type EventTopic = keyof EventTopics;
export type EventOf<T extends EventTopic> = EventTopics[T]['event'];
export type RowOf<T extends EventTopic> = EventTableRows[EventTopics[T]['table']];

export interface TopicMapping<T extends EventTopic> {
  table: EventTopics[T]['table'];
  schema: DescMessage;
  toRow: (event: EventOf<T>) => RowOf<T>;
}

export class EventMappingError extends Error {
  override readonly name = 'EventMappingError';
}

/** Formats epoch milliseconds as ClickHouse's DateTime64(3) text, in UTC. */
export function toClickHouseDateTime64(ms: number): ClickHouseDateTime64 {
  if (!Number.isFinite(ms)) throw new EventMappingError(`invalid timestamp ${ms}`);
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function eventTime(ts: Timestamp | undefined, eventId: string, field: string): ClickHouseDateTime64 {
  // An event without its time would land in 1970 and be dropped by the TTL at the next merge: refuse it instead.
  if (!ts) throw new EventMappingError(`event ${eventId || '(no event_id)'} has no ${field}`);
  return toClickHouseDateTime64(timestampMs(ts));
}

function requireEventId(eventId: string, topic: string): string {
  if (!eventId) throw new EventMappingError(`${topic} event without event_id`);
  return eventId;
}

function contextColumns(ctx: RequestContext | undefined): ContextColumns & { tenant_id: string } {
  return {
    tenant_id: ctx?.tenantId ?? '',
    project_id: ctx?.projectId ?? '',
    user_id: ctx?.userId ?? '',
    api_key_id: ctx?.apiKeyId ?? '',
    request_id: ctx?.requestId ?? '',
    tags: { ...(ctx?.tags ?? {}) },
  };
}

function modelColumns(model: ModelRef | undefined): ModelColumns {
  return { provider: model?.provider ?? '', model: model?.model ?? '', model_version: model?.version ?? '' };
}

function usageColumns(usage: Usage | undefined): UsageColumns {
  return {
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    cached_input_tokens: usage?.cachedInputTokens ?? 0,
    reasoning_tokens: usage?.reasoningTokens ?? 0,
    usage_estimated: usage?.estimated ?? false,
  };
}

const GUARDRAIL_ACTION_NAMES: Record<GuardrailAction, string> = {
  [GuardrailAction.UNSPECIFIED]: 'unspecified',
  [GuardrailAction.PASS]: 'pass',
  [GuardrailAction.REDACT]: 'redact',
  [GuardrailAction.BLOCK]: 'block',
  [GuardrailAction.REWRITE]: 'rewrite',
};

export function traceRow(e: TraceEvent): TraceRow {
  return {
    event_id: requireEventId(e.eventId, 'trace'),
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    trace_id: e.traceId,
    ...contextColumns(e.context),
    endpoint: e.endpoint,
    stream: e.stream,
    route: e.route,
    requested_model: e.requestedModel,
    ...modelColumns(e.model),
    prompt_name: e.promptName,
    prompt_version: e.promptVersion,
    ...usageColumns(e.usage),
    cost_usd: e.costUsd,
    latency_ms: e.latencyMs,
    time_to_first_token_ms: e.timeToFirstTokenMs,
    status: e.status,
    error_code: e.errorCode,
    error_message: e.errorMessage,
    stages: e.stages.map((s) => ({
      stage: s.stage,
      start_offset_ms: s.startOffsetMs,
      latency_ms: s.latencyMs,
      status: s.status,
      detail: s.detail,
    })),
    input_verdict: e.inputVerdict,
    output_verdict: e.outputVerdict,
    citations: e.citations,
    collection: e.collection,
    route_reason: e.routeReason,
    route_rule: e.routeRule,
    experiment: e.experiment,
    experiment_arm: e.experimentArm,
    cache_status: e.cacheStatus,
    budget_action: e.budgetAction,
    shadow: e.shadow,
    shadow_of: e.shadowOf,
    attempts: e.attempts.map((a) => ({
      provider: a.model?.provider ?? '',
      model: a.model?.model ?? '',
      version: a.model?.version ?? '',
      latency_ms: a.latencyMs,
      retry: a.retry,
      skipped: a.skipped,
      error_code: a.errorCode,
      error: a.error,
    })),
  };
}

export function spanRow(e: SpanEvent): SpanRow {
  return {
    event_id: requireEventId(e.eventId, 'span'),
    tenant_id: e.tenantId,
    ts: eventTime(e.startTime, e.eventId, 'start_time'),
    trace_id: e.traceId,
    span_id: e.spanId,
    parent_span_id: e.parentSpanId,
    name: e.name,
    kind: e.kind,
    service_name: e.serviceName,
    duration_ms: e.durationMs,
    status_code: e.statusCode,
    status_message: e.statusMessage,
    attributes: { ...e.attributes },
  };
}

export function usageRow(e: UsageEvent): UsageRow {
  return {
    event_id: requireEventId(e.eventId, 'usage'),
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    trace_id: e.traceId,
    ...contextColumns(e.context),
    ...modelColumns(e.model),
    ...usageColumns(e.usage),
  };
}

export function costRow(e: CostEvent): CostRow {
  return {
    event_id: requireEventId(e.eventId, 'cost'),
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    trace_id: e.traceId,
    ...contextColumns(e.context),
    ...modelColumns(e.model),
    ...usageColumns(e.usage),
    input_cost_usd: e.inputCostUsd,
    output_cost_usd: e.outputCostUsd,
    cached_input_cost_usd: e.cachedInputCostUsd,
    total_cost_usd: e.totalCostUsd,
    priced: e.priced,
  };
}

export function guardrailEventRow(e: GuardrailEvent): GuardrailEventRow {
  return {
    event_id: requireEventId(e.eventId, 'guardrail'),
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    trace_id: e.traceId,
    ...contextColumns(e.context),
    direction: e.direction,
    action: GUARDRAIL_ACTION_NAMES[e.action] ?? `unknown_${e.action}`,
    findings: e.findings.map((f) => ({
      type: f.type,
      detector: f.detector,
      message_index: f.messageIndex,
      start: f.start,
      end: f.end,
      score: f.score,
      category: f.category,
      label: f.label,
      action: GUARDRAIL_ACTION_NAMES[f.action] ?? `unknown_${f.action}`,
    })),
    latency_ms: e.latencyMs,
  };
}

export function feedbackRow(e: FeedbackEvent): FeedbackRow {
  return {
    event_id: requireEventId(e.eventId, 'feedback'),
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    trace_id: e.traceId,
    ...contextColumns(e.context),
    thumbs: Math.max(-128, Math.min(127, e.thumbs)),
    score: e.score,
    comment: e.comment,
    correction: e.correction,
  };
}

export function evalResultRow(e: EvalResultEvent): EvalResultRow {
  return {
    event_id: requireEventId(e.eventId, 'eval result'),
    tenant_id: e.tenantId,
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    run_id: e.runId,
    dataset: e.dataset,
    case_index: e.caseIndex,
    metric: e.metric,
    score: e.score,
    model: e.model,
    trace_id: e.traceId,
  };
}

export function alertRow(e: AlertEvent): AlertRow {
  return {
    event_id: requireEventId(e.eventId, 'alert'),
    tenant_id: e.tenantId,
    ts: eventTime(e.occurredAt, e.eventId, 'occurred_at'),
    kind: e.kind,
    severity: e.severity,
    message: e.message,
    labels: { ...e.labels },
    value: e.value,
    threshold: e.threshold,
  };
}

/** Topic → table, protobuf schema and row mapper: the one place that says where each event lands. */
export const EVENT_TOPICS: { [T in EventTopic]: TopicMapping<T> } = {
  'llmops.traces.v1': { table: 'llmops.traces', schema: TraceEventSchema, toRow: traceRow },
  'llmops.spans.v1': { table: 'llmops.spans', schema: SpanEventSchema, toRow: spanRow },
  'llmops.usage.v1': { table: 'llmops.usage', schema: UsageEventSchema, toRow: usageRow },
  'llmops.cost.v1': { table: 'llmops.cost', schema: CostEventSchema, toRow: costRow },
  'llmops.guardrails.v1': { table: 'llmops.guardrail_events', schema: GuardrailEventSchema, toRow: guardrailEventRow },
  'llmops.feedback.v1': { table: 'llmops.feedback', schema: FeedbackEventSchema, toRow: feedbackRow },
  'llmops.evals.v1': { table: 'llmops.eval_results', schema: EvalResultEventSchema, toRow: evalResultRow },
  'llmops.alerts.v1': { table: 'llmops.alerts', schema: AlertEventSchema, toRow: alertRow },
};

export function isEventTopic(topic: string): topic is EventTopic {
  return Object.prototype.hasOwnProperty.call(EVENT_TOPICS, topic);
}

/** Map one decoded event of `topic` to its table and row. */
export function toEventRow<T extends EventTopic>(topic: T, event: EventOf<T>): { table: EventTopics[T]['table']; row: RowOf<T> } {
  const mapping = EVENT_TOPICS[topic] as TopicMapping<T>;
  return { table: mapping.table, row: mapping.toRow(event) };
}
