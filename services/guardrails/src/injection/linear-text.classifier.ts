import { readFileSync } from 'node:fs';
import { accumulateFeatures, CONCEPT_FEATURES, conceptFeatures, FEATURE_BUCKETS, TouchedBuckets } from './hashed-features';

/** The trained model as stored in services/guardrails/models/*.json. */
export interface LinearModelFile {
  description: string;
  trainedOn: string;
  bias: number;
  /** Decision threshold on the probability, chosen by cross-validation at training time. */
  threshold: number;
  /** [bucket, weight] pairs; buckets absent have weight 0. From FEATURE_BUCKETS on: concept features. */
  weights: [number, number][];
  /** Whether the model reads the concept features of concept.lexicon.ts besides the hashed ones. */
  conceptFeatures?: boolean;
  /** How the detector weighs this classifier against its phrase patterns (prompt-injection model only). */
  combiner?: EvidenceCombinerFile;
}

/**
 * A logistic regression over the evidence of one message (see evidenceVector in
 * prompt-injection.detector.ts), stacked on out-of-fold classifier scores at training time.
 */
export interface EvidenceCombinerFile {
  bias: number;
  weights: number[];
  /** Probability at which a message is flagged; the detector maps it to score 0.5. */
  threshold: number;
}

/**
 * Logistic regression over hashed text features: a small learned check that generalises to
 * phrasings no pattern was written for. Long texts are scored on their first and last
 * `windowChars` characters, which keeps the cost bounded (instructions to a model sit at the
 * start or the end of what it reads far more often than in the middle).
 */
export class LinearTextClassifier {
  /** Dense weights and a reusable count buffer: no map and no allocation per message. */
  private readonly weights: Float32Array;
  /** Counts of one (windowed) message fit in 16 bits; a quarter of the memory of doubles keeps more of it in cache. */
  private readonly counts = new Uint16Array(FEATURE_BUCKETS);
  private readonly touched = new TouchedBuckets();

  constructor(
    private readonly model: LinearModelFile,
    private readonly windowChars = 4096,
  ) {
    this.weights = new Float32Array(FEATURE_BUCKETS + (model.conceptFeatures === true ? CONCEPT_FEATURES : 0));
    for (const [bucket, weight] of model.weights) this.weights[bucket] = weight;
  }

  static fromFile(file: string): LinearTextClassifier {
    return new LinearTextClassifier(JSON.parse(readFileSync(file, 'utf8')) as LinearModelFile);
  }

  get threshold(): number {
    return this.model.threshold;
  }

  get combiner(): EvidenceCombinerFile | undefined {
    return this.model.combiner;
  }

  /** `reading`: the text as classifierReading() gives it. */
  probability(reading: string): number {
    return 1 / (1 + Math.exp(-this.logit(reading)));
  }

  logit(reading: string): number {
    return this.logitOfWindow(this.window(reading));
  }

  private window(reading: string): string {
    return reading.length <= 2 * this.windowChars ? reading : `${reading.slice(0, this.windowChars)}\n${reading.slice(-this.windowChars)}`;
  }

  private logitOfWindow(scored: string): number {
    const { counts, touched, weights } = this;
    accumulateFeatures(scored, counts, touched);
    let dot = 0;
    let norm = 0;
    for (let index = 0; index < touched.length; index++) {
      const bucket = touched.at(index);
      const count = counts[bucket]!;
      dot += weights[bucket]! * count;
      norm += count * count;
      counts[bucket] = 0;
    }
    touched.clear();
    let concepts = 0;
    if (this.model.conceptFeatures === true) for (const index of conceptFeatures(scored)) concepts += weights[index]!;
    return this.model.bias + (norm > 0 ? dot / Math.sqrt(norm) : 0) + concepts;
  }
}
