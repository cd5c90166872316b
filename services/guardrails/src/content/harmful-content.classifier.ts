import type { HarmCategory } from '@llmops/config';
import { FAST_TIER_TRIGGERS } from '../checks/fast-tier.triggers';
import { lowerPreservingOffsets } from '../injection/text-folding';
import { HarmClassifierModel } from './harm-classifier.model';
import { HARM_RULES, INTENT, type HarmRule } from './harm.lexicon';

export interface HarmFinding {
  category: HarmCategory;
  score: number;
  start: number;
  end: number;
}

/**
 * Fast-tier harmful-content screen over the Llama Guard 3 categories (S1–S14). First the phrase
 * lexicon (harm.lexicon.ts): one finding per matched category, with the phrase as its span. When
 * no phrase matches, the learned model (HarmClassifierModel), which carries to phrasings and
 * languages no rule was written for: one finding over the whole text, in the category of its
 * strongest head, scored so that 0.5 is its cross-validated threshold.
 */
export class HarmfulContentClassifier {
  private readonly rules: readonly HarmRule[];
  /** Shared with the injection check, which scans the same lower-cased text: one pass for both. */
  private readonly triggers = FAST_TIER_TRIGGERS;
  private readonly categories: ReadonlySet<HarmCategory> | undefined;

  constructor(
    categories?: ReadonlySet<HarmCategory>,
    /** null: the lexicon alone. */
    private readonly model: HarmClassifierModel | null = HarmClassifierModel.shipped(),
  ) {
    this.categories = categories;
    this.rules = categories ? HARM_RULES.filter((rule) => categories.has(rule.category)) : HARM_RULES;
  }

  classify(text: string): HarmFinding[] {
    const found = this.lexiconFindings(text).sort((a, b) => b.score - a.score);
    // A phrase names the category (and the span) better than the model's heads do.
    if (found.length > 0 || !this.model) return found;
    const { score, category } = this.model.assess(text);
    if (!category || (this.categories && !this.categories.has(category))) return [];
    return [{ category, score: Math.round(score * 1000) / 1000, start: 0, end: text.length }];
  }

  private lexiconFindings(text: string): HarmFinding[] {
    const lowered = lowerPreservingOffsets(text);
    const present = this.triggers.presentIn(lowered);
    let hasIntent: boolean | undefined;
    const best = new Map<HarmCategory, HarmFinding>();
    for (const rule of this.rules) {
      if (!rule.triggers.some((trigger) => present.has(trigger))) continue;
      if (rule.needsIntent && !(hasIntent ??= INTENT.test(lowered))) continue;
      const match = rule.pattern.exec(lowered);
      if (!match) continue;
      const previous = best.get(rule.category);
      if (!previous || previous.score < rule.score) best.set(rule.category, { category: rule.category, score: rule.score, start: match.index, end: match.index + match[0].length });
    }
    return [...best.values()];
  }
}

/** The injection check folds the same message: the lower-cased copy is made once (see text-folding.ts). */
export { lowerPreservingOffsets };
