// Topic names apart from their message schemas, so tooling that only creates topics (the test
// set-up, deploy scripts) needs neither the generated contracts nor protobuf.

export const TOPIC_NAMES = [
  'llmops.traces.v1',
  'llmops.spans.v1',
  'llmops.usage.v1',
  'llmops.cost.v1',
  'llmops.guardrails.v1',
  'llmops.feedback.v1',
  'llmops.evals.v1',
  'llmops.alerts.v1',
] as const;

export type TopicName = (typeof TOPIC_NAMES)[number];

const DEAD_LETTER_SUFFIX = '.dlq';

/** Where a consumer parks messages it cannot decode: `<topic>.dlq`, raw bytes kept as they were. */
export function deadLetterTopicName(topic: TopicName): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

/** Every event topic and its dead-letter topic: what a cluster needs before services start. */
export function allTopicNamesWithDeadLetters(): string[] {
  return TOPIC_NAMES.flatMap((name) => [name, deadLetterTopicName(name)]);
}

export function isTopicName(name: string): name is TopicName {
  return (TOPIC_NAMES as readonly string[]).includes(name);
}
