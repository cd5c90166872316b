import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { harmCategories, type HarmCategory } from '@llmops/config';
import { ConceptScanner } from '../injection/concept.scanner';
import { accumulateFeatures, classifierReading, FEATURE_BUCKETS, TouchedBuckets } from '../injection/hashed-features';
import { LinearTextClassifier, type LinearModelFile } from '../injection/linear-text.classifier';
import { HARM_CONCEPTS, HARM_TOPICS } from './harm.concepts';

/** [feature, weight] pairs: hashed buckets below FEATURE_BUCKETS, harm concept features from it on. */
export interface CategoryHead {
  bias: number;
  weights: [number, number][];
}

/**
 * models/harm-classifier.json: a LinearModelFile (harmful vs safe over the hashed buckets, its
 * threshold chosen by cross-validation), the same head's weights of the harm concept features,
 * and one head per Llama Guard category, trained on harmful rows only, that names the category
 * when the lexicon does not.
 */
export interface HarmModelFile extends LinearModelFile {
  /** The concepts of harm.concepts.ts the model was trained with, in order: feature indices depend on it. */
  conceptNames: string[];
  /** [concept feature (0-based, see harmConceptFeatures), weight] pairs of the detection head. */
  concepts: [number, number][];
  categories: Partial<Record<HarmCategory, CategoryHead>>;
}

export interface HarmAssessment {
  /** The detection head's probability with its threshold moved to 0.5 (a shift of the logit); 0 without a harm topic. */
  score: number;
  /** The category head with the highest logit; only computed when the score reaches `categoryFrom`. */
  category?: HarmCategory;
}

/** Trained by src/eval/train-harm-model.ts; the same relative path from src/ and dist/. */
export const DEFAULT_HARM_MODEL_FILE = path.resolve(__dirname, '../../models/harm-classifier.json');
/** Characters read from each end of a long text, as LinearTextClassifier reads them. */
const WINDOW_CHARS = 4096;

export const HARM_CONCEPT_NAMES: readonly string[] = Object.keys(HARM_CONCEPTS);
const CONCEPT_COUNT = HARM_CONCEPT_NAMES.length;
/** Each concept, and each pair of concepts (the pair is what tells "kill" + "person" from "kill" + "process"). */
export const HARM_CONCEPT_FEATURES = CONCEPT_COUNT + (CONCEPT_COUNT * (CONCEPT_COUNT - 1)) / 2;
const conceptScanner = new ConceptScanner(HARM_CONCEPTS);
const TOPIC_MASK = HARM_TOPICS.reduce((mask, topic) => mask | (1 << HARM_CONCEPT_NAMES.indexOf(topic)), 0);

/** The harm concept features (0-based indices, value 1) of a classifier reading. */
export function harmConceptFeatures(reading: string): number[] {
  return conceptFeaturesOf(conceptScanner.conceptsIn(reading));
}

function conceptFeaturesOf(mask: number): number[] {
  if (mask === 0) return [];
  const present: number[] = [];
  for (let concept = 0; concept < CONCEPT_COUNT; concept++) if ((mask & (1 << concept)) !== 0) present.push(concept);
  const features = [...present];
  for (let first = 0; first < present.length; first++) {
    for (let second = first + 1; second < present.length; second++) {
      const a = present[first]!;
      features.push(CONCEPT_COUNT + a * CONCEPT_COUNT - (a * (a + 1)) / 2 + (present[second]! - a - 1));
    }
  }
  return features;
}

/** The text both the trainer and the model read: the ends of a long text, folded and unmasked. */
export function harmReading(text: string): string {
  return classifierReading(text.length <= 2 * WINDOW_CHARS ? text : `${text.slice(0, WINDOW_CHARS)}\n${text.slice(-WINDOW_CHARS)}`);
}

/**
 * The learned part of the harmful-content check: logistic regression over the hashed words, word
 * pairs and character n-grams of src/injection/hashed-features.ts (scored by the injection
 * check's LinearTextClassifier) plus the harm concepts of harm.concepts.ts and their pairs,
 * which carry to phrasings and languages no lexicon rule was written for. The category heads are
 * scored only for a text the detection head flags.
 */
export class HarmClassifierModel {
  private readonly detector: LinearTextClassifier;
  private readonly conceptWeights = new Float32Array(HARM_CONCEPT_FEATURES);
  private readonly thresholdLogit: number;
  /** Category weights by feature (bucket, or FEATURE_BUCKETS + concept feature): one entry per category. */
  private readonly headWeights = new Map<number, Float32Array>();
  private readonly headBiases = new Float32Array(harmCategories.length);
  private readonly counts = new Uint16Array(FEATURE_BUCKETS);
  private readonly touched = new TouchedBuckets();

  constructor(model: HarmModelFile) {
    if (model.conceptNames.join() !== HARM_CONCEPT_NAMES.join()) {
      throw new Error('the harm model was trained with other concepts than harm.concepts.ts: retrain it (node services/guardrails/dist/eval/train-harm-model.js)');
    }
    // The harm concepts are scored here: the classifier reads the hashed buckets only (no injection concepts).
    this.detector = new LinearTextClassifier({ ...model, conceptFeatures: false, weights: model.weights.filter(([bucket]) => bucket < FEATURE_BUCKETS) }, WINDOW_CHARS);
    for (const [feature, weight] of model.concepts) this.conceptWeights[feature] = weight;
    this.thresholdLogit = logit(model.threshold);
    harmCategories.forEach((category, index) => {
      const head = model.categories[category];
      if (!head) return void (this.headBiases[index] = Number.NEGATIVE_INFINITY);
      this.headBiases[index] = head.bias;
      for (const [feature, weight] of head.weights) {
        let row = this.headWeights.get(feature);
        if (!row) this.headWeights.set(feature, (row = new Float32Array(harmCategories.length)));
        row[index] = weight;
      }
    });
  }

  private static shared: HarmClassifierModel | undefined;

  /** The shipped model, read once per process: every policy's classifier shares it. */
  static shipped(): HarmClassifierModel {
    return (HarmClassifierModel.shared ??= HarmClassifierModel.fromFile(DEFAULT_HARM_MODEL_FILE));
  }

  static fromFile(file: string): HarmClassifierModel {
    return new HarmClassifierModel(JSON.parse(readFileSync(file, 'utf8')) as HarmModelFile);
  }

  assess(text: string, categoryFrom = 0.5): HarmAssessment {
    const reading = harmReading(text);
    const mask = conceptScanner.conceptsIn(reading);
    // No harm topic: the model is not consulted (ordinary text skips the hashing pass).
    if ((mask & TOPIC_MASK) === 0) return { score: 0 };
    const concepts = conceptFeaturesOf(mask);
    let conceptLogit = 0;
    for (const feature of concepts) conceptLogit += this.conceptWeights[feature]!;
    const score = sigmoid(this.detector.logit(reading) + conceptLogit - this.thresholdLogit);
    return score >= categoryFrom ? { score, category: this.categoryOf(reading, concepts) } : { score };
  }

  private categoryOf(reading: string, concepts: readonly number[]): HarmCategory {
    const { counts, touched } = this;
    accumulateFeatures(reading, counts, touched);
    const hashed = new Float64Array(harmCategories.length);
    let norm = 0;
    for (let touchedIndex = 0; touchedIndex < touched.length; touchedIndex++) {
      const bucket = touched.at(touchedIndex);
      const count = counts[bucket]!;
      norm += count * count;
      counts[bucket] = 0;
      const row = this.headWeights.get(bucket);
      if (row) for (let index = 0; index < row.length; index++) hashed[index]! += row[index]! * count;
    }
    touched.clear();
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    let best = 0;
    let bestLogit = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < harmCategories.length; index++) {
      let value = this.headBiases[index]! + hashed[index]! * scale;
      for (const feature of concepts) value += this.headWeights.get(FEATURE_BUCKETS + feature)?.[index] ?? 0;
      if (value > bestLogit) (best = index), (bestLogit = value);
    }
    return harmCategories[best]!;
  }
}

function logit(probability: number): number {
  const p = Math.min(1 - 1e-9, Math.max(1e-9, probability));
  return Math.log(p / (1 - p));
}

function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}
