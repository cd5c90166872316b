import { readFileSync } from 'node:fs';
import { accumulateFeatures, FEATURE_BUCKETS } from './hashed-features';

/** The trained model as stored in services/guardrails/models/*.json. */
export interface LinearModelFile {
  description: string;
  trainedOn: string;
  bias: number;
  /** Decision threshold on the probability, chosen by cross-validation at training time. */
  threshold: number;
  /** [bucket, weight] pairs; buckets absent have weight 0. */
  weights: [number, number][];
}

/**
 * Logistic regression over hashed text features: a small learned check that generalises to
 * phrasings no pattern was written for. Long texts are scored on their first and last
 * `windowChars` characters, which keeps the cost bounded (instructions to a model sit at the
 * start or the end of what it reads far more often than in the middle).
 */
export class LinearTextClassifier {
  /** Dense weights and a reusable count buffer: no map and no allocation per message. */
  private readonly weights = new Float32Array(FEATURE_BUCKETS);
  /** Counts of one (windowed) message fit in 16 bits; a quarter of the memory of doubles keeps more of it in cache. */
  private readonly counts = new Uint16Array(FEATURE_BUCKETS);
  private readonly touched: number[] = [];

  constructor(
    private readonly model: LinearModelFile,
    private readonly windowChars = 4096,
  ) {
    for (const [bucket, weight] of model.weights) this.weights[bucket] = weight;
  }

  static fromFile(file: string): LinearTextClassifier {
    return new LinearTextClassifier(JSON.parse(readFileSync(file, 'utf8')) as LinearModelFile);
  }

  get threshold(): number {
    return this.model.threshold;
  }

  /** `reading`: the text as classifierReading() gives it. */
  probability(reading: string): number {
    const scored = reading.length <= 2 * this.windowChars ? reading : `${reading.slice(0, this.windowChars)}\n${reading.slice(-this.windowChars)}`;
    const { counts, touched, weights } = this;
    accumulateFeatures(scored, counts, touched);
    let dot = 0;
    let norm = 0;
    for (const bucket of touched) {
      const count = counts[bucket]!;
      dot += weights[bucket]! * count;
      norm += count * count;
      counts[bucket] = 0;
    }
    touched.length = 0;
    const logit = this.model.bias + (norm > 0 ? dot / Math.sqrt(norm) : 0);
    return 1 / (1 + Math.exp(-logit));
  }
}
