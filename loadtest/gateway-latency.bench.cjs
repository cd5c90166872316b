#!/usr/bin/env node
'use strict';
/**
 * The gateway benchmark: what the mesh ADDS to a request's latency, at a fixed arrival rate.
 *
 * Starts a real single-node Kafka, the fake OpenAI-compatible upstream (own process, answers at
 * once), and the nine services from their built dist/ (startLocalStack, free ports, a temporary
 * state dir). Then the same open-loop generator runs three times:
 *   direct   → the upstream's /v1/chat/completions (the floor: client + loopback + fake)
 *   http     → the gateway's /v1/chat/completions (full path, events to Kafka)
 *   grpc     → Gateway.Complete (same path over gRPC)          [--grpc=false to skip]
 * added = gateway − direct per percentile. It also records start-up times, each service's RSS at
 * rest and after the load, CPU time each service spent per request, and — from the traces the
 * gateway wrote to ClickHouse — where the time went, stage by stage.
 *
 * Usage: node loadtest/gateway-latency.bench.cjs [--rate=200] [--warmup=5] [--duration=30]
 *        [--runs=direct,http,grpc] [--breakdown=true] [--timeout-ms=10000] [--out=loadtest/results/x.json]
 *        [--keep-state=false] [--cpu-prof-dir=/tmp/profiles] [--cache=false]
 * --cache=true turns routing's exact response cache on (a copy of llmops.yaml with `cache.enabled`)
 * and sends temperature 0 to the `smart` route, so every request after the first of each run is a cache hit: the
 * gateway numbers are then those of a hit served end to end (no upstream call).
 * --rate takes a list (e.g. --rate=25,50,100,200): every run is repeated at each rate.
 * Everything it starts is stopped on exit, failure or Ctrl-C.
 */
const { fork } = require('node:child_process');
const { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { startLocalStack, runningServices } = require('@llmops/cli');
const { fetchKafkaJars, startKafkaBroker, killKafkaBrokerSync } = require('@llmops/testing');
const { ensureTopics, allTopicNamesWithDeadLetters } = require('@llmops/kafka');
const { Analytics } = require('@llmops/contracts');
const { createGrpcClient } = require('@llmops/grpc');

const { runOpenLoop } = require('./lib/open-loop.generator.cjs');
const { createHttpChatSender, createGrpcChatSender } = require('./lib/chat.senders.cjs');
const { stackRss, rssMiB } = require('./lib/process-memory.cjs');
const { round } = require('./lib/latency-stats.cjs');

const REPO_ROOT = path.resolve(__dirname, '..');
const MODEL = 'gpt-4o-mini';
const UPSTREAM_KEY = 'sk-bench';

function parseArgs(argv) {
  const args = { rates: [200], warmup: 5, duration: 30, runs: ['direct', 'http', 'grpc'], breakdown: true, timeoutMs: 10_000, out: '', keepState: false, profileDir: '', cache: false };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (expected --name=value)`);
    const [, name, value] = match;
    if (name === 'rate') args.rates = value.split(',').map(Number);
    else if (name === 'warmup') args.warmup = Number(value);
    else if (name === 'duration') args.duration = Number(value);
    else if (name === 'runs') args.runs = value.split(',');
    else if (name === 'grpc') args.runs = value === 'false' ? args.runs.filter((r) => r !== 'grpc') : args.runs;
    else if (name === 'breakdown') args.breakdown = value !== 'false';
    else if (name === 'timeout-ms') args.timeoutMs = Number(value);
    else if (name === 'out') args.out = value;
    else if (name === 'keep-state') args.keepState = value !== 'false';
    else if (name === 'cpu-prof-dir') args.profileDir = path.resolve(value);
    else if (name === 'cache') args.cache = value !== 'false';
    else throw new Error(`unknown option --${name}`);
  }
  if (!args.rates.every((rate) => rate > 0)) throw new Error('--rate must be positive numbers, e.g. --rate=200 or --rate=50,100,200');
  if (!(args.warmup >= 0 && args.duration > 0 && args.timeoutMs > 0)) throw new Error('--warmup, --duration and --timeout-ms must be positive');
  const unknown = args.runs.filter((r) => !['direct', 'http', 'grpc'].includes(r));
  if (unknown.length > 0) throw new Error(`--runs takes direct,http,grpc; not ${unknown.join(',')}`);
  return args;
}

/** llmops.yaml with the exact response cache on; relative directories made absolute for the copy. */
function writeCachingConfig(stateDir) {
  const { parse, stringify } = require('yaml');
  const document = parse(readFileSync(path.join(REPO_ROOT, 'llmops.yaml'), 'utf8'));
  document.cache = { ...document.cache, enabled: true };
  document.prompts.dir = path.resolve(REPO_ROOT, document.prompts.dir);
  document.retrieval.data_dir = path.join(stateDir, 'lancedb');
  const file = path.join(stateDir, 'llmops.caching.yaml');
  writeFileSync(file, stringify(document));
  return file;
}

const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function timed(work) {
  const start = performance.now();
  const value = await work();
  return { value, ms: round(performance.now() - start, 0) };
}

/** User+system CPU seconds a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

function startUpstream() {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'lib', 'fake-upstream.process.cjs'), [], {
      env: { ...process.env, BENCH_UPSTREAM_KEY: UPSTREAM_KEY },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake upstream exited with ${code} before it listened`)));
    child.once('message', (message) => {
      child.removeAllListeners('exit');
      resolve({
        url: message.url,
        pid: child.pid,
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send('stop');
          }),
        killSync: () => child.exitCode === null && child.kill('SIGKILL'),
      });
    });
  });
}

async function sql(address, query) {
  const analytics = createGrpcClient(Analytics, address);
  try {
    const result = await analytics.query({ query: { case: 'sql', value: query }, limit: 100_000 }, { timeoutMs: 60_000 });
    return result.rowsJson.map((row) => JSON.parse(row));
  } finally {
    analytics.close();
  }
}

/** Per-stage latency of one run's measured requests, from the traces in ClickHouse. */
async function traceBreakdown(address, benchRun, endpoint, expected, samples) {
  const where = `tags['bench_run'] = '${benchRun}' AND tags['phase'] = 'measure' AND endpoint = '${endpoint}'`;
  const deadline = Date.now() + 120_000;
  let count = 0;
  while (Date.now() < deadline) {
    count = Number((await sql(address, `SELECT count() AS n FROM llmops.traces FINAL WHERE ${where}`))[0].n);
    if (count >= expected) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const totals = (
    await sql(
      address,
      `SELECT count() AS traces, countIf(status = 'ok') AS ok, countIf(cache_status = 'hit') AS cache_hits,
              quantileExact(0.5)(latency_ms) AS p50, quantileExact(0.9)(latency_ms) AS p90,
              quantileExact(0.99)(latency_ms) AS p99, max(latency_ms) AS max, avg(latency_ms) AS avg
       FROM llmops.traces FINAL WHERE ${where}`,
    )
  )[0];
  const stages = await sql(
    address,
    `SELECT tupleElement(s, 'stage') AS stage, count() AS n,
            avg(tupleElement(s, 'start_offset_ms')) AS avg_start_ms,
            avg(tupleElement(s, 'latency_ms')) AS avg_ms,
            quantileExact(0.5)(tupleElement(s, 'latency_ms')) AS p50_ms,
            quantileExact(0.99)(tupleElement(s, 'latency_ms')) AS p99_ms,
            max(tupleElement(s, 'latency_ms')) AS max_ms
     FROM llmops.traces FINAL ARRAY JOIN stages AS s WHERE ${where}
     GROUP BY stage ORDER BY avg_start_ms`,
  );
  // Join the client's view with the server's, request by request: for the slowest 1 % (client
  // side) versus the median ones, how long the gateway itself thought the request took and how
  // long each stage took. The rest of the client's time was spent outside the gateway's stages
  // (HTTP parsing, event loop queueing before the handler ran, the client itself).
  const rows = await sql(
    address,
    `SELECT trace_id, latency_ms, arrayMap(s -> (tupleElement(s, 'stage'), tupleElement(s, 'latency_ms')), stages) AS st
     FROM llmops.traces FINAL WHERE ${where}`,
  );
  const byTrace = new Map(rows.map((row) => [row.trace_id, row]));
  const joined = samples.filter((s) => byTrace.has(s.traceId)).sort((a, b) => a.latencyMs - b.latencyMs);
  const cohort = (list) => {
    const out = { requests: list.length, clientMs: 0, gatewayMs: 0, stages: {} };
    for (const sample of list) {
      const row = byTrace.get(sample.traceId);
      out.clientMs += sample.latencyMs / list.length;
      out.gatewayMs += Number(row.latency_ms) / list.length;
      for (const [stage, ms] of row.st) out.stages[stage] = (out.stages[stage] ?? 0) + Number(ms) / list.length;
    }
    out.clientMs = round(out.clientMs);
    out.gatewayMs = round(out.gatewayMs);
    out.outsideGatewayMs = round(out.clientMs - out.gatewayMs);
    for (const k of Object.keys(out.stages)) out.stages[k] = round(out.stages[k]);
    return out;
  };
  const n = joined.length;
  const slowest = joined.slice(Math.floor(n * 0.99));
  const middle = joined.slice(Math.floor(n * 0.45), Math.ceil(n * 0.55));
  const num = (v) => round(Number(v), 2);
  return {
    endpoint,
    tracesFound: count,
    expected,
    serverLatencyMs: { traces: Number(totals.traces), ok: Number(totals.ok), cacheHits: Number(totals.cache_hits), avg: num(totals.avg), p50: num(totals.p50), p90: num(totals.p90), p99: num(totals.p99), max: num(totals.max) },
    stages: stages.map((s) => ({ stage: s.stage, n: Number(s.n), avgStartMs: num(s.avg_start_ms), avgMs: num(s.avg_ms), p50Ms: num(s.p50_ms), p99Ms: num(s.p99_ms), maxMs: num(s.max_ms) })),
    medianCohort: cohort(middle),
    slowestPercentCohort: cohort(slowest),
  };
}

function addedLatency(gateway, direct) {
  const out = {};
  for (const key of ['p50', 'p90', 'p99', 'p999', 'mean']) out[key] = round(gateway.latencyMs[key] - direct.latencyMs[key], 3);
  return out;
}

function machine() {
  return {
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpuModel: os.cpus()[0] ? os.cpus()[0].model : 'unknown',
    memTotalGiB: round(os.totalmem() / 2 ** 30, 1),
    memFreeGiB: round(os.freemem() / 2 ** 30, 1),
    loadAverage: os.loadavg().map((v) => round(v, 2)),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const runId = `bench-${Date.now().toString(36)}`;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'llmops-bench-'));
  if (args.profileDir) mkdirSync(args.profileDir, { recursive: true });
  const result = { runId, startedAt: new Date().toISOString(), args, machineBefore: machine(), timings: {}, memoryMiB: {}, runs: {}, cpuMsPerRequest: {} };

  let broker;
  let upstream;
  let stack;
  const cleanup = async () => {
    await stack?.stop().catch((e) => log(`stack stop: ${e.message}`));
    await upstream?.close().catch((e) => log(`upstream stop: ${e.message}`));
    await broker?.stop().catch((e) => log(`kafka stop: ${e.message}`));
    if (args.keepState) log(`state dir kept (logs in ${stateDir}/logs)`);
    else rmSync(stateDir, { recursive: true, force: true });
  };
  // Last resort when the process dies: nothing async runs in 'exit', so kill synchronously.
  process.on('exit', () => {
    for (const { pid } of runningServices(stateDir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    upstream?.killSync();
    if (broker) killKafkaBrokerSync(broker.dataDir);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      cleanup().finally(() => process.exit(130));
    });
  }

  try {
    log('resolving Kafka jars (cached after the first run)');
    result.timings.kafkaJarsMs = (await timed(() => fetchKafkaJars())).ms;
    log('starting Kafka');
    const kafka = await timed(() => startKafkaBroker());
    broker = kafka.value;
    result.timings.kafkaStartMs = kafka.ms;
    result.timings.ensureTopicsMs = (await timed(() => ensureTopics(broker.brokers, allTopicNamesWithDeadLetters(), 3))).ms;
    upstream = await startUpstream();
    log(`Kafka ${broker.brokers} up in ${kafka.ms} ms; upstream ${upstream.url}; starting the nine services`);
    const started = await timed(() =>
      startLocalStack({
        repoRoot: REPO_ROOT,
        stateDir,
        kafkaBrokers: broker.brokers,
        freePorts: true,
        env: {
          LLMOPS_PROVIDER_OPENAI_BASE_URL: upstream.url,
          OPENAI_API_KEY: UPSTREAM_KEY,
          LLMOPS_RETRIEVAL_DATA_DIR: path.join(stateDir, 'lancedb'),
          ...(args.cache ? { LLMOPS_CONFIG: writeCachingConfig(stateDir) } : {}),
          // V8 CPU profiles of every service, written when each exits (lib/cpu-profiler.preload.cjs).
          ...(args.profileDir
            ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'lib', 'cpu-profiler.preload.cjs')}`.trim(), BENCH_CPU_PROFILE_DIR: args.profileDir }
            : {}),
        },
      }),
    );
    stack = started.value;
    result.timings.stackStartMs = started.ms;
    log(`stack healthy in ${started.ms} ms at ${stack.endpoints.http}`);

    const pids = Object.fromEntries(runningServices(stateDir).map(({ service, pid }) => [service, pid]));
    pids.kafka = Number(readFileSync(path.join(broker.dataDir, 'kafka.pid'), 'utf8').trim());
    pids.upstream = upstream.pid;
    pids.generator = process.pid;
    const cpuSnapshot = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const totalCpu = (snapshot) => Object.entries(snapshot).filter(([k]) => k !== 'generator').reduce((sum, [, v]) => sum + (Number.isFinite(v) ? v : 0), 0);

    // One request end to end before any load, so a broken stack fails loudly and early. The
    // services report SERVING before every one of them is ready to answer through the others,
    // so the probe retries for a while; how long that took is part of the start-up time.
    const probe = createHttpChatSender({ baseUrl: stack.endpoints.openaiBaseUrl, apiKey: stack.endpoints.apiKey, model: MODEL, timeoutMs: 30_000, tags: { bench_run: `${runId}-probe` } });
    const probeStart = performance.now();
    const probeErrors = [];
    try {
      for (;;) {
        const answer = await probe.send(0, 'probe');
        if (answer.ok) break;
        probeErrors.push(answer.error);
        if (performance.now() - probeStart > 60_000) {
          args.keepState = true;
          throw new Error(`no request through the gateway succeeded within 60 s (${probeErrors.slice(-3).join(', ')}); see ${stateDir}/logs`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      probe.close();
    }
    result.timings.firstAnswerAfterHealthyMs = round(performance.now() - probeStart, 0);
    result.timings.probeFailuresBeforeFirstAnswer = probeErrors.length;
    if (probeErrors.length > 0) log(`first answer after ${result.timings.firstAnswerAfterHealthyMs} ms (${probeErrors.length} failures first: ${[...new Set(probeErrors)].join(', ')})`);

    await new Promise((r) => setTimeout(r, 5000)); // let start-up work (migrations, JIT, GC) settle
    // What the idle stack burns (timers, Kafka polls, the JVM): the floor a run drains back to.
    const idleBefore = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 5000));
    const idleAfter = cpuSnapshot();
    result.idleCpuCores = Object.fromEntries(Object.keys(pids).map((k) => [k, round((idleAfter[k] - idleBefore[k]) / 5, 3)]));
    const idleTotal = totalCpu(idleAfter) - totalCpu(idleBefore);
    log(`idle CPU (cores): ${JSON.stringify(result.idleCpuCores)}`);
    result.memoryMiB.atRest = stackRss(runningServices, stateDir);
    result.memoryMiB.atRest.kafkaBroker = round(rssMiB(pids.kafka), 1);
    log(`RSS at rest: ${JSON.stringify(result.memoryMiB.atRest)}`);

    // Models named directly are never cached (docs/routing.md): the cached run asks for a route.
    const common = { model: args.cache ? 'smart' : MODEL, timeoutMs: args.timeoutMs, ...(args.cache ? { temperature: 0 } : {}) };
    // Between runs, wait until the mesh has drained what the last run left (a run past capacity
    // leaves queued requests and events behind): within 15 % of one core of the idle stack's
    // CPU use for 2 s, at most 90 s.
    const waitForQuiet = async () => {
      const deadline = Date.now() + 90_000;
      let quietSince = 0;
      while (Date.now() < deadline) {
        const before = totalCpu(cpuSnapshot());
        await new Promise((r) => setTimeout(r, 500));
        const busy = (totalCpu(cpuSnapshot()) - before) / 0.5;
        if (busy < idleTotal / 5 + 0.15) {
          if (!quietSince) quietSince = Date.now();
          if (Date.now() - quietSince >= 2000) return;
        } else quietSince = 0;
      }
      log('the mesh did not go quiet within 90 s; running anyway');
    };
    const load = async (key, rate, sender) => {
      await waitForQuiet();
      log(`${key}: ${rate}/s, ${args.warmup} s warm-up + ${args.duration} s measured`);
      const before = cpuSnapshot();
      try {
        const run = await runOpenLoop({ ratePerSecond: rate, warmupSeconds: args.warmup, durationSeconds: args.duration, send: sender.send });
        const after = cpuSnapshot();
        const requests = run.warmupRequests + run.measuredRequests;
        result.cpuMsPerRequest[key] = Object.fromEntries(Object.keys(pids).map((k) => [k, round(((after[k] - before[k]) * 1000) / requests, 3)]));
        result.runs[key] = run;
        log(`${key}: ok=${run.ok} errors=${run.errorCount} p50=${run.latencyMs.p50} p99=${run.latencyMs.p99} ms, ${run.achievedRatePerSecond}/s`);
        return run;
      } finally {
        sender.close();
      }
    };

    const endpointOf = { http: 'http.chat.completions', grpc: 'grpc.Complete' };
    result.addedLatencyMs = {};
    if (args.breakdown) result.breakdown = {};
    for (const rate of args.rates) {
      for (const name of args.runs) {
        const key = `${name}@${rate}`;
        const tags = { bench_run: `${runId}-${key}` };
        if (name === 'direct') await load(key, rate, createHttpChatSender({ ...common, baseUrl: upstream.url, apiKey: UPSTREAM_KEY, tags }));
        if (name === 'http') await load(key, rate, createHttpChatSender({ ...common, baseUrl: stack.endpoints.openaiBaseUrl, apiKey: stack.endpoints.apiKey, tags }));
        if (name === 'grpc') await load(key, rate, createGrpcChatSender({ ...common, address: stack.endpoints.grpc.gateway, apiKey: stack.endpoints.apiKey, tags }));
        if (name !== 'direct') {
          result.memoryMiB[`after ${key}`] = stackRss(runningServices, stateDir);
          const direct = result.runs[`direct@${rate}`];
          if (direct) result.addedLatencyMs[key] = addedLatency(result.runs[key], direct);
          if (args.breakdown && result.runs[key].ok > 0) {
            log(`${key}: reading its traces back from ClickHouse for the per-stage breakdown`);
            result.breakdown[key] = await traceBreakdown(stack.endpoints.grpc.analytics, tags.bench_run, endpointOf[name], result.runs[key].ok, result.runs[key].samples);
          }
        }
      }
    }
    result.memoryMiB.afterLoad = stackRss(runningServices, stateDir);
    result.memoryMiB.afterLoad.kafkaBroker = round(rssMiB(pids.kafka), 1);
    result.machineAfter = machine();
  } finally {
    log('stopping the stack, the upstream and Kafka');
    await cleanup();
  }

  for (const run of Object.values(result.runs)) delete run.samples;
  const out = args.out || path.join(__dirname, 'results', `gateway-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  printSummary(result);
  log(`full results: ${path.relative(process.cwd(), out)}`);
}

function printSummary(result) {
  const lines = [];
  const m = result.machineBefore;
  lines.push(`machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memTotalGiB} GiB, node ${m.node}, load avg before ${m.loadAverage.join(' ')}`);
  lines.push(`start-up: Kafka ${result.timings.kafkaStartMs} ms (+ topics ${result.timings.ensureTopicsMs} ms), nine services healthy in ${result.timings.stackStartMs} ms`);
  lines.push('');
  lines.push('run          ok     err    rate/s  p50       p90       p99       p99.9     max       (ms, from due time)');
  for (const [name, run] of Object.entries(result.runs)) {
    const l = run.latencyMs;
    const cell = (v) => String(v).padEnd(10);
    lines.push(`${name.padEnd(12)} ${String(run.ok).padEnd(6)} ${String(run.errorCount).padEnd(6)} ${String(run.achievedRatePerSecond).padEnd(7)} ${cell(l.p50)}${cell(l.p90)}${cell(l.p99)}${cell(l.p999)}${cell(l.max)}`);
  }
  for (const [name, added] of Object.entries(result.addedLatencyMs ?? {})) {
    lines.push(`added by the gateway (${name}): p50 ${added.p50} ms, p90 ${added.p90} ms, p99 ${added.p99} ms, p99.9 ${added.p999} ms`);
  }
  lines.push('');
  const services = Object.keys(result.memoryMiB.atRest.perService);
  lines.push(`RSS MiB           ${services.map((s) => s.slice(0, 10).padEnd(11)).join('')}total`);
  for (const [when, rss] of Object.entries(result.memoryMiB)) {
    lines.push(`${when.padEnd(18)}${services.map((s) => String(rss.perService[s]).padEnd(11)).join('')}${rss.totalMiB}`);
  }
  for (const [name, cpu] of Object.entries(result.cpuMsPerRequest)) {
    lines.push(`CPU ms/request (${name}): ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  for (const [name, b] of Object.entries(result.breakdown ?? {})) {
    lines.push('');
    lines.push(`server-side (${b.endpoint}, ${b.tracesFound}/${b.expected} traces): p50 ${b.serverLatencyMs.p50} p90 ${b.serverLatencyMs.p90} p99 ${b.serverLatencyMs.p99} max ${b.serverLatencyMs.max} ms`);
    lines.push('  stage               start(avg)  avg      p50      p99      max');
    for (const s of b.stages) {
      lines.push(`  ${s.stage.padEnd(20)}${String(s.avgStartMs).padEnd(12)}${String(s.avgMs).padEnd(9)}${String(s.p50Ms).padEnd(9)}${String(s.p99Ms).padEnd(9)}${s.maxMs}`);
    }
    for (const [label, c] of [['median 10 %', b.medianCohort], ['slowest 1 %', b.slowestPercentCohort]]) {
      lines.push(`  ${label}: client ${c.clientMs} ms = gateway ${c.gatewayMs} + outside ${c.outsideGatewayMs}; stages ${Object.entries(c.stages).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`FAILED: ${error.stack || error.message}`);
    process.exit(1);
  },
);
