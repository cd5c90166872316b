import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/** Latency buckets in seconds, fine below 10 ms where the mesh's own hops live. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let defaultsStarted = false;

/** Process metrics (CPU, memory, event loop lag, GC) labelled with the service name. */
export function startProcessMetrics(serviceName: string): void {
  if (defaultsStarted) return;
  register.setDefaultLabels({ service: serviceName });
  collectDefaultMetrics();
  defaultsStarted = true;
}

/** Every gRPC call a service handles, recorded once by the transport. */
export const grpcServerHandled = new Counter({
  name: 'llmops_grpc_server_handled_total',
  help: 'gRPC calls handled, by service, method and status code',
  labelNames: ['grpc_service', 'grpc_method', 'grpc_code'] as const,
});

export const grpcServerDuration = new Histogram({
  name: 'llmops_grpc_server_handling_seconds',
  help: 'Time to handle a gRPC call (to the last message of a stream)',
  labelNames: ['grpc_service', 'grpc_method'] as const,
  buckets: LATENCY_BUCKETS,
});

/** Requests through the gateway, by endpoint and outcome (ok, error code). */
export const gatewayRequests = new Counter({
  name: 'llmops_gateway_requests_total',
  help: 'Requests through the gateway by endpoint and outcome',
  labelNames: ['endpoint', 'outcome'] as const,
});

export const gatewayRequestDuration = new Histogram({
  name: 'llmops_gateway_request_seconds',
  help: 'Whole request latency at the gateway',
  labelNames: ['endpoint'] as const,
  buckets: LATENCY_BUCKETS,
});

export const gatewayStageDuration = new Histogram({
  name: 'llmops_gateway_stage_seconds',
  help: 'Latency of each stage of the request path',
  labelNames: ['stage', 'status'] as const,
  buckets: LATENCY_BUCKETS,
});

/** Counters of the Kafka event publisher, read when Prometheus scrapes. */
export function registerPublisherMetrics(stats: () => { published: number; outboxed: number; replayed: number; rejected: number; outboxDepth: number; brokerAvailable: boolean }): void {
  const read = (key: 'published' | 'outboxed' | 'replayed' | 'rejected' | 'outboxDepth') => () => stats()[key];
  const gauges: Array<[string, string, () => number]> = [
    ['llmops_events_published', 'Events acknowledged by Kafka since start', read('published')],
    ['llmops_events_outboxed', 'Events written to the disk outbox since start', read('outboxed')],
    ['llmops_events_replayed', 'Events delivered from the outbox since start', read('replayed')],
    ['llmops_events_rejected', 'Events refused (outbox or buffer full) since start', read('rejected')],
    ['llmops_outbox_depth', 'Events waiting in the disk outbox', read('outboxDepth')],
    ['llmops_kafka_available', '1 when the last send to Kafka succeeded', () => (stats().brokerAvailable ? 1 : 0)],
  ];
  for (const [name, help, value] of gauges) {
    if (register.getSingleMetric(name)) register.removeSingleMetric(name);
    new Gauge({ name, help, collect() { this.set(value()); } });
  }
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}

/** A bare `/metrics` endpoint for services that serve no HTTP of their own. */
export function serveMetrics(host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metricsText().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
