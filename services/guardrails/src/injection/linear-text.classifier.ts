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
  /**
   * The same for a long text scored with its best sentence window's logit instead of its own
   * (calibrated on rows inside long benign texts); absent = windows are not used.
   */
  windowThreshold?: number;
}

/**
 * Logistic regression over hashed text features: a small learned check that generalises to
 * phrasings no pattern was written for. Long texts are scored on their first and last
 * `windowChars` characters, which keeps the cost bounded (instructions to a model sit at the
 * start or the end of what it reads far more often than in the middle).
 *
 * With `sentenceWindowChars` set, a text longer than that is also scored window by window (see
 * maxWindowLogit) and the highest logit wins: one attack sentence in a long document, diluted in
 * the L2-normalised bag of the whole text, scores in its window as it would alone. Texts up to
 * `sentenceWindowChars` are scored exactly as without it.
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
    private readonly sentenceWindowChars = 0,
  ) {
    this.weights = new Float32Array(FEATURE_BUCKETS + (model.conceptFeatures === true ? CONCEPT_FEATURES : 0));
    for (const [bucket, weight] of model.weights) this.weights[bucket] = weight;
  }

  static fromFile(file: string, sentenceWindowChars = 0): LinearTextClassifier {
    return new LinearTextClassifier(JSON.parse(readFileSync(file, 'utf8')) as LinearModelFile, undefined, sentenceWindowChars);
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

  /** The higher of the whole-text and the best window's logit (see logits). */
  logit(reading: string): number {
    const { whole, windows } = this.logits(reading);
    return Math.max(whole, windows);
  }

  /**
   * The whole text's logit, and the highest logit of its sentence windows: the same number when
   * windows are off or the text fits in one. The injection detector weighs the two apart, since a
   * window of a long benign text scores hotter than the text does.
   */
  logits(reading: string): { whole: number; windows: number } {
    const whole = this.logitOfWindow(this.window(reading));
    if (this.sentenceWindowChars <= 0 || reading.length <= this.sentenceWindowChars) return { whole, windows: whole };
    // Windows over the same characters the whole-text score reads, so the cost stays bounded too.
    if (reading.length <= 2 * this.windowChars) return { whole, windows: this.maxWindowLogit(reading, 0, reading.length) };
    return { whole, windows: Math.max(this.maxWindowLogit(reading, 0, this.windowChars), this.maxWindowLogit(reading, reading.length - this.windowChars, reading.length)) };
  }

  /**
   * The highest logit of windows of at most `sentenceWindowChars` over [from, to), each ending at
   * the last sentence or line end of its second half (else a space, else a hard cut) and the next
   * starting at the first sentence end of the previous one's second half: consecutive windows
   * overlap by about half, so a span of up to about a quarter of a window, and usually a whole
   * sentence, lies entirely inside one of them. Slices share the reading's characters.
   */
  private maxWindowLogit(reading: string, from: number, to: number): number {
    const size = this.sentenceWindowChars;
    let best = -Infinity;
    for (let start = from; ; ) {
      const end = start + size >= to ? to : cutBefore(reading, start + (size >> 1), start + size);
      best = Math.max(best, this.logitOfWindow(reading.slice(start, end)));
      if (end >= to) return best;
      start = cutAfter(reading, start + (size >> 1), end);
    }
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

const NEWLINE = 0x0a;
const SPACE = 0x20;

/** Whether a window may end right after `index`: a line break, or . ! ? (or their CJK forms) before a space. */
function endsSentence(reading: string, index: number): boolean {
  const code = reading.charCodeAt(index);
  if (code === NEWLINE || code === 0x3002 || code === 0xff01 || code === 0xff1f) return true;
  if (code !== 0x2e && code !== 0x21 && code !== 0x3f) return false;
  const next = reading.charCodeAt(index + 1);
  return next === SPACE || next === NEWLINE || next === 0x09 || next === 0x0d;
}

/** The last cut in (earliest, latest]: after a sentence end, else at a space, else `latest`. */
function cutBefore(reading: string, earliest: number, latest: number): number {
  let space = -1;
  for (let cut = latest; cut > earliest; cut--) {
    if (endsSentence(reading, cut - 1)) return cut;
    if (space === -1 && reading.charCodeAt(cut - 1) === SPACE) space = cut;
  }
  return space === -1 ? latest : space;
}

/** The first cut in [earliest, latest): after a sentence end, else at a space, else `earliest`. */
function cutAfter(reading: string, earliest: number, latest: number): number {
  let space = -1;
  for (let cut = earliest; cut < latest; cut++) {
    if (endsSentence(reading, cut - 1)) return cut;
    if (space === -1 && reading.charCodeAt(cut - 1) === SPACE) space = cut;
  }
  return space === -1 ? earliest : space;
}
