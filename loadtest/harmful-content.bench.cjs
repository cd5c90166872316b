#!/usr/bin/env node
'use strict';
/**
 * The harmful-content check alone, with and without its learned model (lexicon only = before
 * the model): what the model costs per message at 2 KB and 100 KB. The two variants run
 * interleaved, so the load of a shared machine falls on both alike; CPU time is recorded too.
 * Budget (issue #5 work item): the model adds ≤ 0.1 ms at 2 KB and ≤ 1 ms at 100 KB. Ordinary text
 * without a harm concept only pays the concept screen; text with one ("kill") pays the model.
 *
 * Usage: node loadtest/harmful-content.bench.cjs [--iterations=3000] [--warmup=500]
 * Needs the built dist/ (npx tsc -b services/guardrails).
 */
const { performance } = require('node:perf_hooks');
const { HarmfulContentClassifier } = require('../services/guardrails/dist/content/harmful-content.classifier.js');
const { SENTENCES, mixedProse } = require('./lib/guardrails-corpus.cjs');


/** A benign sentence with a harm word ("kill"): the model is consulted, not only its concept screen. */
const WITH_HARM_WORD = [...SENTENCES, 'How do I kill the stuck deploy process on the build server before the release?'];

const corpusOf = (bytes, offset, sentences) => mixedProse(bytes, offset, sentences);

function parseArgs(argv) {
  const args = { iterations: 3000, warmup: 500 };
  for (const arg of argv) {
    const match = /^--(iterations|warmup)=(\d+)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (expected --iterations=N or --warmup=N)`);
    args[match[1]] = Number(match[2]);
  }
  return args;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function main() {
  const { iterations, warmup } = parseArgs(process.argv.slice(2));
  const variants = { 'lexicon only': new HarmfulContentClassifier(undefined, null), 'lexicon + model': new HarmfulContentClassifier() };
  const rows = [];
  const cases = [
    ['2 KB', 2048, iterations, SENTENCES],
    ['2 KB with a harm word', 2048, iterations, WITH_HARM_WORD],
    ['100 KB', 102_400, Math.max(50, Math.floor(iterations / 10)), SENTENCES],
    ['100 KB with a harm word', 102_400, Math.max(50, Math.floor(iterations / 10)), WITH_HARM_WORD],
  ];
  for (const [label, chars, runs, sentences] of cases) {
    const inputs = Array.from({ length: 16 }, (_, index) => corpusOf(chars, index, sentences));
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, { wall: [], cpu: [] }]));
    for (let index = 0; index < warmup; index++) for (const classifier of Object.values(variants)) classifier.classify(inputs[index % inputs.length]);
    for (let index = 0; index < runs; index++) {
      for (const [name, classifier] of Object.entries(variants)) {
        const input = inputs[index % inputs.length];
        const cpu = process.cpuUsage();
        const started = performance.now();
        classifier.classify(input);
        samples[name].wall.push(performance.now() - started);
        const used = process.cpuUsage(cpu);
        samples[name].cpu.push((used.user + used.system) / 1000);
      }
    }
    for (const [name, { wall, cpu }] of Object.entries(samples)) {
      wall.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      rows.push(`| ${label} | ${name} | ${runs} | ${percentile(wall, 50).toFixed(3)} | ${percentile(wall, 90).toFixed(3)} | ${percentile(wall, 99).toFixed(3)} | ${percentile(cpu, 50).toFixed(3)} |`);
    }
  }
  process.stdout.write(['| input | variant | iterations | p50 ms | p90 ms | p99 ms | CPU p50 ms |', '|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n');
}

main();
