#!/usr/bin/env node
'use strict';
/**
 * Two builds of the guardrails service, the same fast-tier calls, interleaved: CPU time per call
 * (not wall time) of CheckInput and CheckOutput at 100 KB and CheckInput at 2 KB, on the corpus of
 * guardrails-fast-tier.bench.cjs. On a machine other work keeps busy, wall-time percentiles
 * measure the queue for a CPU; batches that alternate between the builds see the same load, so
 * the median batch compares the builds' own work.
 *
 * Usage: node loadtest/guardrails-build-compare.bench.cjs --base=/tmp/copy/services/guardrails/dist [--new=services/guardrails/dist] [--rounds=30]
 *        (a copy outside the repository resolves its packages through node_modules next to it, e.g. a symlink to this one)
 * Needs both builds (npx tsc -b tsconfig.build.json).
 */
const os = require('node:os');
const path = require('node:path');
const { loadBothBuilds, parseBuildArgs } = require('./lib/guardrails-builds.cjs');
const { mixedProse } = require('./lib/guardrails-corpus.cjs');


function engineOf(dist, config) {
  const { GuardrailPolicyBook } = require(path.join(dist, 'policy', 'guardrail-policy.book.js'));
  return new GuardrailPolicyBook({ ...config.guardrails, maxInputChars: 200_000 }).engineFor('bench', 'default');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const args = parseBuildArgs(process.argv.slice(2), { rounds: 30 });
  const { base, next } = loadBothBuilds(args, engineOf);
  const large = Array.from({ length: 16 }, (_, offset) => mixedProse(100 * 1024, offset));
  const small = Array.from({ length: 16 }, (_, offset) => mixedProse(2048, offset));
  const passages = Array.from({ length: 4 }, (_, offset) => mixedProse(1500, offset + 3));
  const checkInput = (engine, text) => engine.checkInput([{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }]);
  const checkOutput = (engine, text) => engine.checkOutput({ content: text, passages });
  const cases = [
    { name: 'CheckInput 100 KB', inputs: large, run: checkInput, perBatch: 10 },
    { name: 'CheckOutput 100 KB (+4 passages)', inputs: large, run: checkOutput, perBatch: 10 },
    { name: 'CheckInput 2 KB', inputs: small, run: checkInput, perBatch: 200 },
  ];
  for (const { inputs, run, perBatch } of cases) for (const engine of [base, next]) for (let index = 0; index < 3 * perBatch; index++) run(engine, inputs[index % inputs.length]);
  const samples = new Map(cases.map(({ name }) => [name, { base: [], next: [] }]));
  for (let round = 0; round < args.rounds; round++) {
    for (const { name, inputs, run, perBatch } of cases) {
      const order = round % 2 === 0 ? [['base', base], ['next', next]] : [['next', next], ['base', base]];
      for (const [build, engine] of order) {
        const started = process.cpuUsage();
        for (let index = 0; index < perBatch; index++) run(engine, inputs[(index + round) % inputs.length]);
        const used = process.cpuUsage(started);
        samples.get(name)[build].push((used.user + used.system) / 1000 / perBatch);
      }
    }
  }
  console.log(`load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs; ${args.rounds} alternating batches per build`);
  // The two batches of a round ran back to back under the same load: the median of their ratios
  // is steadier than the ratio of the medians when other work comes and goes.
  console.log('| check | base CPU ms/call (median batch) | new CPU ms/call (median batch) | change | change (median of per-round ratios) |');
  console.log('|---|---|---|---|---|');
  for (const [name, { base: before, next: after }] of samples) {
    const [was, now] = [median(before), median(after)];
    const paired = median(after.map((value, round) => value / before[round]));
    console.log(`| ${name} | ${was.toFixed(3)} | ${now.toFixed(3)} | ${(((now - was) / was) * 100).toFixed(1)} % | ${((paired - 1) * 100).toFixed(1)} % |`);
  }
}

main();
