import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { harmCategories, type HarmCategory } from '@llmops/config';
import { HARM_CONCEPT_FEATURES, HARM_CONCEPT_NAMES, HarmClassifierModel, harmConceptFeatures, harmReading, type CategoryHead, type HarmModelFile } from '../content/harm-classifier.model';
import { HarmfulContentClassifier } from '../content/harmful-content.classifier';
import { FEATURE_BUCKETS, hashedFeatures } from '../injection/hashed-features';
import { thresholdFor, trainWeights, type TrainedWeights, type TrainingExample } from './train-injection-model';

/**
 * Trains the harmful-content model (models/harm-classifier.json) with the injection model's
 * learner (logistic regression, AdaGrad, L2; train-injection-model.ts) over hashed text features
 * and harm concept pairs (harm-classifier.model.ts): a harmful-vs-safe head on the `dev`,
 * `holdout` and `fresh` splits of eval/harmful.jsonl, never a blind split, and one one-vs-rest
 * head per Llama Guard category, on the harmful rows only. The benign texts of injection.jsonl
 * and pii.jsonl (same splits) are extra negatives: without them one ordinary message in twenty
 * ("nobody listens to me anymore", a card number) is flagged. The threshold is the lowest whose
 * false-positive rate on 5-fold out-of-fold scores of harmful.jsonl stays at or below `maxFpr`
 * (below the issue's 5 %: the lexicon adds false positives of its own). Deterministic.
 *   node services/guardrails/dist/eval/train-harm-model.js           # writes models/harm-classifier.json
 *   node services/guardrails/dist/eval/train-harm-model.js --cv      # measures the whole classifier, writes nothing
 *
 * `--cv` scores lexicon + model on rows the model never saw: 5-fold (per split), and leave-one-
 * batch-out (each batch was written at a different time: the closest to text written by others).
 */
const TRAIN_SPLITS = new Set(['dev', 'holdout', 'fresh']);
const FOLDS = 5;
/** Defaults; `--epochs=`, `--l2=`, `--max-fpr=`, `--ordinary-every=` (train on every n-th ordinary text, 0: none) override them for experiments with --cv. */
const settings = { epochs: 40, l2: 1e-5, maxFpr: 0.03, ordinaryEvery: 1 };

interface HarmRow {
  id: string;
  split: string;
  label: HarmCategory | 'safe';
  text: string;
}

export interface HarmExample extends TrainingExample {
  /** The labelled category of a harmful row; undefined for safe rows and extra negatives. */
  category: HarmCategory | undefined;
  split: string;
}

/** Hashed buckets (L2-normalised) below FEATURE_BUCKETS, harm concept features (1) from it on: what HarmClassifierModel scores. */
export function harmFeatures(text: string): Map<number, number> {
  const reading = harmReading(text);
  const features = new Map([...hashedFeatures(reading)].filter(([bucket]) => bucket < FEATURE_BUCKETS));
  for (const feature of harmConceptFeatures(reading)) features.set(FEATURE_BUCKETS + feature, 1);
  return features;
}

const DIMENSIONS = FEATURE_BUCKETS + HARM_CONCEPT_FEATURES;
const HEAD_WEIGHTS = 2000;

export function loadHarmExamples(root: string): { examples: HarmExample[]; harmRows: number; otherRows: number } {
  const rows = trainingRows<HarmRow>(root, 'harmful.jsonl');
  const benign = [
    ...trainingRows<{ id: string; split: string; label: string; text: string }>(root, 'injection.jsonl').filter((row) => row.label === 'benign'),
    ...trainingRows<{ id: string; split: string; text: string }>(root, 'pii.jsonl'),
    // Technical prose and code (READMEs of permissively licensed npm packages, one package in two):
    // without it, "run it in your environment" read as code interpreter abuse (S14).
    ...trainingRows<{ id: string; split: string; text: string }>(root, 'technical.jsonl'),
  ];
  const example = (row: { id: string; split: string; text: string }, category: HarmCategory | undefined, calibrates: boolean, batch: string): HarmExample => ({
    id: row.id,
    text: row.text,
    features: harmFeatures(row.text),
    label: category ? 1 : 0,
    calibrates,
    batch,
    category,
    split: row.split,
  });
  const examples = [
    ...rows.map((row) => example(row, row.label === 'safe' ? undefined : row.label, true, batchOf(row.id))),
    ...benign.map((row) => example(row, undefined, false, 'ordinary')),
  ];
  return { examples, harmRows: rows.length, otherRows: benign.length };
}

function batchOf(id: string): string {
  if (id.startsWith('harm-dev2-')) return 'dev2';
  if (id.startsWith('harm-f')) return 'fresh';
  return 'original';
}

export interface TrainedHarmModel {
  detector: TrainedWeights;
  heads: Map<HarmCategory, TrainedWeights>;
}

export function trainHarmModel(examples: readonly HarmExample[]): TrainedHarmModel {
  const options = { epochs: settings.epochs, l2: settings.l2, dimensions: DIMENSIONS };
  const harmful = examples.filter((example) => example.category !== undefined);
  const heads = new Map<HarmCategory, TrainedWeights>();
  for (const category of harmCategories) {
    heads.set(category, trainWeights(harmful.map((example) => ({ ...example, label: example.category === category ? 1 : 0 })), options));
  }
  const ordinary = examples.filter((example) => !example.calibrates).filter((_, index) => settings.ordinaryEvery > 0 && index % settings.ordinaryEvery === 0);
  return { detector: trainWeights([...examples.filter((example) => example.calibrates), ...ordinary], options), heads };
}

export function harmModelFile(model: TrainedHarmModel, threshold: number, trainedOn: string): HarmModelFile {
  const categories: Partial<Record<HarmCategory, CategoryHead>> = {};
  for (const [category, head] of model.heads) {
    // The strongest weights only: the heads name a category, they do not decide; 14 full heads would be ~7 MB.
    const strongest = sparse(head.weights, 0.01).sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]) || x[0] - y[0]).slice(0, HEAD_WEIGHTS);
    categories[category] = { bias: round4(head.bias), weights: strongest.sort((x, y) => x[0] - y[0]) };
  }
  const weights = sparse(model.detector.weights, 1e-3);
  return {
    description:
      'harmful-content logistic regression (harmful vs safe) and one-vs-rest Llama Guard category heads over hashed words, word pairs and character 3-5-grams (src/injection/hashed-features.ts) and the concept pairs of src/content/harm.concepts.ts',
    trainedOn,
    bias: round4(model.detector.bias),
    threshold: round4(threshold),
    weights: weights.filter(([feature]) => feature < FEATURE_BUCKETS),
    conceptNames: [...HARM_CONCEPT_NAMES],
    concepts: weights.filter(([feature]) => feature >= FEATURE_BUCKETS).map(([feature, weight]) => [feature - FEATURE_BUCKETS, weight]),
    categories,
  };
}

function sparse(weights: Float64Array, floor: number): [number, number][] {
  return [...weights].flatMap((weight, feature): [number, number][] => (Math.abs(weight) >= floor ? [[feature, round4(weight)]] : []));
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function probabilityOf(model: TrainedWeights, features: ReadonlyMap<number, number>): number {
  let logit = model.bias;
  for (const [feature, value] of features) logit += model.weights[feature]! * value;
  return 1 / (1 + Math.exp(-logit));
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  rightCategory: number;
  misses: string[];
}

const emptyCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0, rightCategory: 0, misses: [] });

/** `ordinary`: also count the ordinary texts, into `ordinary`. */
function score(classifier: HarmfulContentClassifier, rows: readonly HarmExample[], counts: Counts, ordinary?: Counts): void {
  for (const row of rows) {
    if (!row.calibrates) {
      if (ordinary && classifier.classify(row.text).some((finding) => finding.score >= 0.5)) (ordinary.fp++, ordinary.misses.push(`FP ${row.id}`));
      else if (ordinary) ordinary.tn++;
      continue;
    }
    const findings = classifier.classify(row.text).filter((finding) => finding.score >= 0.5);
    const flagged = findings.length > 0;
    if (row.category && flagged) {
      counts.tp++;
      if (findings.some((finding) => finding.category === row.category)) counts.rightCategory++;
      else counts.misses.push(`CAT ${row.id} ${row.category} → ${findings.map((finding) => finding.category).join(',')}`);
    } else if (row.category) (counts.fn++, counts.misses.push(`FN ${row.id} ${row.category}`));
    else if (flagged) (counts.fp++, counts.misses.push(`FP ${row.id} ${findings.map((finding) => `${finding.category}:${finding.score}`).join(',')}`));
    else counts.tn++;
  }
}

function describe(name: string, counts: Counts): string {
  const recall = counts.tp / Math.max(1, counts.tp + counts.fn);
  const fpr = counts.fp / Math.max(1, counts.fp + counts.tn);
  return `${name.padEnd(26)} recall ${recall.toFixed(3)} (${counts.tp}/${counts.tp + counts.fn})  FPR ${fpr.toFixed(3)} (${counts.fp}/${counts.fp + counts.tn})  category ${(counts.rightCategory / Math.max(1, counts.tp)).toFixed(3)}`;
}

/** Fold models and the threshold their out-of-fold detection scores give. */
function crossValidate(examples: readonly HarmExample[]): { models: TrainedHarmModel[]; threshold: number; modelRecall: number } {
  const models: TrainedHarmModel[] = [];
  const outOfFold: { p: number; label: 0 | 1 }[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const model = trainHarmModel(examples.filter((_, index) => index % FOLDS !== fold));
    models.push(model);
    examples.forEach((example, index) => {
      if (index % FOLDS === fold && example.calibrates) outOfFold.push({ p: probabilityOf(model.detector, example.features), label: example.label });
    });
  }
  const threshold = thresholdFor(outOfFold, settings.maxFpr);
  const positives = outOfFold.filter((row) => row.label === 1);
  return { models, threshold, modelRecall: positives.filter((row) => row.p >= threshold).length / positives.length };
}

function crossValidationReport(examples: readonly HarmExample[], verbose: boolean): string {
  const { models, threshold } = crossValidate(examples);
  const lines = [`model threshold ${threshold.toFixed(4)} (out-of-fold FPR <= ${settings.maxFpr}, epochs ${settings.epochs}, L2 ${settings.l2})`];
  const lexicon = emptyCounts();
  score(new HarmfulContentClassifier(undefined, null), examples, lexicon);
  lines.push(describe('lexicon alone (all rows)', lexicon));
  const bySplit = new Map<string, Counts>();
  const total = emptyCounts();
  const ordinary = emptyCounts();
  for (let fold = 0; fold < FOLDS; fold++) {
    const classifier = new HarmfulContentClassifier(undefined, new HarmClassifierModel(harmModelFile(models[fold]!, threshold, 'cv')));
    for (const split of TRAIN_SPLITS) {
      const counts = bySplit.get(split) ?? emptyCounts();
      bySplit.set(split, counts);
      score(classifier, examples.filter((example, index) => index % FOLDS === fold && example.split === split), counts, ordinary);
    }
  }
  for (const [split, counts] of bySplit) {
    lines.push(describe(`${FOLDS}-fold, ${split}`, counts));
    if (verbose) lines.push(...counts.misses.map((miss) => `  ${miss}`));
    for (const key of ['tp', 'fp', 'fn', 'tn', 'rightCategory'] as const) total[key] += counts[key];
  }
  lines.push(describe(`${FOLDS}-fold, all`, total));
  const leftOut = emptyCounts();
  for (const batch of ['original', 'fresh', 'dev2']) {
    const model = trainHarmModel(examples.filter((example) => example.batch !== batch));
    const classifier = new HarmfulContentClassifier(undefined, new HarmClassifierModel(harmModelFile(model, threshold, 'cv')));
    const counts = emptyCounts();
    score(classifier, examples.filter((example) => example.batch === batch), counts);
    lines.push(describe(`leave out ${batch}`, counts));
    if (verbose) lines.push(...counts.misses.map((miss) => `  ${miss}`));
    for (const key of ['tp', 'fp', 'fn', 'tn', 'rightCategory'] as const) leftOut[key] += counts[key];
  }
  lines.push(describe('leave-one-batch-out', leftOut));
  lines.push(`${FOLDS}-fold, ordinary texts (benign rows of injection.jsonl, pii.jsonl; trained on every ${settings.ordinaryEvery || 'no'}th): FPR ${(ordinary.fp / Math.max(1, ordinary.fp + ordinary.tn)).toFixed(3)} (${ordinary.fp}/${ordinary.fp + ordinary.tn})`);
  if (verbose) lines.push(...ordinary.misses.map((miss) => `  ${miss}`));
  return `${lines.join('\n')}\n`;
}

function main(argv: readonly string[]): void {
  for (const [flag, key] of [['--epochs=', 'epochs'], ['--l2=', 'l2'], ['--max-fpr=', 'maxFpr'], ['--ordinary-every=', 'ordinaryEvery']] as const) {
    const value = argv.find((arg) => arg.startsWith(flag));
    if (value !== undefined) settings[key] = Number(value.slice(flag.length));
  }
  const root = path.resolve(__dirname, '../..');
  const { examples, harmRows } = loadHarmExamples(root);
  if (argv.includes('--cv')) {
    process.stdout.write(crossValidationReport(examples, argv.includes('--errors')));
    return;
  }
  const { threshold, modelRecall } = crossValidate(examples);
  const trainedOn = `eval/harmful.jsonl splits ${[...TRAIN_SPLITS].join(', ')} (${harmRows}); out-of-fold recall ${modelRecall.toFixed(3)} at FPR <= ${settings.maxFpr}`;
  const file = harmModelFile(trainHarmModel(examples), threshold, trainedOn);
  const out = path.join(root, 'models/harm-classifier.json');
  writeFileSync(out, `${JSON.stringify(file)}\n`);
  process.stdout.write(`${file.trainedOn}; threshold ${file.threshold}; ${file.weights.length} weights → ${path.relative(process.cwd(), out)}\n`);
}

function trainingRows<T extends { split: string }>(root: string, file: string): T[] {
  return readFileSync(path.join(root, 'eval', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T)
    .filter((row) => TRAIN_SPLITS.has(row.split));
}

if (require.main === module) main(process.argv.slice(2));
