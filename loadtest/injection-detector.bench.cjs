#!/usr/bin/env node
'use strict';
/**
 * The prompt-injection detector alone (patterns, decoders, known-attack index, classifier with
 * concept features and the evidence combiner), in process, on 2 KB and 100 KB of mixed-language
 * prose with numbers, code and URLs. Targets (issue #5, injection share of the fast tier):
 * ≤ 0.3 ms per 2 KB and ≤ 3 ms per 100 KB. Wall and CPU time both reported: on a shared
 * machine the wall-time tail is mostly waiting for a CPU.
 *
 * Usage: node loadtest/injection-detector.bench.cjs [--iterations=3000]
 * Needs the built dist/ (npx tsc -b services/guardrails).
 */
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const { PromptInjectionDetector } = require('../services/guardrails/dist/injection/prompt-injection.detector.js');
const { mixedProse } = require('./lib/guardrails-corpus.cjs');

const textOf = (bytes, offset) => mixedProse(bytes, offset);

function main(argv) {
  const iterations = Number(argv.find((arg) => arg.startsWith('--iterations='))?.slice(13) ?? 3000);
  const detector = new PromptInjectionDetector();
  const [load] = os.loadavg();
  console.log(`load average ${load.toFixed(1)} on ${os.cpus().length} CPUs`);
  console.log('| input | iterations | wall p50 ms | wall p90 ms | wall p99 ms | CPU mean ms |');
  console.log('|---|---|---|---|---|---|');
  for (const [bytes, count] of [[2048, iterations], [102400, Math.max(50, Math.round(iterations / 15))]]) {
    const inputs = Array.from({ length: 16 }, (_, index) => textOf(bytes, index));
    for (let index = 0; index < 300; index++) detector.assess(inputs[index % 16]);
    const wall = [];
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < count; index++) {
      const started = performance.now();
      detector.assess(inputs[index % 16]);
      wall.push(performance.now() - started);
    }
    const cpu = process.cpuUsage(cpuStart);
    wall.sort((a, b) => a - b);
    const at = (share) => wall[Math.min(wall.length - 1, Math.floor(wall.length * share))].toFixed(3);
    console.log(`| ${bytes / 1024} KB | ${count} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} | ${((cpu.user + cpu.system) / 1000 / count).toFixed(3)} |`);
  }
}

main(process.argv.slice(2));
