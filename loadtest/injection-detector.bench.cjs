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

const SENTENCES = [
  'Our quarterly report shows revenue grew 12.4% to 3,481,200 EUR while costs stayed flat.',
  'Please contact the account manager at jana.novak@example.com if the invoice INV-2024-0091 is wrong.',
  'Der Kunde hat unter +49 30 12345678 angerufen und nach der Lieferung gefragt.',
  'La réunion est prévue le 14/03 à 10h30 dans la salle 4.12, merci de confirmer.',
  'The service at 10.20.30.40 returned HTTP 502 for 3% of requests between 09:00 and 09:15.',
  'function add(a, b) { return a + b; } // version 2.3.1, see https://example.org/docs?id=42',
  '¿Puedes resumir el documento adjunto en tres frases para el equipo de ventas?',
  '东京的分公司将在下个月开始使用新的报销流程。',
  'Tracking number 1Z999AA10123456784 shows the parcel left Memphis yesterday.',
  'Summarize the ticket history and propose next steps; keep it under 200 words.',
];

function textOf(bytes, offset) {
  const parts = [];
  let size = 0;
  for (let index = offset; size < bytes; index++) {
    const sentence = SENTENCES[index % SENTENCES.length];
    parts.push(sentence);
    size += Buffer.byteLength(sentence) + 1;
  }
  return parts.join(' ').slice(0, bytes);
}

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
