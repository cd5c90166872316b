import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import {
  AlertEventSchema,
  CostEventSchema,
  EvalResultEventSchema,
  FeedbackEventSchema,
  GuardrailEventSchema,
  SpanEventSchema,
  TraceEventSchema,
  UsageEventSchema,
} from '@llmops/contracts';
import { TOPIC_NAMES, type TopicName } from './topic-names';

/** One Kafka topic: its name, the one protobuf message it carries, and how a message is keyed. */
export interface TopicDefinition<Name extends string = string, Desc extends DescMessage = DescMessage> {
  readonly name: Name;
  readonly schema: Desc;
  /** Partition key; messages with the same key stay in order. */
  readonly key: (message: MessageShape<Desc>) => string;
}

function defineTopic<Name extends string, Desc extends DescMessage>(
  name: Name,
  schema: Desc,
  key: (message: MessageShape<Desc>) => string,
): TopicDefinition<Name, Desc> {
  return { name, schema, key };
}

/**
 * The topic registry: the single place that says which message travels on which topic and
 * with which key (ARCHITECTURE.md, "Events"). Publishers and consumers both go through it, so
 * a topic can only ever carry its own message type.
 */
export const TOPICS = {
  'llmops.traces.v1': defineTopic('llmops.traces.v1', TraceEventSchema, (m) => m.traceId),
  'llmops.spans.v1': defineTopic('llmops.spans.v1', SpanEventSchema, (m) => m.traceId),
  'llmops.usage.v1': defineTopic('llmops.usage.v1', UsageEventSchema, (m) => m.context?.tenantId ?? ''),
  'llmops.cost.v1': defineTopic('llmops.cost.v1', CostEventSchema, (m) => m.context?.tenantId ?? ''),
  'llmops.guardrails.v1': defineTopic('llmops.guardrails.v1', GuardrailEventSchema, (m) => m.traceId),
  'llmops.feedback.v1': defineTopic('llmops.feedback.v1', FeedbackEventSchema, (m) => m.traceId),
  'llmops.evals.v1': defineTopic('llmops.evals.v1', EvalResultEventSchema, (m) => m.runId),
  'llmops.alerts.v1': defineTopic('llmops.alerts.v1', AlertEventSchema, (m) => m.tenantId),
} as const satisfies { readonly [N in TopicName]: { readonly name: N } };

export type TopicSchema<N extends TopicName> = (typeof TOPICS)[N]['schema'];
/** The message type a topic carries, e.g. TopicMessage<'llmops.traces.v1'> is TraceEvent. */
export type TopicMessage<N extends TopicName> = MessageShape<TopicSchema<N>>;

export function topicDefinition<N extends TopicName>(name: N): (typeof TOPICS)[N] {
  const definition = Object.prototype.hasOwnProperty.call(TOPICS, name) ? TOPICS[name] : undefined;
  if (!definition) throw new Error(`unknown Kafka topic "${name}"; known topics: ${TOPIC_NAMES.join(', ')}`);
  return definition;
}

/** The partition key of a message on its topic. */
export function messageKey<N extends TopicName>(name: N, message: TopicMessage<N>): string {
  // The registry ties each key function to its own schema; TypeScript cannot follow that
  // through the indexed union, so the call is widened once here.
  const definition = topicDefinition(name) as unknown as TopicDefinition<N, DescMessage>;
  return definition.key(message as MessageShape<DescMessage>);
}
