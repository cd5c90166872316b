export { fetchKafkaJars, killKafkaBrokerSync, startKafkaBroker } from './kafka-broker';
export type { LocalKafkaBroker, StartKafkaBrokerOptions } from './kafka-broker';
export { fakeStreamPieces, fakeUsageFor, scenarioForModel, startFakeOpenAiServer } from './fake-openai-server';
export type {
  FakeOpenAiServer,
  FakeOpenAiServerOptions,
  FakeScenario,
  FakeScenarioKind,
  FakeUsage,
  RecordedRequest,
} from './fake-openai-server';
export { fastestRunMs } from './fastest-run';
