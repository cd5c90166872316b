import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import type { DescService } from '@bufbuild/protobuf';
import { loadServiceEnvironment, type MeshService, type ServiceEnvironment } from '@llmops/config';
import { startGrpcService } from '@llmops/grpc';
import { EventPublisher } from '@llmops/kafka';
import { createJsonLogger, registerPublisherMetrics, serveMetrics, startProcessMetrics, type TelemetryHandle } from '@llmops/telemetry';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';

/** What a service module is given to wire its use-cases. */
export interface ServiceRuntime {
  environment: ServiceEnvironment;
  events: EventPublisher;
  logger: Logger;
  /** The `/metrics` server, when LLMOPS_METRICS_ADDR asked for one. */
  metrics?: Server;
}

export async function openServiceRuntime(service: MeshService, telemetry: TelemetryHandle): Promise<ServiceRuntime> {
  const environment = loadServiceEnvironment(service, process.env);
  const logger = createJsonLogger(service, environment.logLevel);
  const events = new EventPublisher({
    brokers: environment.kafkaBrokers,
    clientId: `llmops-${service}`,
    outboxDir: join(resolve(environment.stateDir), 'outbox', service),
    offThread: environment.eventsOffThread,
  });
  await events.start();
  telemetry.attachSpanSink({ publishSpan: (event) => events.publish('llmops.spans.v1', event) });
  startProcessMetrics(service);
  registerPublisherMetrics(() => events.stats());
  let metrics: Server | undefined;
  if (environment.metricsAddress) {
    const [host, port] = environment.metricsAddress.split(':') as [string, string];
    metrics = await serveMetrics(host, Number(port));
  }
  return { environment, events, logger, ...(metrics ? { metrics } : {}) };
}

/** Stops a process in the order that loses nothing: serving, then spans, then events. */
export function stopOnSignals(runtime: ServiceRuntime, telemetry: TelemetryHandle, app: INestApplicationContext, extra: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'stopping');
    try {
      await app.close();
      runtime.metrics?.close();
      await extra();
      await telemetry.shutdown();
      await runtime.events.close();
    } catch (error) {
      runtime.logger.error({ err: error }, 'error while stopping');
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

export interface GrpcServiceDefinition {
  service: MeshService;
  telemetry: TelemetryHandle;
  services: DescService[];
  module: (runtime: ServiceRuntime) => DynamicModule | Promise<DynamicModule>;
  /** Runs after serving stopped and before events drain (close stores, consumers...). */
  onStop?: () => Promise<void>;
}

/** The whole main() of a gRPC-only service. */
export async function runGrpcService(definition: GrpcServiceDefinition): Promise<void> {
  let runtime: ServiceRuntime | undefined;
  try {
    runtime = await openServiceRuntime(definition.service, definition.telemetry);
    const module = await definition.module(runtime);
    const { app, port } = await startGrpcService(module, {
      address: runtime.environment.grpcAddress,
      services: definition.services,
    });
    stopOnSignals(runtime, definition.telemetry, app, definition.onStop);
    runtime.logger.info({ grpc: runtime.environment.grpcAddress, port }, 'ready');
  } catch (error) {
    const logger = runtime?.logger ?? createJsonLogger(definition.service);
    logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, 'failed to start');
    await runtime?.events.close().catch(() => undefined);
    process.exit(1);
  }
}
