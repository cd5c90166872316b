import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { classifierReading, CONCEPT_FEATURES, FEATURE_BUCKETS, hashedAndConceptFeatures } from '../injection/hashed-features';
import { KNOWN_ATTACKS } from '../injection/known-attacks.corpus';
import { LinearTextClassifier, type EvidenceCombinerFile, type LinearModelFile } from '../injection/linear-text.classifier';
import { CLASSIFIER_SENTENCE_WINDOW_CHARS, COMBINED_TECHNIQUES, evidenceVector, PromptInjectionDetector } from '../injection/prompt-injection.detector';

/**
 * Trains the prompt-injection classifier (logistic regression, AdaGrad, L2) on the `dev`,
 * `holdout` and `fresh` splits of eval/injection.jsonl plus the known-attack corpus, never on a
 * blind split; the texts of the same splits of pii.jsonl and harmful.jsonl are extra negatives.
 * The threshold is the lowest one whose false-positive rate, on 5-fold out-of-fold predictions,
 * stays at or below MAX_FPR. Deterministic: same data, same model.
 *   node services/guardrails/dist/eval/train-injection-model.js           # writes models/injection-classifier.json
 *   node services/guardrails/dist/eval/train-injection-model.js --cv      # only measures, writes nothing
 *
 * `--cv` scores the whole detector (patterns + a classifier that never saw the row), two ways:
 * 5-fold over all rows, and leave-one-batch-out (train on the other batches, test on one: each
 * batch was written at a different time, so this is the closest to a set written by someone else).
 */
const TRAIN_SPLITS = new Set(['dev', 'holdout', 'fresh']);
const LEARNING_RATE = 0.5;
export const FOLDS = 5;
/** Defaults; `--epochs=`, `--l2=`, `--max-fpr=` override them for experiments with --cv. */
const settings = { epochs: 40, l2: 1e-5, maxFpr: 0.05, combinerFpr: 0.04, window: CLASSIFIER_SENTENCE_WINDOW_CHARS, monotone: 1 };
/** Benign text around each padded copy of a row (see paddedText), in characters. */
const PADDING_CHARS = 1600;

export interface TrainingExample {
  id: string;
  text: string;
  features: Map<number, number>;
  label: 0 | 1;
  /** Counts towards the threshold's false-positive rate (rows of injection.jsonl and the known attacks). */
  calibrates: boolean;
  /** When the row was written: `original` (dev/holdout), `fresh`, `dev2`, `dev3`…; `always` rows are in every training fold. */
  batch: string;
}

export interface TrainedWeights {
  bias: number;
  weights: Float64Array;
}

/** `dimensions`: one past the highest feature index (another feature layout than hashedFeatures', e.g. the harm model's). */
export function trainWeights(examples: readonly TrainingExample[], options: { epochs?: number; l2?: number; dimensions?: number } = {}): TrainedWeights {
  const epochs = options.epochs ?? settings.epochs;
  const l2 = options.l2 ?? settings.l2;
  const weights = new Float64Array(options.dimensions ?? FEATURE_BUCKETS + CONCEPT_FEATURES);
  const squares = new Float64Array(options.dimensions ?? FEATURE_BUCKETS + CONCEPT_FEATURES);
  let bias = 0;
  let biasSquares = 0;
  const sparse = examples.map((example) => ({ buckets: [...example.features.keys()], values: [...example.features.values()], label: example.label }));
  for (let epoch = 0; epoch < epochs; epoch++) {
    // A fixed permutation per epoch (no Math.random): reproducible.
    const order = sparse.map((_, index) => index).sort((a, b) => ((a * 7919 + epoch * 104729) % 1009) - ((b * 7919 + epoch * 104729) % 1009) || a - b);
    for (const index of order) {
      const { buckets, values, label } = sparse[index]!;
      let logit = bias;
      for (let at = 0; at < buckets.length; at++) logit += weights[buckets[at]!]! * values[at]!;
      const error = 1 / (1 + Math.exp(-logit)) - label;
      for (let at = 0; at < buckets.length; at++) {
        const bucket = buckets[at]!;
        const gradient = error * values[at]! + l2 * weights[bucket]!;
        squares[bucket]! += gradient * gradient;
        weights[bucket]! -= (LEARNING_RATE * gradient) / Math.sqrt(squares[bucket]! + 1e-8);
      }
      biasSquares += error * error;
      bias -= (LEARNING_RATE * error) / Math.sqrt(biasSquares + 1e-8);
    }
  }
  return { bias, weights };
}

/** The lowest threshold (at least `floor`) that keeps the false-positive rate of out-of-fold scores at or below `maxFpr`. */
export function thresholdFor(outOfFold: readonly { p: number; label: 0 | 1 }[], maxFpr = settings.maxFpr, floor = 0.5): number {
  const negatives = outOfFold.filter((row) => row.label === 0).map((row) => row.p).sort((a, b) => b - a);
  const allowed = Math.floor(negatives.length * maxFpr);
  return Math.max(floor, (negatives[allowed] ?? 0) + 1e-6);
}

export function probabilityOf(model: TrainedWeights, features: Map<number, number>): number {
  return 1 / (1 + Math.exp(-logitOf(model, features)));
}

/** The prompt-injection model file: the classifier, which reads concept features, and its evidence combiner. */
export function injectionModelFile(model: TrainedWeights, threshold: number, trainedOn: string, combiner: EvidenceCombinerFile): LinearModelFile {
  return {
    ...modelFile(model, threshold, trainedOn),
    description:
      'prompt-injection logistic regression over hashed words, word pairs, character 3-5-grams and the concepts of src/injection/concept.lexicon.ts (see src/injection/hashed-features.ts), and the combiner that weighs it against the phrase patterns',
    conceptFeatures: true,
    combiner,
  };
}

/** A linear model as stored: weights rounded to 4 decimals, those under 0.001 left out. */
export function modelFile(model: TrainedWeights, threshold: number, trainedOn: string): LinearModelFile {
  return {
    description: 'logistic regression over hashed words, word pairs and character 3-5-grams (see src/injection/hashed-features.ts)',
    trainedOn,
    bias: Math.round(model.bias * 1e4) / 1e4,
    threshold: Math.round(threshold * 1e4) / 1e4,
    weights: [...model.weights].flatMap((weight, bucket): [number, number][] => (Math.abs(weight) >= 1e-3 ? [[bucket, Math.round(weight * 1e4) / 1e4]] : [])),
  };
}

export function loadTrainingExamples(root: string): { examples: TrainingExample[]; injectionRows: number; otherRows: number } {
  const rows = trainingRows(root, 'injection.jsonl');
  // The PII and harmful-content sets are no injections: log lines, keys, order numbers, questions
  // about weapons. Negatives the injection set lacks; not part of the threshold's calibration.
  const otherText = [...trainingRows(root, 'pii.jsonl'), ...trainingRows(root, 'harmful.jsonl')];
  const example = (id: string, text: string, label: 0 | 1, calibrates: boolean, batch: string): TrainingExample => ({ id, text, features: hashedAndConceptFeatures(classifierReading(text)), label, calibrates, batch });
  const examples = [
    ...rows.map((row) => example(row.id, row.text, row.label === 'injection' ? 1 : 0, true, batchOf(row.id))),
    ...KNOWN_ATTACKS.map((text, index) => example(`known-${index}`, text, 1, true, 'always')),
    ...otherText.map((row) => example(row.id, row.text, 0, false, 'always')),
  ];
  return { examples, injectionRows: rows.length, otherRows: otherText.length };
}

function batchOf(id: string): string {
  const batch = /^inj-(dev\d+|f)/.exec(id)?.[1];
  return batch === undefined ? 'original' : batch === 'f' ? 'fresh' : batch;
}

/** Out-of-fold logits of every calibrating example, and the model of each fold. */
export function crossValidate(examples: readonly TrainingExample[]): { outOfFold: Map<TrainingExample, number>; models: TrainedWeights[] } {
  const outOfFold = new Map<TrainingExample, number>();
  const models: TrainedWeights[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const model = trainWeights(examples.filter((_, index) => index % FOLDS !== fold));
    models.push(model);
    examples.forEach((example, index) => {
      if (index % FOLDS === fold && example.calibrates) outOfFold.set(example, logitOf(model, example.features));
    });
  }
  return { outOfFold, models };
}

export function logitOf(model: TrainedWeights, features: Map<number, number>): number {
  let logit = model.bias;
  for (const [bucket, value] of features) logit += model.weights[bucket]! * value;
  return logit;
}

const COMBINER_ITERATIONS = 3000;
const COMBINER_RATE = 0.5;
const COMBINER_L2 = 1e-3;

/**
 * Fits the evidence combiner (a logistic regression on a dozen numbers, full-batch gradient
 * descent) on rows whose classifier logit is out-of-fold, so it learns how far to trust the
 * classifier on text it has not seen; its threshold keeps the false-positive rate of those rows
 * at or below MAX_FPR.
 */
export function fitCombiner(rows: readonly { vector: number[]; label: 0 | 1 }[], options: { nonNegative?: number } = {}): EvidenceCombinerFile {
  const size = rows[0]?.vector.length ?? 0;
  const weights = new Array<number>(size).fill(0);
  let bias = 0;
  for (let iteration = 0; iteration < COMBINER_ITERATIONS; iteration++) {
    const gradient = new Array<number>(size).fill(0);
    let biasGradient = 0;
    for (const { vector, label } of rows) {
      let logit = bias;
      for (let at = 0; at < size; at++) logit += weights[at]! * vector[at]!;
      const error = 1 / (1 + Math.exp(-logit)) - label;
      for (let at = 0; at < size; at++) gradient[at]! += error * vector[at]!;
      biasGradient += error;
    }
    for (let at = 0; at < size; at++) weights[at]! -= COMBINER_RATE * (gradient[at]! / rows.length + COMBINER_L2 * weights[at]!);
    // Projected: evidence that may only raise the score stays at weight 0 or more.
    for (let at = 0; at < (options.nonNegative ?? 0); at++) weights[at] = Math.max(0, weights[at]!);
    bias -= (COMBINER_RATE * biasGradient) / rows.length;
  }
  const scored = rows.map(({ vector, label }) => ({ p: probabilityOfVector(vector, { bias, weights, threshold: 0 }), label }));
  return { bias: round4(bias), weights: weights.map(round4), threshold: round4(thresholdFor(scored, settings.combinerFpr, 0.05)) };
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

export interface Calibration {
  example: TrainingExample;
  logit: number;
  /** The best sentence window's logit; absent = the text's own (windows off, or a short text). */
  windowLogit?: number;
  /** The row inside a long benign text (paddedText) rather than as written. */
  padded?: boolean;
  /** Evidence of the patterns (they do not depend on the classifier). */
  evidence: { signals: ReturnType<PromptInjectionDetector['evidence']>['signals']; discussed: boolean };
}

export function calibrationRows(examples: readonly TrainingExample[], outOfFold: ReadonlyMap<TrainingExample, number>): Calibration[] {
  const patterns = new PromptInjectionDetector();
  return examples.filter((example) => outOfFold.has(example)).map((example) => ({ example, logit: outOfFold.get(example)!, evidence: patterns.evidence(example.text) }));
}

const NO_COMBINER: EvidenceCombinerFile = { bias: 0, weights: [], threshold: 0.5 };

/**
 * The combiner's calibration rows: every calibrating example as written, each with the logits of
 * the fold model that never saw it (whole text and best sentence window, as the detector computes
 * them); with sentence windows on, also inside ~1.6 KB of benign text (before, after or around it),
 * the rows that set the window threshold (combinerFor).
 */
function combinerRows(examples: readonly TrainingExample[], models: readonly TrainedWeights[], threshold: number): Calibration[] {
  const patterns = new PromptInjectionDetector();
  const classifiers = models.map((model) => new LinearTextClassifier(injectionModelFile(model, threshold, 'cv', NO_COMBINER), undefined, settings.window));
  const filler = fillerByFold(examples);
  const rows: Calibration[] = [];
  examples.forEach((example, index) => {
    if (!example.calibrates) return;
    const fold = index % FOLDS;
    for (const padded of settings.window > 0 ? [false, true] : [false]) {
      const evidence = patterns.evidence(padded ? paddedText(example.text, index, filler[fold]!) : example.text);
      const { whole, windows } = classifiers[fold]!.logits(evidence.reading);
      rows.push({ example, logit: whole, windowLogit: windows, padded, evidence });
    }
  });
  return rows;
}

/** Per fold, the benign texts of pii.jsonl and harmful.jsonl in it: filler the fold's model never trained on. */
function fillerByFold(examples: readonly TrainingExample[]): string[][] {
  const filler = Array.from({ length: FOLDS }, () => [] as string[]);
  examples.forEach((example, index) => {
    if (!example.calibrates && example.label === 0) filler[index % FOLDS]!.push(example.text);
  });
  return filler;
}

/** `text` inside ~PADDING_CHARS of benign lines: after them, before them or between them, by `index`. */
function paddedText(text: string, index: number, filler: readonly string[]): string {
  let padding = '';
  for (let next = index; padding.length < PADDING_CHARS; next++) padding += `${filler[next % filler.length]!}\n`;
  const place = index % 3;
  if (place === 0) return `${padding}${text}`;
  if (place === 1) return `${text}\n${padding}`;
  const middle = padding.indexOf('\n', padding.length >> 1) + 1;
  return `${padding.slice(0, middle)}${text}\n${padding.slice(middle)}`;
}

/**
 * The combiner, fitted on the rows as written; with sentence windows on, also its window
 * threshold: the lowest (not below its own) that keeps the false-positive rate of the padded
 * rows, scored with their best window's logit, at or below the combiner's.
 */
function combinerFor(rows: readonly Calibration[]): EvidenceCombinerFile {
  const combiner = fitCombiner(
    rows.filter((row) => !row.padded).map(({ evidence, logit, example }) => ({ vector: evidenceVector(evidence, logit), label: example.label })),
    { nonNegative: settings.monotone ? COMBINED_TECHNIQUES.length + 1 : 0 },
  );
  if (settings.window <= 0) return combiner;
  const padded = rows
    .filter((row) => row.padded)
    .map(({ evidence, logit, windowLogit, example }) => ({ p: probabilityOfVector(evidenceVector(evidence, Math.max(logit, windowLogit ?? logit)), combiner), label: example.label }));
  return { ...combiner, windowThreshold: round4(thresholdFor(padded, settings.combinerFpr, combiner.threshold)) };
}

function probabilityOfVector(vector: readonly number[], combiner: EvidenceCombinerFile): number {
  return 1 / (1 + Math.exp(-vector.reduce((sum, value, at) => sum + (combiner.weights[at] ?? 0) * value, combiner.bias)));
}

interface DetectorCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  misses: string[];
}

function scoreDetector(detector: PromptInjectionDetector, rows: readonly TrainingExample[], counts: DetectorCounts, textOf: (row: TrainingExample) => string = (row) => row.text): void {
  for (const row of rows) {
    if (row.batch === 'always') continue;
    const { score, signals } = detector.assess(textOf(row));
    const flagged = score >= 0.5;
    const why = `${row.id} ${score} ${signals.map((signal) => `${signal.technique}:${signal.score.toFixed(2)}`).join(',')}`;
    if (row.label === 1 && flagged) counts.tp++;
    else if (row.label === 1) (counts.fn++, counts.misses.push(`FN ${why}`));
    else if (flagged) (counts.fp++, counts.misses.push(`FP ${why}`));
    else counts.tn++;
  }
}

function describe(name: string, counts: DetectorCounts): string {
  const recall = counts.tp / Math.max(1, counts.tp + counts.fn);
  const fpr = counts.fp / Math.max(1, counts.fp + counts.tn);
  return `${name.padEnd(22)} recall ${recall.toFixed(3)} (${counts.tp}/${counts.tp + counts.fn})  FPR ${fpr.toFixed(3)} (${counts.fp}/${counts.fp + counts.tn})`;
}

/**
 * The detector's numbers on rows its classifier and combiner never saw. Leave-one-batch-out
 * fits the combiner on the other batches' out-of-fold logits, whose 5-fold models did see the
 * left-out batch: a small leak into a dozen weights, none into the classifier.
 */
function crossValidationReport(examples: readonly TrainingExample[], verbose: boolean): string {
  const lines: string[] = [];
  const { outOfFold, models } = crossValidate(examples);
  const threshold = thresholdFor(calibrationRows(examples, outOfFold).map(({ logit, example }) => ({ p: 1 / (1 + Math.exp(-logit)), label: example.label })));
  const calibration = combinerRows(examples, models, threshold);
  const indexOf = new Map(examples.map((example, index) => [example, index]));
  const filler = fillerByFold(examples);
  const padded = (row: TrainingExample) => paddedText(row.text, indexOf.get(row)!, filler[indexOf.get(row)! % FOLDS]!);
  const empty = (): DetectorCounts => ({ tp: 0, fp: 0, fn: 0, tn: 0, misses: [] });
  const detectorOf = (model: TrainedWeights, combiner: EvidenceCombinerFile) =>
    new PromptInjectionDetector(undefined, new LinearTextClassifier(injectionModelFile(model, threshold, 'cv', combiner), undefined, settings.window));
  const [kFold, kFoldPadded] = [empty(), empty()];
  for (let fold = 0; fold < FOLDS; fold++) {
    const detector = detectorOf(models[fold]!, combinerFor(calibration.filter((row) => indexOf.get(row.example)! % FOLDS !== fold)));
    const test = examples.filter((example) => indexOf.get(example)! % FOLDS === fold);
    scoreDetector(detector, test, kFold);
    scoreDetector(detector, test, kFoldPadded, padded);
  }
  const full = combinerFor(calibration);
  lines.push(
    `classifier threshold ${threshold.toFixed(4)}; combiner ${JSON.stringify(full)} (FPR <= ${settings.maxFpr}, combiner FPR <= ${settings.combinerFpr}, epochs ${settings.epochs}, L2 ${settings.l2}, sentence windows ${settings.window})`,
    describe(`detector ${FOLDS}-fold`, kFold),
    describe(`  inside ${PADDING_CHARS} chars`, kFoldPadded),
  );
  if (verbose) lines.push(...kFold.misses.map((miss) => `  ${miss}`));
  const batches = [...new Set(examples.map((example) => example.batch))].filter((batch) => batch !== 'always');
  const [total, totalPadded] = [empty(), empty()];
  for (const batch of batches) {
    const model = trainWeights(examples.filter((example) => example.batch !== batch));
    const detector = detectorOf(model, combinerFor(calibration.filter((row) => row.example.batch !== batch)));
    const [counts, countsPadded] = [empty(), empty()];
    const test = examples.filter((example) => example.batch === batch);
    scoreDetector(detector, test, counts);
    scoreDetector(detector, test, countsPadded, padded);
    lines.push(`${describe(`leave out ${batch}`, counts)}   inside ${PADDING_CHARS}: ${describe('', countsPadded).trim()}`);
    if (verbose) lines.push(...counts.misses.map((miss) => `  ${miss}`));
    for (const key of ['tp', 'fp', 'fn', 'tn'] as const) (total[key] += counts[key]), (totalPadded[key] += countsPadded[key]);
  }
  lines.push(describe('leave-one-batch-out', total), describe(`  inside ${PADDING_CHARS} chars`, totalPadded));
  return `${lines.join('\n')}\n`;
}

function main(argv: readonly string[]): void {
  for (const [flag, key] of [['--epochs=', 'epochs'], ['--l2=', 'l2'], ['--max-fpr=', 'maxFpr'], ['--combiner-fpr=', 'combinerFpr'], ['--window=', 'window'], ['--monotone=', 'monotone']] as const) {
    const value = argv.find((arg) => arg.startsWith(flag));
    if (value !== undefined) settings[key] = Number(value.slice(flag.length));
  }
  const root = path.resolve(__dirname, '../..');
  const { examples, injectionRows, otherRows } = loadTrainingExamples(root);
  if (argv.includes('--cv')) {
    process.stdout.write(crossValidationReport(examples, argv.includes('--errors')));
    return;
  }
  const { outOfFold, models } = crossValidate(examples);
  const labelled = calibrationRows(examples, outOfFold).map(({ logit, example }) => ({ p: 1 / (1 + Math.exp(-logit)), label: example.label }));
  const threshold = thresholdFor(labelled);
  const caught = labelled.filter((row) => row.label === 1 && row.p >= threshold).length / labelled.filter((row) => row.label === 1).length;
  const trainedOn = `eval/injection.jsonl splits ${[...TRAIN_SPLITS].join(', ')} (${injectionRows}) + ${KNOWN_ATTACKS.length} known attacks + ${otherRows} texts of pii.jsonl and harmful.jsonl (same splits) as negatives; classifier alone: out-of-fold recall ${caught.toFixed(3)} at FPR <= ${settings.maxFpr}; combiner weights of pattern evidence kept >= 0, sentence windows ${settings.window}`;
  const file = injectionModelFile(trainWeights(examples), threshold, trainedOn, combinerFor(combinerRows(examples, models, threshold)));
  const out = path.join(root, 'models/injection-classifier.json');
  writeFileSync(out, `${JSON.stringify(file)}\n`);
  process.stdout.write(`${file.trainedOn}; threshold ${file.threshold}; ${file.weights.length} weights → ${path.relative(process.cwd(), out)}\n`);
}

function trainingRows(root: string, file: string): { id: string; split: string; label: string; text: string }[] {
  return readFileSync(path.join(root, 'eval', file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id: string; split: string; label: string; text: string })
    .filter((row) => TRAIN_SPLITS.has(row.split));
}

if (require.main === module) main(process.argv.slice(2));
