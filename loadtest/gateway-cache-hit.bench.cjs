#!/usr/bin/env node
'use strict';
/**
 * A cache hit served end to end, one request at a time (closed loop): the floor of what the
 * gateway adds to a hit, without the queueing an open-loop rate brings. Starts Kafka, the fake
 * OpenAI-compatible upstream and the nine services with routing's cache on, then alternates
 * rounds of N sequential requests: straight to the fake upstream (the floor: client, loopback,
 * a bare Node HTTP server), then the same body to the gateway, where after the first request
 * every one is a hit the gateway reuses (ADR 0006). added = gateway − direct, per percentile.
 * --transport=grpc sends the same request as Gateway.Complete over one gRPC channel instead
 * (both: HTTP then gRPC each round). Its floor is a bare grpc-js unary call of the same sizes
 * (bytes in, bytes out, no handler work), so added (gRPC) is what the gateway adds to gRPC's own
 * cost; the line also prints the added latency over the HTTP floor.
 *
 * --pause=analytics stops the analytics sink (SIGSTOP) while requests are timed and resumes it
 * after (it then catches up from Kafka): on this 2-core machine the sink storing each hit's trace
 * and spans competes with the gateway for the cores, which a deployment would not share.
 *
 * --alloc=true also reports the bytes the gateway allocates per hit (V8's sampling heap profiler,
 * freed objects included: lib/heap-sampling.preload.cjs), the garbage that sets how often its
 * young-generation collector pauses it. The profiler slows the gateway: latencies of such a run
 * are not comparable with a run without it. --alloc=survivors counts only the bytes that outlived a
 * scavenge: what each scavenge must copy, and what the old generation fills with.
 *
 * Usage: node loadtest/gateway-cache-hit.bench.cjs [--requests=2000] [--rounds=4] [--transport=http|grpc|both] [--alloc=true|survivors] [--pause=analytics]
 * Needs the built dist/ (npx tsc -b tsconfig.build.json).
 */
require('reflect-metadata');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { parse, stringify } = require('yaml');
const { startLocalStack, runningServices } = require('@llmops/cli');
const { startKafkaBroker, startFakeOpenAiServer } = require('@llmops/testing');
const { ensureTopics, allTopicNamesWithDeadLetters } = require('@llmops/kafka');
const { summarize, round } = require('./lib/latency-stats.cjs');

/** User+system CPU ms a process (all its threads) has used so far. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const REQUESTS = Number(args.requests ?? 2000);
const ROUNDS = Number(args.rounds ?? 4);
const TRANSPORTS = { http: ['http'], grpc: ['grpc'], both: ['http', 'grpc'] }[args.transport ?? 'http'];
const ALLOC = args.alloc === 'true' || args.alloc === 'survivors';
const SURVIVORS = args.alloc === 'survivors';
const PAUSE = args.pause;
if (PAUSE !== undefined && PAUSE !== 'analytics') throw new Error('--pause takes analytics');
if (!TRANSPORTS) throw new Error('--transport takes http, grpc or both');
const REPO_ROOT = path.resolve(__dirname, '..');

async function main() {
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const broker = await startKafkaBroker();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'llmops-hit-bench-'));
  const upstream = await startFakeOpenAiServer({ expectedApiKey: 'sk-bench', scenario: { kind: 'ok', answer: 'Paris.' } });
  let stack;
  try {
    await ensureTopics(broker.brokers, allTopicNamesWithDeadLetters());
    const config = parse(readFileSync(path.join(REPO_ROOT, 'llmops.yaml'), 'utf8'));
    config.cache = { ...config.cache, enabled: true };
    config.prompts.dir = path.resolve(REPO_ROOT, config.prompts.dir);
    writeFileSync(path.join(stateDir, 'llmops.yaml'), stringify(config));
    stack = await startLocalStack({
      repoRoot: REPO_ROOT,
      stateDir,
      kafkaBrokers: broker.brokers,
      freePorts: true,
      env: {
        LLMOPS_CONFIG: path.join(stateDir, 'llmops.yaml'),
        LLMOPS_RETRIEVAL_DATA_DIR: path.join(stateDir, 'lancedb'),
        LLMOPS_PROVIDER_OPENAI_BASE_URL: upstream.url,
        OPENAI_API_KEY: 'sk-bench',
        ...(ALLOC
          ? {
              LLMOPS_SERVICE_NODE_ARGS: `${process.env.LLMOPS_SERVICE_NODE_ARGS ?? ''} --require ${path.join(__dirname, 'lib/heap-sampling.preload.cjs')}`,
              BENCH_ALLOC_OUT: path.join(stateDir, 'gateway-alloc.json'),
              BENCH_ALLOC_SURVIVORS: SURVIVORS ? '1' : '0',
            }
          : {}),
      },
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (url, body, authorization) =>
      new Promise((resolve, reject) => {
        const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization } }, (response) => {
          if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
          response.resume();
          response.on('end', resolve);
        });
        request.on('error', reject);
        request.end(body);
      });
    const body = JSON.stringify({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    const direct = () => post(`${upstream.url}/chat/completions`, body, 'Bearer sk-bench');
    const gateway = () => post(`${stack.endpoints.openaiBaseUrl}/chat/completions`, body, `Bearer ${stack.endpoints.apiKey}`);
    const { Gateway } = require('@llmops/contracts');
    const { createGrpcClient } = require('@llmops/grpc');
    const grpcClient = createGrpcClient(Gateway, stack.endpoints.grpc.gateway);
    const grpcRequest = { model: 'gpt-4o-mini', params: { temperature: 0 }, messages: [{ role: 'user', content: 'What is the capital of France?' }] };
    const grpcOptions = { metadata: { authorization: `Bearer ${stack.endpoints.apiKey}` }, timeoutMs: 10_000 };
    const gatewayGrpc = async () => {
      const response = await grpcClient.complete(grpcRequest, grpcOptions);
      if (!response.content) throw new Error('Gateway.Complete: empty answer');
    };
    await gateway(); // the miss that fills routing's cache
    await gatewayGrpc();
    // gRPC's floor: a bare grpc-js server answering the gateway's own answer bytes to a request
    // of the gateway request's bytes, over the same kind of channel, with the same metadata.
    const grpc = require('@grpc/grpc-js');
    const { toBinary, create } = require('@bufbuild/protobuf');
    const { CompleteRequestSchema, CompleteResponseSchema } = require('@llmops/contracts');
    const answerBytes = Buffer.from(toBinary(CompleteResponseSchema, create(CompleteResponseSchema, await grpcClient.complete(grpcRequest, grpcOptions))));
    const requestBytes = Buffer.from(toBinary(CompleteRequestSchema, create(CompleteRequestSchema, grpcRequest)));
    const identity = (bytes) => bytes;
    const bareMethod = { path: '/bench.Bare/Echo', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity };
    const bareServer = new grpc.Server();
    bareServer.addService({ echo: bareMethod }, { echo: (_call, callback) => callback(null, answerBytes) });
    const barePort = await new Promise((resolve, reject) => bareServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))));
    const bareClient = new grpc.Client(`127.0.0.1:${barePort}`, grpc.credentials.createInsecure());
    const bareMetadata = new grpc.Metadata();
    bareMetadata.set('authorization', `Bearer ${stack.endpoints.apiKey}`);
    const directGrpc = () =>
      new Promise((resolve, reject) =>
        bareClient.makeUnaryRequest(bareMethod.path, identity, identity, requestBytes, bareMetadata, { deadline: Date.now() + 10_000 }, (error) => (error ? reject(error) : resolve())),
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // CPU per hit of the processes a hit keeps busy: the gateway, the broker and the analytics
    // sink (which stores the hit's trace and spans), counted over the measured requests.
    const pids = Object.fromEntries(runningServices(stateDir).filter(({ service }) => service === 'gateway' || service === 'analytics').map(({ service, pid }) => [service, pid]));
    pids.kafka = Number(readFileSync(path.join(broker.dataDir, 'kafka.pid'), 'utf8').trim());
    const allocOut = path.join(stateDir, 'gateway-alloc.json');
    const timed = async (call, { alloc = false } = {}) => {
      for (let i = 0; i < 300; i++) await call();
      const samples = new Float64Array(REQUESTS);
      const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
      if (alloc) process.kill(pids.gateway, 'SIGUSR2');
      if (PAUSE) process.kill(pids[PAUSE], 'SIGSTOP');
      try {
        for (let i = 0; i < REQUESTS; i++) {
          const start = performance.now();
          await call();
          samples[i] = performance.now() - start;
        }
      } finally {
        if (PAUSE) process.kill(pids[PAUSE], 'SIGCONT');
      }
      let cpu = Object.entries(pids).map(([name, pid]) => `${name} ${round((cpuMs(pid) - before[name]) / REQUESTS, 3)}`).join(', ');
      if (alloc) {
        rmSync(allocOut, { force: true });
        process.kill(pids.gateway, 'SIGUSR2');
        for (let wait = 0; wait < 100 && !existsSync(allocOut); wait++) await new Promise((resolve) => setTimeout(resolve, 100));
        cpu += ` · gateway ${SURVIVORS ? 'kept past a scavenge' : 'allocated'} ${round(JSON.parse(readFileSync(allocOut, 'utf8')).bytes / REQUESTS / 1024, 1)} KB/hit`;
      }
      return { ...summarize(samples), cpu };
    };
    for (let r = 1; r <= ROUNDS; r++) {
      const floor = await timed(direct);
      for (const transport of TRANSPORTS) {
        const grpcFloor = transport === 'grpc' ? await timed(directGrpc) : undefined;
        const hit = await timed(transport === 'grpc' ? gatewayGrpc : gateway, { alloc: ALLOC });
        const own = grpcFloor ?? floor;
        console.log(
          `round ${r}: direct ${transport} p50 ${round(own.p50, 3)} p99 ${round(own.p99, 3)} · gateway hit (${transport}) p50 ${round(hit.p50, 3)} p99 ${round(hit.p99, 3)} · added p50 ${round(hit.p50 - own.p50, 3)} p99 ${round(hit.p99 - own.p99, 3)} ms` +
            (grpcFloor ? ` (over the HTTP floor: p50 ${round(hit.p50 - floor.p50, 3)} p99 ${round(hit.p99 - floor.p99, 3)})` : '') +
            ` · CPU ms/hit: ${hit.cpu}`,
        );
      }
    }
    grpcClient.close();
    bareClient.close();
    bareServer.forceShutdown();
  } finally {
    await stack?.stop();
    await upstream.close();
    await broker.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
