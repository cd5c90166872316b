/** Counts of one detector on a labelled set, and the scores people compare detectors by. */
export interface Confusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

export interface DetectorScores extends Confusion {
  precision: number;
  recall: number;
  f1: number;
  /** False positives over all negatives; NaN where negatives are not counted (span-level PII). */
  falsePositiveRate: number;
}

export function emptyConfusion(): Confusion {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
}

export function addConfusion(into: Confusion, from: Confusion): void {
  into.truePositives += from.truePositives;
  into.falsePositives += from.falsePositives;
  into.falseNegatives += from.falseNegatives;
  into.trueNegatives += from.trueNegatives;
}

export function scoresOf(confusion: Confusion): DetectorScores {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn } = confusion;
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...confusion, precision, recall, f1, falsePositiveRate: fp + tn === 0 ? Number.NaN : fp / (fp + tn) };
}
