#!/usr/bin/env node
'use strict';
/**
 * How much the Kafka event publisher stalls the thread that publishes. A real single-node Kafka;
 * the calling thread simulates a service at --rate requests/s, each publishing one trace event
 * and two span events (what a gateway cache hit publishes), and between turns records every gap
 * of the event loop above 0.5 ms: time the loop spent on anything but the simulated requests
 * (kafkajs batch encoding, socket and timer callbacks, GC). Modes, interleaved run by run:
 * - control: the same loop publishing nothing (the machine's own noise),
 * - inline: EventPublisher as services ran it until now (send loop on the calling thread),
 * - worker: EventPublisher with offThread (send loop, kafkajs and outbox in a worker thread).
 * The loop spins on setImmediate, so process CPU says nothing here; the gaps are the measure.
 *
 * Usage: node loadtest/event-publisher-stall.bench.cjs [--modes=control,inline,worker] [--runs=3] [--seconds=10] [--rate=1000]
 * Needs the built dist/ (npx tsc -b tsconfig.build.json) and the Kafka jars.
 */
require('reflect-metadata');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { randomBytes, randomUUID } = require('node:crypto');
const { create } = require('@bufbuild/protobuf');
const { timestampFromMs } = require('@bufbuild/protobuf/wkt');
const { RequestContextSchema, SpanEventSchema, TraceEventSchema } = require('@llmops/contracts');
const { EventPublisher, ensureTopics, allTopicNamesWithDeadLetters, silentKafkaLogger } = require('@llmops/kafka');
const { startKafkaBroker } = require('@llmops/testing');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const MODES = (args.modes ?? 'control,inline,worker').split(',');
const RUNS = Number(args.runs ?? 3);
const SECONDS = Number(args.seconds ?? 10);
const RATE = Number(args.rate ?? 1000);

const context = create(RequestContextSchema, { tenantId: 'acme', projectId: 'docs', userId: 'u1', apiKeyId: 'key-1', requestId: randomUUID(), traceId: '' });
function publishRequest(publisher) {
  const traceId = randomBytes(16).toString('hex');
  publisher.publish(
    'llmops.traces.v1',
    create(TraceEventSchema, {
      eventId: randomUUID(),
      traceId,
      occurredAt: timestampFromMs(Date.now()),
      context,
      endpoint: 'http.chat',
      latencyMs: 0.4,
      status: 'ok',
      routeReason: 'hit reused by the gateway',
      stages: [{ stage: 'cache', status: 'hit', durationMs: 0.1 }],
    }),
  );
  for (const name of ['gateway.request', 'gateway.cache']) {
    publisher.publish(
      'llmops.spans.v1',
      create(SpanEventSchema, {
        eventId: randomUUID(),
        traceId,
        spanId: randomBytes(8).toString('hex'),
        name,
        kind: 'SERVER',
        serviceName: 'gateway',
        startTime: timestampFromMs(Date.now()),
        durationMs: 0.4,
        statusCode: 'OK',
        attributes: { 'llmops.tenant_id': 'acme', 'gen_ai.request.model': 'gpt-4o-mini', 'llmops.cache.status': 'hit' },
      }),
    );
  }
}

async function run(mode, brokers) {
  const outboxDir = mkdtempSync(path.join(os.tmpdir(), 'llmops-stall-bench-'));
  const publisher =
    mode === 'control' ? undefined : new EventPublisher({ brokers, clientId: `stall-${mode}`, outboxDir, logger: silentKafkaLogger, offThread: mode === 'worker' });
  await publisher?.start();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const gaps = [];
  let requests = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let last = start;
  await new Promise((resolve) => {
    const turn = () => {
      const now = performance.now();
      if (now - last > 0.5) gaps.push(now - last);
      const due = Math.floor(((now - start) / 1000) * RATE);
      while (requests < due) {
        if (publisher) publishRequest(publisher);
        requests++;
      }
      last = performance.now();
      if (now < end) setImmediate(turn);
      else resolve();
    };
    setImmediate(turn);
  });
  const flushed = publisher ? await publisher.flush(30_000) : true;
  const stats = publisher?.stats();
  await publisher?.close();
  rmSync(outboxDir, { recursive: true, force: true });
  const over = (ms) => gaps.filter((gap) => gap > ms).length;
  const perTenSeconds = (count) => Math.round((count * 10) / SECONDS);
  gaps.sort((a, b) => a - b);
  console.log(
    `${mode.padEnd(7)} load ${os.loadavg()[0].toFixed(2)} · ${requests} requests · event-loop gaps per 10 s: >0.5 ms ${perTenSeconds(gaps.length)}, >1 ms ${perTenSeconds(over(1))}, ` +
      `>2 ms ${perTenSeconds(over(2))}, >5 ms ${perTenSeconds(over(5))}; longest ${(gaps.at(-1) ?? 0).toFixed(1)} ms` +
      (stats ? ` · published ${stats.published}, rejected ${stats.rejected}, flushed ${flushed}` : ''),
  );
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${RATE} requests/s × 3 events, ${SECONDS} s per run`);
  const broker = await startKafkaBroker();
  try {
    await ensureTopics(broker.brokers, allTopicNamesWithDeadLetters());
    const brokers = broker.brokers.split(',');
    for (let r = 0; r < RUNS; r++) for (const mode of MODES) await run(mode, brokers);
  } finally {
    await broker.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
