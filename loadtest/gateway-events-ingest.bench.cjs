#!/usr/bin/env node
'use strict';
/**
 * What the events of gateway cache hits cost the analytics service, alone on its own Kafka:
 * CPU per request and per event (all its threads: Node and the embedded ClickHouse), and how
 * soon a trace is queryable (freshness). Starts a single-node Kafka and the analytics service
 * from its built dist/, then publishes, at a fixed rate, what one hit publishes: a trace event
 * and two span events (gateway.complete, gateway.auth), through the same EventPublisher.
 *   1. idle: the service's CPU at rest (subtracted);
 *   2. load: --duration seconds at --rate requests/s, no query meanwhile → CPU per event;
 *   3. freshness: --rate again for 10 s while Analytics.Query counts the run's traces every
 *      100 ms → per trace, the time from publish to first seen in a query (p50/p90/max).
 *
 * Usage: node loadtest/gateway-events-ingest.bench.cjs [--rate=25] [--duration=30] [--flush-ms=<service default>]
 * Needs the built dist/ (npx tsc -b tsconfig.build.json). Node flags for the service (e.g.
 * --cpu-prof --cpu-prof-dir=/tmp/p) come from LLMOPS_SERVICE_NODE_ARGS, as for the stack.
 */
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, readFileSync, rmSync, openSync, closeSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { create } = require('@bufbuild/protobuf');
const { timestampFromMs } = require('@bufbuild/protobuf/wkt');
const { Analytics, SpanEventSchema, TraceEventSchema } = require('@llmops/contracts');
const { createGrpcClient } = require('@llmops/grpc');
const { EventPublisher, ensureTopics, allTopicNamesWithDeadLetters, silentKafkaLogger } = require('@llmops/kafka');
const { startKafkaBroker } = require('@llmops/testing');
const { summarize, round } = require('./lib/latency-stats.cjs');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const RATE = Number(args.rate ?? 25);
const DURATION_S = Number(args.duration ?? 30);
const REPO_ROOT = path.resolve(__dirname, '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** User+system CPU ms of a process (every thread) so far. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** What one cache hit publishes: its trace and the spans of the gateway's root and auth stage. */
function hitEvents(runId, index) {
  const traceId = randomUUID().replace(/-/g, '');
  const now = Date.now();
  const context = { tenantId: `bench-${runId}`, projectId: 'default', userId: 'bench-user', apiKeyId: 'key-bench', requestId: randomUUID(), traceId, tags: { bench_run: runId, phase: 'measure' } };
  const skipped = (stage, detail) => ({ stage, startOffsetMs: 0.2, latencyMs: 0, status: 'skipped', detail });
  const trace = create(TraceEventSchema, {
    eventId: randomUUID(),
    traceId,
    occurredAt: timestampFromMs(now),
    context,
    endpoint: 'http.chat.completions',
    route: 'smart',
    requestedModel: 'smart',
    model: { provider: 'openai', model: 'gpt-4o-mini', version: 'gpt-4o-mini-2024-07-18' },
    usage: { inputTokens: 14, outputTokens: 2 },
    latencyMs: 0.45,
    timeToFirstTokenMs: 0.4,
    status: 'ok',
    stages: [
      { stage: 'auth', startOffsetMs: 0.01, latencyMs: 0.05, status: 'ok' },
      skipped('guardrails.input', 'the same input passed moments ago'),
      skipped('routing', 'hit reused by the gateway'),
      skipped('prompts', 'cache hit'),
      skipped('retrieval', 'cache hit'),
      skipped('inference', 'cache hit'),
      skipped('guardrails.output', 'cache hit'),
      skipped('cost', 'cache hit'),
    ],
    inputVerdict: 'pass',
    routeReason: 'hit reused by the gateway (within 2000 ms of routing\'s); exact cache hit',
    routeRule: 'default',
    cacheStatus: 'hit',
  });
  const span = (name, spanId, parentSpanId, attributes) =>
    create(SpanEventSchema, {
      eventId: randomUUID(),
      traceId,
      spanId,
      parentSpanId,
      name,
      kind: 'INTERNAL',
      serviceName: 'gateway',
      startTime: timestampFromMs(now),
      durationMs: 0.4,
      statusCode: 'UNSET',
      attributes: { 'llmops.tenant_id': context.tenantId, 'llmops.project_id': 'default', ...attributes },
      tenantId: context.tenantId,
    });
  const root = (index + 1).toString(16).padStart(16, '0');
  return {
    trace,
    spans: [span('gateway.complete', root, '', { 'llmops.endpoint': 'http.chat.completions', 'llmops.route': 'smart' }), span('gateway.auth', `a${root.slice(1)}`, root, { 'llmops.stage': 'auth' })],
  };
}

/** Publishes `rate` hits per second for `seconds`, on schedule; returns each trace's publish time. */
async function publishAt(events, runId, rate, seconds, offset = 0) {
  const sent = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const { trace, spans } = hitEvents(runId, offset + i);
    events.publish('llmops.traces.v1', trace);
    for (const span of spans) events.publish('llmops.spans.v1', span);
    sent.push(Date.now());
  }
  return sent;
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const broker = await startKafkaBroker();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'llmops-ingest-bench-'));
  let child;
  let events;
  let client;
  try {
    await ensureTopics(broker.brokers, allTopicNamesWithDeadLetters());
    const address = `127.0.0.1:${await freePort()}`;
    const log = openSync(path.join(stateDir, 'analytics.log'), 'a');
    const nodeArgs = (process.env.LLMOPS_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    child = spawn(process.execPath, [...nodeArgs, path.join(REPO_ROOT, 'services', 'analytics', 'dist', 'main.js')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.brokers,
        LLMOPS_STATE_DIR: stateDir,
        LLMOPS_ANALYTICS_ADDR: address,
        ...(args['flush-ms'] ? { ANALYTICS_FLUSH_INTERVAL_MS: args['flush-ms'] } : {}),
      },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    client = createGrpcClient(Analytics, address);
    await client.waitForReady(Date.now() + 60_000);
    const count = async (runId) => {
      const result = await client.query({ query: { case: 'sql', value: `SELECT count() AS n FROM llmops.traces WHERE tenant_id = 'bench-${runId}'` } }, { timeoutMs: 10_000 });
      return Number(JSON.parse(result.rowsJson[0]).n);
    };
    events = new EventPublisher({ brokers: broker.brokers.split(','), clientId: 'ingest-bench', outboxDir: path.join(stateDir, 'outbox'), logger: silentKafkaLogger });
    await events.start();
    // Warm up (the consumer joins, the engine warms), then wait for the run's traces to land.
    const warmId = `warm-${Date.now().toString(36)}`;
    await publishAt(events, warmId, RATE, 5);
    for (const deadline = Date.now() + 60_000; (await count(warmId)) < RATE * 5; ) {
      if (Date.now() > deadline) throw new Error(`warm-up traces did not land within 60 s; see ${stateDir}/analytics.log`);
      await sleep(250);
    }
    await sleep(3_000);

    const idleStart = cpuMs(child.pid);
    await sleep(10_000);
    const idleCoresMs = (cpuMs(child.pid) - idleStart) / 10_000;

    const runId = `run-${Date.now().toString(36)}`;
    const before = cpuMs(child.pid);
    const loadStart = Date.now();
    await publishAt(events, runId, RATE, DURATION_S);
    // Until every trace of the run is stored (the last interval's insert included), then the CPU.
    while ((await count(runId)) < RATE * DURATION_S) await sleep(500);
    const elapsed = Date.now() - loadStart;
    const used = cpuMs(child.pid) - before - idleCoresMs * elapsed;
    const requests = RATE * DURATION_S;
    console.log(`idle: ${round(idleCoresMs * 1000, 1)} ms CPU/s`);
    console.log(
      `load ${RATE}/s for ${DURATION_S} s (${requests} hits, ${requests * 3} events): analytics CPU above idle ${round(used / requests, 3)} ms per request, ${round(used / (requests * 3), 3)} ms per event`,
    );

    const freshId = `fresh-${Date.now().toString(36)}`;
    const publishing = publishAt(events, freshId, RATE, 10);
    const seenAt = [];
    for (let seen = 0; seen < RATE * 10; ) {
      await sleep(100);
      const n = await count(freshId);
      for (; seen < n; seen++) seenAt.push(Date.now());
    }
    const sent = await publishing;
    const lag = summarize(Float64Array.from(sent.map((at, i) => seenAt[i] - at)));
    console.log(`freshness (publish → first seen by a query polled every 100 ms): p50 ${round(lag.p50, 0)} p90 ${round(lag.p90, 0)} max ${round(lag.max, 0)} ms`);
  } finally {
    client?.close();
    await events?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await broker.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
