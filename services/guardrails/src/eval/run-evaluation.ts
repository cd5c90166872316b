import * as path from 'node:path';
import { evaluateGuardrails, type EvalSplit, type EvaluationReport } from './guardrails-evaluation';
import type { DetectorScores } from './detection-metrics';

/**
 * Prints precision, recall and F1 of every fast-tier detector on the labelled sets.
 *   node services/guardrails/dist/eval/run-evaluation.js [--split=all|dev|holdout|fresh|blind|blind2|blind3] [--errors] [--json]
 */
function main(argv: string[]): void {
  const split = (argv.find((arg) => arg.startsWith('--split='))?.slice(8) ?? 'all') as EvalSplit;
  if (!['all', 'dev', 'holdout', 'fresh', 'blind', 'blind2', 'blind3'].includes(split)) throw new Error(`--split must be all, dev, holdout, fresh, blind, blind2 or blind3, not ${split}`);
  const evalDir = argv.find((arg) => arg.startsWith('--eval-dir='))?.slice(11) ?? path.resolve(__dirname, '../../eval');
  const report = evaluateGuardrails({ evalDir, split });
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatReport(report, argv.includes('--errors')));
}

export function formatReport(report: EvaluationReport, withErrors: boolean): string {
  const lines = [
    `split: ${report.split} · examples: pii ${report.examples.pii}, injection ${report.examples.injection}, harmful ${report.examples.harmful}`,
    '',
    '| detector | precision | recall | F1 | TP | FP | FN | FPR |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const row = (name: string, scores: DetectorScores): string =>
    `| ${name} | ${fixed(scores.precision)} | ${fixed(scores.recall)} | ${fixed(scores.f1)} | ${scores.truePositives} | ${scores.falsePositives} | ${scores.falseNegatives} | ${Number.isNaN(scores.falsePositiveRate) ? '–' : fixed(scores.falsePositiveRate)} |`;
  for (const [type, scores] of Object.entries(report.pii)) lines.push(row(`pii: ${type}`, scores));
  lines.push(row(`prompt_injection (≥ ${report.injection.threshold})`, report.injection));
  lines.push(row(`harmful_content (≥ ${report.harmful.threshold})`, report.harmful));
  lines.push('', `injection: false-positive rate on hard negatives ${fixed(report.injection.hardNegativeFalsePositiveRate)}`);
  lines.push(`harmful: right Llama Guard category for ${fixed(report.harmful.categoryAccuracy)} of the detected`);
  if (withErrors) {
    lines.push('', 'errors:');
    for (const error of report.errors) lines.push(`  ${error.detector} ${error.kind} ${error.id} ${error.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

function fixed(value: number): string {
  return value.toFixed(3);
}

if (require.main === module) main(process.argv.slice(2));
