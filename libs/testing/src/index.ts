export { fetchKafkaJars, killKafkaBrokerSync, startKafkaBroker } from './kafka-broker';
export type { LocalKafkaBroker, StartKafkaBrokerOptions } from './kafka-broker';
export { FAKE_ARGUMENTS_CHUNK_CHARS, fakeStreamPieces, fakeUsageFor, scenarioForModel, startFakeOpenAiServer } from './fake-openai-server';
export {
  anthropicScenarioForModel,
  FAKE_ANTHROPIC_JSON_CHUNK_CHARS,
  fakeAnthropicUsageFor,
  startFakeAnthropicServer,
} from './fake-anthropic-server';
export type {
  FakeAnthropicRequest,
  FakeAnthropicScenario,
  FakeAnthropicScenarioKind,
  FakeAnthropicServer,
  FakeAnthropicUsage,
} from './fake-anthropic-server';
export type {
  FakeOpenAiServer,
  FakeOpenAiServerOptions,
  FakeScenario,
  FakeScenarioKind,
  FakeToolCall,
  FakeUsage,
  RecordedRequest,
} from './fake-openai-server';
export { fastestRunMs } from './fastest-run';
export { collectTopic } from './topic-collector';
export type { TopicCollector } from './topic-collector';
export { poll } from './poll';
