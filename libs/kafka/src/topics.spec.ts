import { create } from '@bufbuild/protobuf';
import {
  AlertEventSchema,
  CostEventSchema,
  EvalResultEventSchema,
  RequestContextSchema,
  SpanEventSchema,
  TraceEventSchema,
  UsageEventSchema,
} from '@llmops/contracts';
import { allTopicNamesWithDeadLetters, TOPIC_NAMES } from './topic-names';
import { messageKey, TOPICS, type TopicMessage } from './topics';

describe('topic registry', () => {
  it('gives every topic its own message type, named like the contract', () => {
    expect(TOPIC_NAMES.map((name) => [name, TOPICS[name].schema.typeName])).toEqual([
      ['llmops.traces.v1', 'llmops.v1.TraceEvent'],
      ['llmops.spans.v1', 'llmops.v1.SpanEvent'],
      ['llmops.usage.v1', 'llmops.v1.UsageEvent'],
      ['llmops.cost.v1', 'llmops.v1.CostEvent'],
      ['llmops.guardrails.v1', 'llmops.v1.GuardrailEvent'],
      ['llmops.feedback.v1', 'llmops.v1.FeedbackEvent'],
      ['llmops.evals.v1', 'llmops.v1.EvalResultEvent'],
      ['llmops.alerts.v1', 'llmops.v1.AlertEvent'],
    ]);
    expect(allTopicNamesWithDeadLetters()).toContain('llmops.traces.v1.dlq');
  });

  it('keys by trace, tenant or run as ARCHITECTURE.md says', () => {
    const context = create(RequestContextSchema, { tenantId: 'acme', traceId: 'ctx-trace' });
    expect(messageKey('llmops.traces.v1', create(TraceEventSchema, { traceId: 't1', context }))).toBe('t1');
    expect(messageKey('llmops.spans.v1', create(SpanEventSchema, { traceId: 't2', tenantId: 'acme' }))).toBe('t2');
    expect(messageKey('llmops.usage.v1', create(UsageEventSchema, { traceId: 't3', context }))).toBe('acme');
    expect(messageKey('llmops.cost.v1', create(CostEventSchema, { traceId: 't4', context }))).toBe('acme');
    expect(messageKey('llmops.evals.v1', create(EvalResultEventSchema, { runId: 'run-9', tenantId: 'acme' }))).toBe('run-9');
    expect(messageKey('llmops.alerts.v1', create(AlertEventSchema, { tenantId: 'acme' }))).toBe('acme');
    expect(messageKey('llmops.usage.v1', create(UsageEventSchema, {}))).toBe('');
  });

  it('rejects a message of another topic at compile time', () => {
    const usage: TopicMessage<'llmops.usage.v1'> = create(UsageEventSchema, {});
    // @ts-expect-error a UsageEvent cannot be keyed (or published) as a trace
    const key = () => messageKey('llmops.traces.v1', usage);
    expect(typeof key).toBe('function');
  });
});
