import { z } from 'zod';
import { parseEnv } from './env.parser';
import { serviceAddressBook, type MeshService } from './service-address-book';

const serviceEnvSchema = z.object({
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  LLMOPS_STATE_DIR: z.string().default('.llmops'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** host:port for a Prometheus `/metrics` endpoint; none when unset (the gateway also serves it over HTTP). */
  LLMOPS_METRICS_ADDR: z.string().regex(/^[^:]+:\d+$/, 'must be host:port').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 1 (default): the Kafka publisher's send loop runs in a worker thread; 0: on the main thread. */
  LLMOPS_EVENTS_OFF_THREAD: z.enum(['0', '1']).default('1'),
});

/** What every service of the mesh reads from its environment, whatever else it needs. */
export interface ServiceEnvironment {
  service: MeshService;
  grpcAddress: string;
  mesh: Record<MeshService, string>;
  kafkaBrokers: string[];
  /** Outboxes, embedded databases and other local state live under here. */
  stateDir: string;
  otlpEndpoint?: string;
  metricsAddress?: string;
  logLevel: string;
  /** Whether the Kafka publisher sends from a worker thread (see EventPublisherOptions.offThread). */
  eventsOffThread: boolean;
}

export function loadServiceEnvironment(service: MeshService, env: Readonly<Record<string, string | undefined>>): ServiceEnvironment {
  const parsed = parseEnv(serviceEnvSchema, env, { name: service });
  const mesh = serviceAddressBook(env);
  return {
    service,
    grpcAddress: mesh[service],
    mesh,
    kafkaBrokers: parsed.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean),
    stateDir: parsed.LLMOPS_STATE_DIR,
    ...(parsed.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: parsed.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    ...(parsed.LLMOPS_METRICS_ADDR ? { metricsAddress: parsed.LLMOPS_METRICS_ADDR } : {}),
    logLevel: parsed.LOG_LEVEL,
    eventsOffThread: parsed.LLMOPS_EVENTS_OFF_THREAD === '1',
  };
}
