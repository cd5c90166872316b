import type { HarmCategory } from '@llmops/config';
import { TriggerScanner } from '../injection/trigger.scanner';
import { HARM_RULES, INTENT, type HarmRule } from './harm.lexicon';

export interface HarmFinding {
  category: HarmCategory;
  score: number;
  start: number;
  end: number;
}

/**
 * Fast-tier harmful-content screen over the Llama Guard 3 categories (S1–S14): one finding per
 * category, the strongest phrase. It is a lexicon, so it misses paraphrase a model would catch;
 * that is what the slow tier is for.
 */
export class HarmfulContentClassifier {
  private readonly rules: readonly HarmRule[];
  private readonly triggers: TriggerScanner;

  constructor(categories?: ReadonlySet<HarmCategory>) {
    this.rules = categories ? HARM_RULES.filter((rule) => categories.has(rule.category)) : HARM_RULES;
    this.triggers = new TriggerScanner(this.rules.flatMap((rule) => rule.triggers));
  }

  classify(text: string): HarmFinding[] {
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
    return [...best.values()].sort((a, b) => b.score - a.score);
  }
}

export function lowerPreservingOffsets(text: string): string {
  const lowered = text.toLowerCase();
  return lowered.length === text.length ? lowered : text.replace(/[A-Z]/g, (char) => char.toLowerCase());
}
