import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_EMBEDDING_MODEL_DIR, OnnxSentenceEmbedder, type EmbeddingModelVariant } from '@llmops/embeddings';
import { classifierReading } from '../injection/hashed-features';
import { LinearTextClassifier } from '../injection/linear-text.classifier';
import { combinedScore, evidenceVector, PromptInjectionDetector } from '../injection/prompt-injection.detector';
import {
  calibrationRows,
  crossValidate,
  fitCombiner,
  FOLDS,
  injectionModelFile,
  logitOf,
  loadTrainingExamples,
  thresholdFor,
  trainWeights,
  type Calibration,
  type TrainedWeights,
  type TrainingExample,
} from './train-injection-model';

/**
 * Experiment (issue 5): do all-MiniLM-L6-v2 sentence embeddings, as a slow-tier input, make the
 * injection detector generalise better to text of another batch? Same rows, folds, batches and
 * combiner rule (out-of-fold FPR <= 0.04) as `train-injection-model.js --cv`; only the training
 * splits (dev, holdout, fresh) are read, unless --score-split names others. Writes nothing but
 * its embedding cache of training texts in /tmp.
 *   node services/guardrails/dist/eval/injection-embedding.experiment.js [--variant=int8|fp32]
 *     [--emb-l2=1e-5] [--emb-epochs=40] [--knn=5] [--langs] [--strict] [--long [--window=480] [--classifier-window=480] [--hashed-only]] [--latency]
 *     [--score-split=a,b --extra=knn|head|head+knn]   # the chosen variant on named splits, once
 */
const REPO_ROOT = path.resolve(__dirname, '../../../..');
const GUARDRAILS_ROOT = path.resolve(__dirname, '../..');
const TRAIN_SPLITS = new Set(['dev', 'holdout', 'fresh']);
const DIMENSIONS = 384;
const LOGIT_SCALE = 4;
const LOGIT_LIMIT = 12;

const options = { variant: 'int8' as EmbeddingModelVariant, embL2: 1e-5, embEpochs: 40, knn: 5, window: 480, classifierWindow: 480 };

interface Row {
  example: TrainingExample;
  /** Index in the trainer's example list: its 5-fold fold is index % FOLDS. */
  index: number;
  vector: Float32Array;
  lang: string;
  hardNegative: boolean;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** The extra combiner inputs of a variant, from the embedding head's logit and the kNN margin of a row. */
type Extra = (head: number, knn: number) => number[];

const VARIANTS: readonly { name: string; base: boolean; extra: Extra }[] = [
  { name: 'baseline (patterns + hashed LR)', base: true, extra: () => [] },
  { name: 'embedding head alone', base: false, extra: (head) => [clampLogit(head)] },
  { name: 'kNN margin alone', base: false, extra: (_, knn) => [knn] },
  { name: 'baseline + embedding head', base: true, extra: (head) => [clampLogit(head)] },
  { name: 'baseline + kNN margin', base: true, extra: (_, knn) => [knn] },
  { name: 'baseline + head + kNN', base: true, extra: (head, knn) => [clampLogit(head), knn] },
];

function clampLogit(logit: number): number {
  return Math.max(-LOGIT_LIMIT, Math.min(LOGIT_LIMIT, logit)) / LOGIT_SCALE;
}

/** Embeds every text once; vectors are kept in /tmp keyed by the text's hash, so reruns cost nothing. */
async function embedAll(texts: readonly string[], variant: EmbeddingModelVariant): Promise<Map<string, Float32Array>> {
  const cacheFile = `/tmp/injection-embedding-cache.${variant}.json`;
  const cached = new Map<string, Float32Array>();
  if (existsSync(cacheFile)) {
    for (const [key, base64] of Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>)) {
      const bytes = Buffer.from(base64, 'base64');
      cached.set(key, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
  }
  const missing = [...new Set(texts)].filter((text) => !cached.has(keyOf(text)));
  if (missing.length > 0) {
    const embedder = await OnnxSentenceEmbedder.load({ modelDir: path.join(REPO_ROOT, DEFAULT_EMBEDDING_MODEL_DIR), variant, threads: 1 });
    const started = Date.now();
    for (let start = 0; start < missing.length; start += 64) {
      const batch = missing.slice(start, start + 64);
      const vectors = await embedder.embed(batch);
      batch.forEach((text, at) => cached.set(keyOf(text), vectors[at]!));
      process.stderr.write(`\rembedded ${Math.min(start + 64, missing.length)}/${missing.length} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    process.stderr.write('\n');
    await embedder.close();
    const stored: Record<string, string> = {};
    for (const [key, vector] of cached) stored[key] = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
    writeFileSync(cacheFile, JSON.stringify(stored));
  }
  return new Map(texts.map((text) => [text, cached.get(keyOf(text))!]));
}

function keyOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Language and hard-negative mark of the training rows of injection.jsonl (blind splits dropped unread). */
function rowFacts(): Map<string, { lang: string; hardNegative: boolean }> {
  const facts = new Map<string, { lang: string; hardNegative: boolean }>();
  for (const line of readFileSync(path.join(GUARDRAILS_ROOT, 'eval/injection.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { id: string; split: string; lang?: string; hard_negative?: boolean };
    if (TRAIN_SPLITS.has(row.split)) facts.set(row.id, { lang: row.lang ?? '?', hardNegative: row.hard_negative === true });
  }
  return facts;
}

function featuresOf(vector: Float32Array): Map<number, number> {
  return new Map(Array.from(vector, (value, at) => [at, value]));
}

function headLogit(model: TrainedWeights, vector: Float32Array): number {
  let logit = model.bias;
  for (let at = 0; at < vector.length; at++) logit += model.weights[at]! * vector[at]!;
  return logit;
}

function trainHead(rows: readonly Row[]): TrainedWeights {
  const examples = rows.map(({ example, vector }) => ({ ...example, features: featuresOf(vector) }));
  return trainWeights(examples, { dimensions: DIMENSIONS, l2: options.embL2, epochs: options.embEpochs });
}

/**
 * Mean cosine of the k nearest training attacks minus that of the k nearest training benign
 * texts (injection benign rows and the PII / harmful negatives), scaled ×4 to the combiner's range.
 */
function knnMargin(training: readonly Row[], vector: Float32Array): number {
  const attacks: number[] = [];
  const benign: number[] = [];
  for (const row of training) {
    let cosine = 0;
    for (let at = 0; at < DIMENSIONS; at++) cosine += row.vector[at]! * vector[at]!;
    (row.example.label === 1 ? attacks : benign).push(cosine);
  }
  const topMean = (values: number[]): number => {
    values.sort((a, b) => b - a);
    const top = values.slice(0, options.knn);
    return top.reduce((sum, value) => sum + value, 0) / Math.max(1, top.length);
  };
  return 4 * (topMean(attacks) - topMean(benign));
}

/** Scores of the rows of `test` from models trained on `training`. */
function sideScores(training: readonly Row[], test: readonly Row[]): Map<Row, { head: number; knn: number }> {
  const head = trainHead(training);
  return new Map(test.map((row) => [row, { head: headLogit(head, row.vector), knn: knnMargin(training, row.vector) }]));
}

/**
 * For leave-one-batch-out with `left` out: each row of another batch scored by the hashed
 * classifier, the embedding head and kNN trained without `left` and without the row's own batch.
 */
function nestedCalibration(rows: readonly Row[], batches: readonly string[], left: string): Map<Row, { logit: number; head: number; knn: number }> {
  const scores = new Map<Row, { logit: number; head: number; knn: number }>();
  for (const batch of batches.filter((other) => other !== left)) {
    const training = rows.filter((row) => row.example.batch !== left && row.example.batch !== batch);
    const test = rows.filter((row) => row.example.batch === batch);
    const hashed = trainWeights(training.map((row) => row.example));
    for (const [row, side] of sideScores(training, test)) scores.set(row, { logit: logitOf(hashed, row.example.features), ...side });
  }
  return scores;
}

function add(counts: Counts, label: 0 | 1, flag: boolean): void {
  if (label === 1) counts[flag ? 'tp' : 'fn']++;
  else counts[flag ? 'fp' : 'tn']++;
}

function describe(counts: Counts): string {
  const recall = counts.tp / Math.max(1, counts.tp + counts.fn);
  const fpr = counts.fp / Math.max(1, counts.fp + counts.tn);
  return `${recall.toFixed(3)} @ ${fpr.toFixed(3)}`;
}

function emptyCounts(): Counts {
  return { tp: 0, fp: 0, fn: 0, tn: 0 };
}

interface Setting {
  name: string;
  /** Rows scored in this setting. */
  test: (row: Row) => boolean;
  /** The hashed classifier trained without the test rows. */
  hashed: TrainedWeights;
}

async function main(argv: readonly string[]): Promise<void> {
  for (const [flag, key] of [['--emb-l2=', 'embL2'], ['--emb-epochs=', 'embEpochs'], ['--knn=', 'knn'], ['--window=', 'window'], ['--classifier-window=', 'classifierWindow']] as const) {
    const value = argv.find((arg) => arg.startsWith(flag));
    if (value !== undefined) options[key] = Number(value.slice(flag.length));
  }
  const variant = argv.find((arg) => arg.startsWith('--variant='))?.slice('--variant='.length);
  if (variant === 'fp32' || variant === 'int8') options.variant = variant;
  if (argv.includes('--latency')) return latency();

  const { examples } = loadTrainingExamples(GUARDRAILS_ROOT);
  const vectors = await embedAll(
    examples.map((example) => example.text),
    options.variant,
  );
  const facts = rowFacts();
  const rows: Row[] = examples.map((example, index) => ({ example, index, vector: vectors.get(example.text)!, lang: facts.get(example.id)?.lang ?? '-', hardNegative: facts.get(example.id)?.hardNegative ?? false }));
  const rowOf = new Map(rows.map((row) => [row.example, row]));

  // The trainer's 5-fold out-of-fold logits and the patterns' evidence: the baseline's calibration.
  const { outOfFold, models } = crossValidate(examples);
  const calibration: Calibration[] = calibrationRows(examples, outOfFold);
  const threshold = thresholdFor(calibration.map(({ logit, example }) => ({ p: 1 / (1 + Math.exp(-logit)), label: example.label })));
  // The embedding head's and kNN's out-of-fold scores, on the same folds.
  const outOfFoldSide = new Map<Row, { head: number; knn: number }>();
  for (let fold = 0; fold < FOLDS; fold++) {
    for (const [row, score] of sideScores(
      rows.filter((row) => row.index % FOLDS !== fold),
      rows.filter((row) => row.index % FOLDS === fold && row.example.calibrates),
    ))
      outOfFoldSide.set(row, score);
  }
  const evidenceOf = new Map(calibration.map((entry) => [entry.example, entry.evidence]));
  if (argv.includes('--long') && argv.includes('--hashed-only')) return longTextsBaseline(rows, models, calibration, threshold);
  if (argv.includes('--long')) return longTexts(rows, models, calibration, outOfFoldSide, threshold);
  const scoreSplits = argv.find((arg) => arg.startsWith('--score-split='))?.slice('--score-split='.length);
  if (scoreSplits !== undefined) {
    const extra = argv.find((arg) => arg.startsWith('--extra='))?.slice('--extra='.length) ?? 'knn';
    const chosen = VARIANTS.find((variant) => variant.base && variant.name === { knn: 'baseline + kNN margin', head: 'baseline + embedding head', 'head+knn': 'baseline + head + kNN' }[extra]);
    if (!chosen) throw new Error(`--extra must be knn, head or head+knn, not ${extra}`);
    return scoreSplitsOnce(scoreSplits.split(','), chosen, rows, calibration.map((entry) => ({ ...entry, side: outOfFoldSide.get(rowOf.get(entry.example)!)! })));
  }

  const batches = [...new Set(examples.map((example) => example.batch))].filter((batch) => batch !== 'always');
  const settings: Setting[] = [
    ...models.map((hashed, fold) => ({ name: `fold ${fold}`, test: (row: Row) => row.index % FOLDS === fold, hashed })),
    ...batches.map((batch) => ({ name: `leave out ${batch}`, test: (row: Row) => row.example.batch === batch, hashed: trainWeights(examples.filter((example) => example.batch !== batch)) })),
  ];

  const strict = argv.includes('--strict');
  const pooled = VARIANTS.map(() => ({ kFold: [] as { p: number; label: 0 | 1 }[], lobo: [] as { p: number; label: 0 | 1 }[] }));
  const results = VARIANTS.map(() => new Map<string, Counts>());
  const perLang = VARIANTS.map(() => ({ kFold: new Map<string, Counts>(), lobo: new Map<string, Counts>() }));
  const hardNegatives = VARIANTS.map(() => ({ kFold: emptyCounts(), lobo: emptyCounts() }));
  for (const setting of settings) {
    const isFold = setting.name.startsWith('fold');
    const test = rows.filter((row) => setting.test(row) && row.example.batch !== 'always');
    // As the trainer does: 'always' rows (known attacks, PII / harmful negatives) train in every batch, and in 4 of 5 folds.
    const side = sideScores(
      rows.filter((row) => !setting.test(row)),
      test,
    );
    const classifier = new LinearTextClassifier(injectionModelFile(setting.hashed, threshold, 'cv', { bias: 0, weights: [], threshold: 0.5 }));
    const hashedLogits = new Map(test.map((row) => [row, classifier.logit(classifierReading(row.example.text))]));
    // --strict: in leave-one-batch-out, the combiner learns from logits of models that never saw
    // the row's own batch either (nested), so it learns how far each score carries to a new batch.
    const strictBatch = strict && !isFold ? setting.name.slice('leave out '.length) : undefined;
    const nested = strictBatch === undefined ? undefined : nestedCalibration(rows, batches, strictBatch);
    const fitRows = calibration
      .filter((entry) => !setting.test(rowOf.get(entry.example)!))
      .map((entry) => {
        const inner = nested?.get(rowOf.get(entry.example)!);
        return inner === undefined ? { ...entry, side: outOfFoldSide.get(rowOf.get(entry.example)!)! } : { ...entry, logit: inner.logit, side: inner };
      });
    VARIANTS.forEach((variant, at) => {
      const vectorOf = (evidence: Calibration['evidence'], logit: number, scores: { head: number; knn: number }): number[] => [
        ...(variant.base ? evidenceVector(evidence, logit) : []),
        ...variant.extra(scores.head, scores.knn),
      ];
      const combiner = fitCombiner(fitRows.map((entry) => ({ vector: vectorOf(entry.evidence, entry.logit, entry.side), label: entry.example.label })));
      const counts = emptyCounts();
      for (const row of test) {
        const score = combinedScore(vectorOf(evidenceOf.get(row.example)!, hashedLogits.get(row)!, side.get(row)!), combiner);
        const flag = Math.round(score * 1000) / 1000 >= 0.5;
        (isFold ? pooled[at]!.kFold : pooled[at]!.lobo).push({ p: score, label: row.example.label });
        add(counts, row.example.label, flag);
        const byLang = isFold ? perLang[at]!.kFold : perLang[at]!.lobo;
        if (!byLang.has(row.lang)) byLang.set(row.lang, emptyCounts());
        add(byLang.get(row.lang)!, row.example.label, flag);
        if (row.hardNegative) add(isFold ? hardNegatives[at]!.kFold : hardNegatives[at]!.lobo, 0, flag);
      }
      results[at]!.set(setting.name, counts);
    });
  }

  const sum = (counts: Counts[]): Counts => counts.reduce((total, next) => ({ tp: total.tp + next.tp, fp: total.fp + next.fp, fn: total.fn + next.fn, tn: total.tn + next.tn }), emptyCounts());
  const out: string[] = [
    `${strict ? 'STRICT (nested leave-one-batch-out calibration of the combiner); ' : ''}embeddings: all-MiniLM-L6-v2 ${options.variant}; head L2 ${options.embL2}, ${options.embEpochs} epochs; kNN k=${options.knn}; classifier threshold ${threshold.toFixed(4)}`,
    `| variant | 5-fold | leave-one-batch-out | ${batches.map((batch) => `${batch} left out`).join(' | ')} | hard neg. FPR 5-fold / LOBO |`,
    `|---|---|---|${batches.map(() => '---').join('|')}|---|`,
  ];
  VARIANTS.forEach((variant, at) => {
    const byName = results[at]!;
    const kFold = sum([...byName].filter(([name]) => name.startsWith('fold')).map(([, counts]) => counts));
    const lobo = sum([...byName].filter(([name]) => name.startsWith('leave')).map(([, counts]) => counts));
    const { kFold: hk, lobo: hl } = hardNegatives[at]!;
    out.push(`| ${variant.name} | ${describe(kFold)} | ${describe(lobo)} | ${batches.map((batch) => describe(byName.get(`leave out ${batch}`)!)).join(' | ')} | ${(hk.fp / Math.max(1, hk.fp + hk.tn)).toFixed(3)} / ${(hl.fp / Math.max(1, hl.fp + hl.tn)).toFixed(3)} |`);
  });
  // Ranking quality without the threshold rule: recall where the pooled test scores reach a given
  // FPR. The threshold is read off the test rows themselves: a diagnostic, not a deployable number.
  out.push('', 'diagnostic: recall at a test FPR of 0.02 / 0.04 / 0.05 (pooled scores; threshold set on the test rows)', '| variant | 5-fold | leave-one-batch-out |', '|---|---|---|');
  VARIANTS.forEach((variant, at) => {
    const atFpr = (scores: { p: number; label: 0 | 1 }[]): string =>
      [0.02, 0.04, 0.05].map((fpr) => {
        const cut = thresholdFor(scores, fpr, 0);
        const positives = scores.filter((row) => row.label === 1);
        return (positives.filter((row) => row.p >= cut).length / positives.length).toFixed(3);
      }).join(' / ');
    out.push(`| ${variant.name} | ${atFpr(pooled[at]!.kFold)} | ${atFpr(pooled[at]!.lobo)} |`);
  });
  if (argv.includes('--langs')) {
    const langs = [...perLang[0]!.kFold.keys()].sort();
    out.push('', `per language, recall @ FPR, 5-fold / leave-one-batch-out`, `| lang | ${VARIANTS.map((variant) => variant.name).join(' | ')} |`);
    for (const lang of langs) out.push(`| ${lang} | ${perLang.map(({ kFold, lobo }) => `${describe(kFold.get(lang)!)} / ${describe(lobo.get(lang)!)}`).join(' | ')} |`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * The chosen variant trained on every training row (the shipped hashed classifier, a combiner
 * with the extra input fitted on out-of-fold scores, the head and kNN index on all rows), scored
 * on the named splits of injection.jsonl: aggregates only, no row is printed, nothing is cached.
 * Meant to be run once, by whoever owns the blind splits, on the variant cross-validation chose.
 */
async function scoreSplitsOnce(splits: readonly string[], variant: (typeof VARIANTS)[number], rows: readonly Row[], calibration: readonly (Calibration & { side: { head: number; knn: number } })[]): Promise<void> {
  const detector = new PromptInjectionDetector();
  const classifier = LinearTextClassifier.fromFile(path.join(GUARDRAILS_ROOT, 'models/injection-classifier.json'));
  const combiner = fitCombiner(calibration.map((entry) => ({ vector: [...evidenceVector(entry.evidence, entry.logit), ...variant.extra(entry.side.head, entry.side.knn)], label: entry.example.label })));
  const head = trainHead(rows);
  const out: string[] = [`${variant.name}: combiner ${JSON.stringify(combiner)}`];
  for (const split of splits) {
    const targets = readFileSync(path.join(GUARDRAILS_ROOT, 'eval/injection.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { split: string; label: string; text: string })
      .filter((row) => row.split === split);
    const embedder = await OnnxSentenceEmbedder.load({ modelDir: path.join(REPO_ROOT, DEFAULT_EMBEDDING_MODEL_DIR), variant: options.variant, threads: 1 });
    const vectors = await embedder.embed(targets.map((row) => row.text));
    await embedder.close();
    const shipped = emptyCounts();
    const withEmbeddings = emptyCounts();
    targets.forEach((row, at) => {
      const label = row.label === 'injection' ? 1 : 0;
      const evidence = detector.evidence(row.text);
      const vector = [...evidenceVector(evidence, classifier.logit(evidence.reading)), ...variant.extra(headLogit(head, vectors[at]!), knnMargin(rows, vectors[at]!))];
      add(shipped, label, detector.assess(row.text).score >= 0.5);
      add(withEmbeddings, label, Math.round(combinedScore(vector, combiner) * 1000) / 1000 >= 0.5);
    });
    out.push(`${split} (${targets.length}): shipped detector ${describe(shipped)}; ${variant.name} ${describe(withEmbeddings)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * Long texts, 5-fold: each test row appended to ~1.6 KB of benign filler (PII / harmful-content
 * negatives of the same fold, unseen by its models), the worst place for a first-256-token
 * embedding. Compares the baseline with baseline + kNN margin taken from the truncated text and
 * from sentence windows of <= 480 chars (~128 tokens, the size of the training rows), max-pooled.
 */
async function longTexts(rows: readonly Row[], models: readonly TrainedWeights[], calibration: readonly Calibration[], outOfFoldSide: ReadonlyMap<Row, { head: number; knn: number }>, threshold: number): Promise<void> {
  const patterns = new PromptInjectionDetector();
  const rowOf = new Map(rows.map((row) => [row.example, row]));
  const configs = ['baseline', 'baseline + kNN, first 256 tokens', `baseline + kNN, windows ${options.window}, max`, 'kNN alone, first 256 tokens', `kNN alone, windows ${options.window}, max`];
  const counts = configs.map(() => emptyCounts());
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = rows.filter((row) => row.index % FOLDS === fold && row.example.batch !== 'always');
    const longOf = paddedTexts(rows, test, fold);
    const windowsOfRow = new Map([...longOf].map(([row, text]) => [row, windowsOf(text, options.window)]));
    const vectors = await embedAll([...longOf.values(), ...[...windowsOfRow.values()].flat()], options.variant);
    const training = rows.filter((row) => row.index % FOLDS !== fold);
    const classifier = new LinearTextClassifier(injectionModelFile(models[fold]!, threshold, 'cv', { bias: 0, weights: [], threshold: 0.5 }), undefined, options.classifierWindow);
    const fitRows = calibration.filter((entry) => rowOf.get(entry.example)!.index % FOLDS !== fold);
    const base = fitCombiner(fitRows.map((entry) => ({ vector: evidenceVector(entry.evidence, entry.logit), label: entry.example.label })));
    const withKnn = fitCombiner(fitRows.map((entry) => ({ vector: [...evidenceVector(entry.evidence, entry.logit), outOfFoldSide.get(rowOf.get(entry.example)!)!.knn], label: entry.example.label })));
    const knnAlone = fitCombiner(fitRows.map((entry) => ({ vector: [outOfFoldSide.get(rowOf.get(entry.example)!)!.knn], label: entry.example.label })));
    for (const row of test) {
      const text = longOf.get(row)!;
      const evidence = patterns.evidence(text);
      const vector = evidenceVector(evidence, classifier.logit(evidence.reading));
      const truncated = knnMargin(training, vectors.get(text)!);
      const windowed = Math.max(...windowsOfRow.get(row)!.map((window) => knnMargin(training, vectors.get(window)!)));
      [combinedScore(vector, base), combinedScore([...vector, truncated], withKnn), combinedScore([...vector, windowed], withKnn), combinedScore([truncated], knnAlone), combinedScore([windowed], knnAlone)].forEach((score, at) => add(counts[at]!, row.example.label, Math.round(score * 1000) / 1000 >= 0.5));
    }
    process.stderr.write(`long texts: fold ${fold} done\n`);
  }
  process.stdout.write(`${configs.map((name, at) => `${name.padEnd(36)} 5-fold ${describe(counts[at]!)}`).join('\n')}\n`);
}

/** Each test row of `fold` after ~1.6 KB of the fold's benign filler (PII and harmful-content negatives). */
function paddedTexts(rows: readonly Row[], test: readonly Row[], fold: number): Map<Row, string> {
  const filler = rows.filter((row) => row.index % FOLDS === fold && row.example.batch === 'always' && row.example.label === 0).map((row) => row.example.text);
  return new Map(
    test.map((row, at) => {
      let text = '';
      for (let next = at; text.length < 1600; next++) text += `${filler[next % filler.length]!}\n`;
      return [row, `${text}${row.example.text}`];
    }),
  );
}

/**
 * The baseline row of longTexts alone (no embedding, seconds instead of minutes), with the
 * classifier's sentence windows of --classifier-window chars (0: whole text only), and the same
 * rows unpadded as a check that short texts score as before.
 */
function longTextsBaseline(rows: readonly Row[], models: readonly TrainedWeights[], calibration: readonly Calibration[], threshold: number): void {
  const patterns = new PromptInjectionDetector();
  const rowOf = new Map(rows.map((row) => [row.example, row]));
  const [padded, short] = [emptyCounts(), emptyCounts()];
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = rows.filter((row) => row.index % FOLDS === fold && row.example.batch !== 'always');
    const classifier = new LinearTextClassifier(injectionModelFile(models[fold]!, threshold, 'cv', { bias: 0, weights: [], threshold: 0.5 }), undefined, options.classifierWindow);
    const base = fitCombiner(calibration.filter((entry) => rowOf.get(entry.example)!.index % FOLDS !== fold).map((entry) => ({ vector: evidenceVector(entry.evidence, entry.logit), label: entry.example.label })));
    const flagged = (text: string): boolean => {
      const evidence = patterns.evidence(text);
      return Math.round(combinedScore(evidenceVector(evidence, classifier.logit(evidence.reading)), base) * 1000) / 1000 >= 0.5;
    };
    for (const [row, text] of paddedTexts(rows, test, fold)) {
      add(padded, row.example.label, flagged(text));
      add(short, row.example.label, flagged(row.example.text));
    }
  }
  process.stdout.write(`classifier window ${options.classifierWindow}\nbaseline, padded   5-fold ${describe(padded)}\nbaseline, unpadded 5-fold ${describe(short)}\n`);
}

/** Milliseconds to embed one 2 KB text on one thread: truncated to 256 tokens, and as windows of ~128 tokens. */
async function latency(): Promise<void> {
  const embedder = await OnnxSentenceEmbedder.load({ modelDir: path.join(REPO_ROOT, DEFAULT_EMBEDDING_MODEL_DIR), variant: options.variant, threads: 1, batchSize: 16 });
  const sentence = 'Please summarise the quarterly report for the board and list the open risks with their owners. ';
  const text = sentence.repeat(Math.ceil(2048 / sentence.length)).slice(0, 2048);
  const windows = windowsOf(text, 480);
  const smallWindows = windowsOf(text, 200);
  const time = async (texts: string[], runs: number): Promise<string> => {
    for (let run = 0; run < 3; run++) await embedder.embed(texts);
    const took: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = process.hrtime.bigint();
      await embedder.embed(texts);
      took.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    took.sort((a, b) => a - b);
    return `p50 ${took[Math.floor(runs / 2)]!.toFixed(1)} ms, p99 ${took[Math.floor(runs * 0.99)]!.toFixed(1)} ms`;
  };
  // kNN over an index the size of the training set (3 420 vectors), in plain JS.
  const index: Row[] = Array.from({ length: 3420 }, (_, at) => ({ example: { label: (at % 2) as 0 | 1 } as TrainingExample, index: at, vector: Float32Array.from({ length: DIMENSIONS }, (__, d) => Math.sin(at * 31 + d)), lang: '', hardNegative: false }));
  const probe = Float32Array.from({ length: DIMENSIONS }, (_, d) => Math.cos(d));
  for (let run = 0; run < 20; run++) knnMargin(index, probe);
  const knnStarted = process.hrtime.bigint();
  for (let run = 0; run < 200; run++) knnMargin(index, probe);
  const knnMs = Number(process.hrtime.bigint() - knnStarted) / 1e6 / 200;
  process.stdout.write(`kNN margin over 3 420 vectors: ${knnMs.toFixed(2)} ms mean\n`);
  process.stdout.write(`${options.variant}, 1 thread, 2 KB text:\n  first 256 tokens: ${await time([text], 60)}\n  ${windows.length} windows of <=480 chars (~128 tokens): ${await time(windows, 30)}\n  ${smallWindows.length} windows of <=200 chars (~50 tokens): ${await time(smallWindows, 30)}\n  one short prompt (90 chars): ${await time([sentence], 100)}\n`);
  await embedder.close();
}

/** Sentence windows: consecutive sentences packed up to `maxChars` (a longer sentence is cut). */
export function windowsOf(text: string, maxChars: number): string[] {
  const sentences = text.match(/[^.!?\n]+[.!?\n]*\s*/g) ?? [text];
  const windows: string[] = [];
  let current = '';
  for (const sentence of sentences.flatMap((piece) => (piece.length <= maxChars ? [piece] : (piece.match(new RegExp(`[\\s\\S]{1,${maxChars}}`, 'g')) ?? [])))) {
    if (current.length + sentence.length > maxChars && current !== '') (windows.push(current), (current = ''));
    current += sentence;
  }
  if (current.trim() !== '') windows.push(current);
  return windows;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
