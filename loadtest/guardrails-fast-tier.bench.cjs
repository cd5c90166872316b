#!/usr/bin/env node
'use strict';
/**
 * The guardrails fast tier, in process: latency of CheckInput and CheckOutput work (no gRPC) for
 * a 2 KB and a 100 KB input, under the `default` policy of the repository's llmops.yaml (every
 * check on, every PII kind). Targets (issue #5): p99 ≤ 1 ms at 2 KB, ≤ 10 ms at 100 KB.
 *
 * Inputs are prose in several languages with personal data, numbers, code and a few URLs mixed
 * in, so every recognizer has candidates to look at; a different slice of the corpus for every
 * iteration keeps V8 from caching one string's regex results.
 *
 * The corpus repeats its values (one phone number in every twelfth sentence), and the phone
 * recognizer parses each distinct number once per text: the "distinct phone numbers" row gives
 * every phone sentence its own number, which is what a text full of different numbers costs.
 *
 * Wall time and CPU time are both recorded: on a shared machine the wall-time tail is mostly
 * waiting for a CPU.
 *
 * Usage: node loadtest/guardrails-fast-tier.bench.cjs [--iterations=2000] [--warmup=300] [--out=loadtest/results/guardrails-<time>.json]
 *          [--dist=services/guardrails/dist]   (another build of the service, e.g. a copy of the one before a
 *                                               change; outside the repository, run with NODE_PATH=$PWD/node_modules)
 * Needs the built dist/ (npx tsc -b tsconfig.build.json).
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { loadPlatformConfig } = require('@llmops/config');
const { SENTENCES, mixedProse } = require('./lib/guardrails-corpus.cjs');

const REPO_ROOT = path.resolve(__dirname, '..');


const PHONE_IN_CORPUS = '+49 30 12345678';

/** `distinctPhones`: every occurrence of the phone sentence gets its own valid Berlin number. */
function corpusOf(bytes, offset, distinctPhones = false) {
  return mixedProse(bytes, offset, SENTENCES, (sentence, index) => (distinctPhones ? sentence.replace(PHONE_IN_CORPUS, `+49 30 ${12_000_000 + index * 37}`) : sentence));
}

function parseArgs(argv) {
  const args = { iterations: 2000, warmup: 300, out: '', dist: path.join(REPO_ROOT, 'services', 'guardrails', 'dist') };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (expected --name=value)`);
    if (match[1] === 'iterations') args.iterations = Number(match[2]);
    else if (match[1] === 'warmup') args.warmup = Number(match[2]);
    else if (match[1] === 'out') args.out = match[2];
    else if (match[1] === 'dist') args.dist = path.resolve(match[2]);
    else throw new Error(`unknown argument --${match[1]}`);
  }
  return args;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function measure(name, iterations, warmup, inputs, run) {
  for (let index = 0; index < warmup; index++) run(inputs[index % inputs.length]);
  const samples = new Float64Array(iterations);
  const cpuSamples = new Float64Array(iterations);
  for (let index = 0; index < iterations; index++) {
    const input = inputs[index % inputs.length];
    const cpu = process.cpuUsage();
    const started = performance.now();
    run(input);
    samples[index] = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuSamples[index] = (used.user + used.system) / 1000;
  }
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const cpuSorted = Array.from(cpuSamples).sort((a, b) => a - b);
  const round = (value) => Math.round(value * 1000) / 1000;
  return {
    name,
    iterations,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
    cpuP50: round(percentile(cpuSorted, 50)),
    cpuP99: round(percentile(cpuSorted, 99)),
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { GuardrailPolicyBook } = require(path.join(args.dist, 'policy', 'guardrail-policy.book.js'));
  const config = loadPlatformConfig({ env: {}, cwd: REPO_ROOT });
  const engine = new GuardrailPolicyBook({ ...config.guardrails, maxInputChars: 200_000 }).engineFor('bench', 'default');
  const results = [];
  for (const [label, bytes, iterations] of [
    ['2 KB', 2048, args.iterations],
    ['100 KB', 100 * 1024, Math.max(200, Math.round(args.iterations / 10))],
  ]) {
    const inputs = Array.from({ length: 16 }, (_, offset) => corpusOf(bytes, offset));
    const passages = Array.from({ length: 4 }, (_, offset) => corpusOf(1500, offset + 3));
    results.push(measure(`checkInput ${label}`, iterations, args.warmup, inputs, (text) => engine.checkInput([{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }])));
    results.push(measure(`checkOutput ${label} (+4 passages)`, iterations, args.warmup, inputs, (text) => engine.checkOutput({ content: text, passages })));
  }
  const distinct = Array.from({ length: 16 }, (_, offset) => corpusOf(100 * 1024, offset * 2000, true));
  const distinctIterations = Math.max(200, Math.round(args.iterations / 10));
  results.push(measure('checkInput 100 KB, distinct phone numbers', distinctIterations, args.warmup, distinct, (text) => engine.checkInput([{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }])));
  const report = { bench: 'guardrails-fast-tier', at: new Date().toISOString(), dist: path.relative(REPO_ROOT, args.dist), node: process.version, loadAverage: os.loadavg(), cpus: os.cpus().length, policy: engine.policy.name, targets: { '2 KB p99 ms': 1, '100 KB p99 ms': 10 }, results };
  console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall time includes waiting for a CPU; CPU time does not)`);
  console.log('| check | iterations | p50 ms | p90 ms | p99 ms | max ms | CPU p50 ms | CPU p99 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of results) console.log(`| ${row.name} | ${row.iterations} | ${row.p50} | ${row.p90} | ${row.p99} | ${row.max} | ${row.cpuP50} | ${row.cpuP99} |`);
  const out = args.out || path.join(REPO_ROOT, 'loadtest', 'results', `guardrails-${report.at.replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${path.relative(REPO_ROOT, out)}`);
}

main();
