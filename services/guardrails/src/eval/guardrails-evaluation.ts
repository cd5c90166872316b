import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { redactionKinds, type HarmCategory } from '@llmops/config';
import { PiiRedactor } from '../checks/pii.redactor';
import { HarmfulContentClassifier } from '../content/harmful-content.classifier';
import { PromptInjectionDetector } from '../injection/prompt-injection.detector';
import { addConfusion, emptyConfusion, scoresOf, type Confusion, type DetectorScores } from './detection-metrics';

export type EvalSplit = 'dev' | 'holdout' | 'fresh' | 'blind' | 'blind2' | 'blind3' | 'all';

interface PiiExample {
  id: string;
  split: string;
  text: string;
  entities: { type: string; value: string }[];
}
interface InjectionExample {
  id: string;
  split: string;
  label: 'injection' | 'benign';
  hard_negative?: boolean;
  lang: string;
  text: string;
}
interface HarmExample {
  id: string;
  split: string;
  label: HarmCategory | 'safe';
  text: string;
}

export interface EvaluationError {
  detector: string;
  id: string;
  kind: 'false_positive' | 'false_negative' | 'wrong_category';
  detail: string;
}

export interface EvaluationReport {
  split: EvalSplit;
  examples: { pii: number; injection: number; harmful: number };
  /** Span level: a predicted span counts when it overlaps a labelled span of the same type. */
  pii: Record<string, DetectorScores>;
  /** Message level, at the given threshold. */
  injection: DetectorScores & { threshold: number; hardNegativeFalsePositiveRate: number };
  /** Message level (harmful vs safe), plus the share of detected harmful messages given the labelled category. */
  harmful: DetectorScores & { threshold: number; categoryAccuracy: number };
  errors: EvaluationError[];
}

export interface EvaluationOptions {
  evalDir: string;
  split: EvalSplit;
  piiThreshold?: number;
  injectionThreshold?: number;
  harmfulThreshold?: number;
}

/** Runs every fast-tier detector over the labelled sets in `evalDir` (JSON lines) and scores them. */
export function evaluateGuardrails(options: EvaluationOptions): EvaluationReport {
  const pick = <T extends { split: string }>(rows: T[]): T[] => rows.filter((row) => options.split === 'all' || row.split === options.split);
  const pii = pick(readJsonLines<PiiExample>(path.join(options.evalDir, 'pii.jsonl')));
  const injection = pick(readJsonLines<InjectionExample>(path.join(options.evalDir, 'injection.jsonl')));
  const harmful = pick(readJsonLines<HarmExample>(path.join(options.evalDir, 'harmful.jsonl')));
  const errors: EvaluationError[] = [];
  return {
    split: options.split,
    examples: { pii: pii.length, injection: injection.length, harmful: harmful.length },
    pii: evaluatePii(pii, options.piiThreshold ?? 0.5, errors),
    injection: evaluateInjection(injection, options.injectionThreshold ?? 0.5, errors),
    harmful: evaluateHarmful(harmful, options.harmfulThreshold ?? 0.5, errors),
    errors,
  };
}

function evaluatePii(examples: PiiExample[], threshold: number, errors: EvaluationError[]): Record<string, DetectorScores> {
  const redactor = PiiRedactor.forKinds(redactionKinds, threshold);
  const byType = new Map<string, Confusion>(redactionKinds.map((kind) => [kind, emptyConfusion()]));
  for (const example of examples) {
    const gold = example.entities.map((entity) => {
      const start = example.text.indexOf(entity.value);
      return { type: entity.type, start, end: start + entity.value.length, matched: false };
    });
    for (const match of redactor.find(example.text)) {
      const confusion = byType.get(match.type)!;
      const hit = gold.find((entity) => !entity.matched && entity.type === match.type && entity.start < match.end && match.start < entity.end);
      if (hit) {
        hit.matched = true;
        confusion.truePositives++;
      } else {
        confusion.falsePositives++;
        errors.push({ detector: match.type, id: example.id, kind: 'false_positive', detail: `${match.start}-${match.end} score ${match.score.toFixed(2)}` });
      }
    }
    for (const entity of gold) {
      if (entity.matched) continue;
      byType.get(entity.type)!.falseNegatives++;
      errors.push({ detector: entity.type, id: example.id, kind: 'false_negative', detail: `${entity.start}-${entity.end}` });
    }
  }
  const total = emptyConfusion();
  const scores: Record<string, DetectorScores> = {};
  for (const [type, confusion] of byType) {
    scores[type] = scoresOf(confusion);
    addConfusion(total, confusion);
  }
  scores['all (micro)'] = scoresOf(total);
  return scores;
}

function evaluateInjection(examples: InjectionExample[], threshold: number, errors: EvaluationError[]): EvaluationReport['injection'] {
  const detector = new PromptInjectionDetector();
  const confusion = emptyConfusion();
  let hardNegatives = 0;
  let hardFalsePositives = 0;
  for (const example of examples) {
    const { score, signals } = detector.assess(example.text);
    const flagged = score >= threshold;
    const attack = example.label === 'injection';
    if (attack && flagged) confusion.truePositives++;
    else if (attack) confusion.falseNegatives++;
    else if (flagged) confusion.falsePositives++;
    else confusion.trueNegatives++;
    if (!attack && example.hard_negative) {
      hardNegatives++;
      if (flagged) hardFalsePositives++;
    }
    if (attack !== flagged) {
      const why = signals.map((signal) => `${signal.technique}:${signal.score}`).join(',') || 'no signal';
      errors.push({ detector: 'prompt_injection', id: example.id, kind: attack ? 'false_negative' : 'false_positive', detail: `score ${score} (${why})` });
    }
  }
  return { ...scoresOf(confusion), threshold, hardNegativeFalsePositiveRate: hardNegatives === 0 ? 0 : hardFalsePositives / hardNegatives };
}

function evaluateHarmful(examples: HarmExample[], threshold: number, errors: EvaluationError[]): EvaluationReport['harmful'] {
  const classifier = new HarmfulContentClassifier();
  const confusion = emptyConfusion();
  let detected = 0;
  let rightCategory = 0;
  for (const example of examples) {
    const findings = classifier.classify(example.text).filter((finding) => finding.score >= threshold);
    const harmful = example.label !== 'safe';
    const flagged = findings.length > 0;
    if (harmful && flagged) {
      confusion.truePositives++;
      detected++;
      if (findings.some((finding) => finding.category === example.label)) rightCategory++;
      else errors.push({ detector: 'harmful_content', id: example.id, kind: 'wrong_category', detail: `${example.label} → ${findings.map((finding) => finding.category).join(',')}` });
    } else if (harmful) {
      confusion.falseNegatives++;
      errors.push({ detector: 'harmful_content', id: example.id, kind: 'false_negative', detail: example.label });
    } else if (flagged) {
      confusion.falsePositives++;
      errors.push({ detector: 'harmful_content', id: example.id, kind: 'false_positive', detail: findings.map((finding) => finding.category).join(',') });
    } else {
      confusion.trueNegatives++;
    }
  }
  return { ...scoresOf(confusion), threshold, categoryAccuracy: detected === 0 ? 0 : rightCategory / detected };
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`${file}:${index + 1} is not valid JSON`);
      }
    });
}
