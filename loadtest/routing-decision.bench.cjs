#!/usr/bin/env node
'use strict';
/**
 * The routing benchmarks (issue 4), in one process on the built dist/ of routing:
 *   route     RoutingEngine.route with 50 rules and 20 models (feature extraction, rules, strategy,
 *             cache lookup, in-process budget reservation). Target p99 ≤ 0.5 ms.
 *   semantic  semantic-cache lookup (embed the request + LSH search) with 100k cached entries in
 *             one tenant and route; half near-duplicates of stored entries, half new. Target p99 ≤ 2 ms.
 *             --embedder=local (routing's opt-in) embeds with all-MiniLM-L6-v2: the stored texts
 *             are embedded in batches first (a CachedEmbedder keeps them), every query reaches
 *             the model in the timed path. --embedder=lexical (the default) uses the hashed-words embedder.
 *   exact     Route over real gRPC (loopback) for an exact-cache hit versus the same request on a
 *             route with the cache off: what serving a hit adds. Target ≤ 1 ms.
 * Each call is timed alone (closed loop, one at a time): these are service times, not load.
 *
 * Usage: node loadtest/routing-decision.bench.cjs [--iterations=20000] [--entries=100000] [--runs=route,semantic,exact] [--embedder=local|lexical]
 * Needs: npx tsc -b services/routing
 */
require('reflect-metadata');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { parsePlatformConfig } = require('@llmops/config');
const { summarize, round } = require('./lib/latency-stats.cjs');

const dist = path.resolve(__dirname, '../services/routing/dist');
const { RoutingEngine } = require(`${dist}/engine/routing.engine.js`);
const { ResponseCache } = require(`${dist}/cache/response-cache.js`);
const { SemanticIndex } = require(`${dist}/cache/semantic-index.js`);
const { HashingTextEmbedder } = require(`${dist}/cache/text-embedder.js`);
const { InMemoryBudgetStore } = require(`${dist}/budgets/in-memory-budget.store.js`);
const { LatencyTracker } = require(`${dist}/strategies/latency-tracker.js`);

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const ITERATIONS = Number(args.iterations ?? 20000);
const ENTRIES = Number(args.entries ?? 100000);
const RUNS = (args.runs ?? 'route,semantic,exact').split(',');
const EMBEDDER = args.embedder ?? 'lexical';

function document({ cache = { enabled: true }, budgets = [{ scope: 'tenant', id: '*', rpm: 1e9, daily_usd: 1e9 }] } = {}) {
  const models = Array.from({ length: 20 }, (_, index) => ({
    id: `model-${index}`,
    provider: 'local',
    version: `model-${index}-v1`,
    context_window: 8192 * (1 + (index % 16)),
    price: { input_per_mtok: 0.1 * (index + 1), output_per_mtok: 0.4 * (index + 1) },
    capabilities: index % 3 === 0 ? ['tools', 'json'] : ['json'],
    tags: [index % 2 ? 'cheap' : 'smart'],
  }));
  const strategies = ['ordered', 'weighted', 'lowest-latency', 'lowest-cost'];
  const routes = [
    { name: 'default', chain: ['model-0'] },
    ...Array.from({ length: 10 }, (_, index) => ({
      name: `route-${index}`,
      chain: [0, 1, 2, 3].map((offset) => `model-${(index * 2 + offset) % 20}`),
      strategy: strategies[index % 4],
      cache: { semantic: index % 2 === 0 },
    })),
  ];
  // 50 rules, the first 49 never match these requests (other tenants): the worst case, every rule read.
  const routing_rules = [
    ...Array.from({ length: 49 }, (_, index) => ({
      name: `rule-${index}`,
      when: index % 2 ? { tenant: [`other-${index}`], complexity: ['complex'] } : { project: [`other-${index}`], tags: { feature: [`f-${index}`] }, min_tokens: 10 },
      route: `route-${index % 10}`,
    })),
    { name: 'catch-all', when: { complexity: ['simple', 'moderate', 'complex'] }, route: 'route-3' },
  ];
  return {
    providers: { local: { kind: 'local' } },
    models,
    routes,
    guardrails: { max_input_chars: 100000, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: 'data' },
    analytics: { retention_days: 1 },
    routing_rules,
    experiments: [{ name: 'exp', kind: 'ab', route: 'route-3', arms: [{ name: 'a' }, { name: 'b', chain: ['model-5', 'model-6'] }] }],
    cache,
    budgets,
  };
}

function engineOf(config, maxEntries = config.cache.maxEntries) {
  const embedder = new HashingTextEmbedder();
  const cache = new ResponseCache(embedder, new SemanticIndex(embedder.size), maxEntries);
  const engine = new RoutingEngine(config, { cache, budgetStore: new InMemoryBudgetStore(), latency: new LatencyTracker(), alerts: { budgetThreshold() {} } });
  return { engine, cache, embedder };
}

const QUESTIONS = [
  'How do I rotate the API keys of the gateway without downtime?',
  'Why does my Kafka consumer lag grow after a deploy?\n```ts\nconsumer.run({ eachBatch })\n```',
  'What is 17 * 23 + 4, and how would you prove it?',
  'Summarise the retention policy of the analytics service in three bullet points. '.repeat(8),
  'Is it safe to take ibuprofen with my blood pressure medication?',
];

function request(index, model = '') {
  return {
    caller: { tenant: `tenant-${index % 7}`, project: 'p', user: `user-${index % 1000}`, apiKey: 'k', requestId: `r${index}`, tags: { feature: 'bench' } },
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant for the LLMOps platform.' },
      { role: 'user', content: `${QUESTIONS[index % QUESTIONS.length]} (#${index % 50})` },
    ],
    params: { temperature: 0, maxTokens: 256, stop: [] },
    noCache: false,
    needs: [],
    prompt: '',
  };
}

async function timeAsync(count, work) {
  const samples = new Float64Array(count);
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    await work(index);
    samples[index] = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  samples.cpuMsPerCall = (cpu.user + cpu.system) / count / 1000;
  return samples;
}

const show = (name, stats, samples) =>
  console.log(
    `${name.padEnd(48)} n=${stats.count}  p50=${round(stats.p50, 4)} ms  p90=${round(stats.p90, 4)}  p99=${round(stats.p99, 4)}  p99.9=${round(stats.p999, 4)}  max=${round(stats.max, 3)}` +
      (samples?.cpuMsPerCall !== undefined ? `  cpu/call=${round(samples.cpuMsPerCall, 4)} ms` : ''),
  );
const timed = async (name, count, work) => {
  const samples = await timeAsync(count, work);
  show(name, summarize(samples), samples);
  return samples;
};

async function benchRoute() {
  const config = parsePlatformConfig(document(), { baseDir: __dirname });
  const { engine } = engineOf(config);
  await timeAsync(3000, (index) => engine.route(request(index)));
  await timed('route: rules + budget + cache miss', ITERATIONS, (index) => engine.route(request(index)));
  // exact-cache hits: the same 50 questions, stored once each (route-3 is where the catch-all rule sends them)
  for (let index = 0; index < 250; index++) {
    const input = request(index);
    const decision = await engine.route(input);
    if (decision.cache.status === 'miss') {
      await engine.store({ caller: input.caller, route: decision.route, variant: decision.cache.variant, prompt: '', messages: input.messages, params: input.params, noCache: false, answer: { content: 'cached', model: decision.chain[0], usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, finishReason: 'stop' } });
    }
  }
  const hitSamples = await timed('route: exact-cache hit (in-process)', ITERATIONS, async (index) => {
    const decision = await engine.route(request(index % 250));
    if (decision.cache.status !== 'hit') throw new Error(`expected a hit, got ${decision.cache.status}: ${decision.cache.reason}`);
  });
  void hitSamples;
  if (args.probe) {
    for (const [name, options] of [['budget only', { cache: { enabled: false } }], ['cache only', { budgets: [] }]]) {
      const probe = engineOf(parsePlatformConfig(document(options), { baseDir: __dirname })).engine;
      await timeAsync(3000, (index) => probe.route(request(index)));
      await timed(`route: ${name}`, ITERATIONS, (index) => probe.route(request(index)));
    }
  }
  const bare = engineOf(parsePlatformConfig(document({ cache: { enabled: false }, budgets: [] }), { baseDir: __dirname })).engine;
  await timeAsync(3000, (index) => bare.route(request(index)));
  await timed('route: rules only (no cache, no budget)', ITERATIONS, (index) => bare.route(request(index)));
}

// Questions as people write them: common words ("how do I ... the ...") and a long tail of
// domain terms (4,000 pseudo-words), so entries are as alike as real requests, not random noise.
const STOPWORDS = 'how do i the a to of in for with is what why can my our and on when does it this that from'.split(' ');
let vocabulary;
function words(random, count) {
  if (!vocabulary) {
    const syllables = 'ka ro mi tu le shi na po ve da gu ri te so bo fe zi lu ma ne'.split(' ');
    vocabulary = Array.from({ length: 4000 }, (_, index) => syllables[index % 20] + syllables[Math.floor(index / 20) % 20] + syllables[Math.floor(index / 400) % 20]);
  }
  return Array.from({ length: count }, () => (random() < 0.4 ? STOPWORDS[Math.floor(random() * STOPWORDS.length)] : vocabulary[Math.floor(random() * vocabulary.length)])).join(' ');
}

async function benchSemantic() {
  let seed = 42;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const embedder = EMBEDDER === 'lexical' ? new HashingTextEmbedder() : await sentenceEmbedder();
  const cache = new ResponseCache(embedder, new SemanticIndex(await embedder.dimensions()), ENTRIES + 1);
  const answer = { content: 'cached', model: { provider: 'local', model: 'm', version: 'v' }, usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, finishReason: 'stop' };
  const partition = 'tenant-a|route|...';
  const texts = Array.from({ length: ENTRIES }, (_, index) => `${words(random, 8 + Math.floor(random() * 20))} #${index}`);
  const stored = texts.filter((_, index) => index % 100 === 0);
  const fillStart = performance.now();
  if (embedder.prefill) for (let start = 0; start < texts.length; start += 512) await embedder.prefill(texts.slice(start, start + 512));
  for (let index = 0; index < ENTRIES; index++) await cache.put(`key-${index}`, answer, 3600, { partition, text: texts[index] });
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const heapMiB = process.memoryUsage().heapUsed / 1048576;
  console.log(`semantic (${embedder.id}): filled ${ENTRIES} entries in ${round(fillSeconds, 1)} s, heap ${round(heapMiB, 0)} MiB`);
  let hits = 0;
  const queries = Array.from({ length: 4000 }, (_, index) =>
    index % 2 === 0 ? stored[index % stored.length].replace(/ (\S+)$/, ' $1?').replace(/^/, '  ') : `${words(random, 14)} new-${index}`,
  );
  for (let index = 0; index < 500; index++) await cache.getSemantic(partition, queries[index % queries.length], 0.95);
  const samples = new Float64Array(queries.length);
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < queries.length; index++) {
    const start = performance.now();
    if (await cache.getSemantic(partition, queries[index], 0.95)) hits++;
    samples[index] = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuBefore);
  await embedder.close?.();
  show(`semantic lookup (${embedder.id}), ${ENTRIES} entries`, summarize(samples));
  console.log(`semantic: CPU time per lookup ${round((cpu.user + cpu.system) / queries.length / 1000, 4)} ms (wall-clock percentiles include time other processes held the CPU)`);
  console.log(`semantic: ${hits} hits of ${queries.length} lookups (${queries.length / 2} were near-duplicates of stored entries)`);
}

/**
 * Routing's default semantic-cache embedder. Texts embedded while filling (in batches, which is
 * far faster than one put at a time) are answered from memory when put() asks for them again;
 * every other text, so every timed query, goes to the model.
 */
async function sentenceEmbedder() {
  const { DEFAULT_EMBEDDING_MODEL_DIR, OnnxSentenceEmbedder } = require('@llmops/embeddings');
  const model = await OnnxSentenceEmbedder.load({ modelDir: path.resolve(__dirname, '..', DEFAULT_EMBEDDING_MODEL_DIR) });
  const filled = new Map();
  return {
    id: model.id,
    dimensions: () => model.dimensions(),
    async embed(texts) {
      const missing = texts.filter((text) => !filled.has(text));
      const vectors = missing.length > 0 ? await model.embed(missing) : [];
      return texts.map((text) => filled.get(text) ?? vectors[missing.indexOf(text)]);
    },
    async prefill(texts) {
      (await model.embed(texts)).forEach((vector, index) => filled.set(texts[index], vector));
    },
    close: () => model.close(),
  };
}

async function benchExactOverGrpc() {
  const { Routing } = require('@llmops/contracts');
  const { createGrpcClient, startGrpcService } = require('@llmops/grpc');
  const { RoutingModule } = require(`${dist}/routing.module.js`);
  const doc = document({ budgets: [] });
  doc.routes.push({ name: 'uncached', chain: ['model-1', 'model-2'], cache: { exact: false } }, { name: 'cached', chain: ['model-1', 'model-2'] });
  const { engine } = engineOf(parsePlatformConfig(doc, { baseDir: __dirname }));
  const handle = await startGrpcService(RoutingModule.forRoot({ engine }), { address: '127.0.0.1:0', services: [Routing] });
  const client = createGrpcClient(Routing, `127.0.0.1:${handle.port}`);
  try {
    const ask = (model) => ({
      context: { tenantId: 't', projectId: 'p', userId: 'u', apiKeyId: 'k', requestId: 'r' },
      model,
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
      params: { temperature: 0, stop: [] },
    });
    const miss = await client.route(ask('cached'));
    await client.store({ context: ask('cached').context, route: 'cached', variant: miss.cache.variant, messages: ask('cached').messages, params: ask('cached').params, content: 'Paris.', model: miss.chain[0] });
    const hit = await client.route(ask('cached'));
    if (hit.cache.status !== 'hit') throw new Error(`expected a hit, got ${hit.cache.status}`);
    const rounds = 5;
    const per = Math.floor(ITERATIONS / 4 / rounds);
    const hits = [];
    const offs = [];
    // Alternating rounds so both see the same machine load.
    for (let round = 0; round < rounds + 1; round++) {
      const a = await timeAsync(per, () => client.route(ask('cached')));
      const b = await timeAsync(per, () => client.route(ask('uncached')));
      if (round > 0) hits.push(...a), offs.push(...b); // round 0 warms up
    }
    const hitStats = summarize(hits);
    const offStats = summarize(offs);
    show('Route over gRPC, exact-cache hit (answer inline)', hitStats);
    show('Route over gRPC, same request, cache off', offStats);
    console.log(`exact hit adds: p50 ${round(hitStats.p50 - offStats.p50, 4)} ms, p99 ${round(hitStats.p99 - offStats.p99, 4)} ms over a Route without cache`);
  } finally {
    client.close();
    await handle.app.close();
  }
}

(async () => {
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cpus, load average ${require('node:os').loadavg().map((load) => load.toFixed(2)).join(' ')}, iterations=${ITERATIONS}`);
  if (RUNS.includes('route')) await benchRoute();
  if (RUNS.includes('exact')) await benchExactOverGrpc();
  if (RUNS.includes('semantic')) await benchSemantic();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
