/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, spans leave over OTLP/HTTP as well as to Kafka. A real
 * HTTP server on loopback plays the collector; the exporter runs in a plain node process (from
 * the built package), since it loads its HTTP agent with a dynamic import that jest's module
 * sandbox refuses.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(__dirname, '..', '..', '..');

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks)));
  });
}

const script = `
const { startTelemetry } = require('@llmops/telemetry');
const { trace } = require('@opentelemetry/api');
const telemetry = startTelemetry({ serviceName: 'telemetry-test', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT, exportDelayMs: 10 });
const kafkaSpans = [];
telemetry.attachSpanSink({ publishSpan: (event) => kafkaSpans.push(event) });
trace.getTracer('test').startSpan('gateway.inference', { attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12 } }).end();
telemetry.shutdown().then(() => console.log(JSON.stringify(kafkaSpans.map((s) => ({ name: s.name, serviceName: s.serviceName, traceId: s.traceId, attributes: s.attributes })))));
`;

describe('span export', () => {
  it('sends every span over OTLP/HTTP and to the Kafka sink, with gen_ai attributes', async () => {
    const received: Array<{ path: string; body: string }> = [];
    const collector = createServer(async (request, response) => {
      received.push({ path: request.url ?? '', body: (await readBody(request)).toString('latin1') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
        cwd: root,
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        timeout: 30_000,
      });
      const kafkaSpans = JSON.parse(stdout.trim().split('\n').at(-1)!) as Array<{ name: string; serviceName: string; traceId: string; attributes: Record<string, string> }>;
      expect(received.some((request) => request.path === '/v1/traces' && request.body.includes('gateway.inference'))).toBe(true);
      expect(kafkaSpans).toHaveLength(1);
      expect(kafkaSpans[0]).toMatchObject({
        name: 'gateway.inference',
        serviceName: 'telemetry-test',
        attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': '12' },
      });
      expect(kafkaSpans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      collector.closeAllConnections();
      await new Promise<void>((done) => collector.close(() => done()));
    }
  });
});
