import { redactionKinds, type GuardrailActionName } from '@llmops/config';

export type FindingCategory = 'validation' | 'pii' | 'secret' | 'injection' | 'harmful' | 'topic' | 'refusal' | 'format' | 'grounding';

/** Every finding type a check can report, with its category. */
export const FINDING_CATEGORIES: Readonly<Record<string, FindingCategory>> = {
  empty_messages: 'validation',
  oversized_input: 'validation',
  too_many_messages: 'validation',
  invalid_role: 'validation',
  invalid_encoding: 'validation',
  control_character: 'validation',
  invisible_character: 'validation',
  bidi_control: 'validation',
  ...Object.fromEntries(redactionKinds.filter((kind) => kind !== 'secret').map((kind) => [kind, 'pii' as const])),
  secret: 'secret',
  prompt_injection: 'injection',
  harmful_content: 'harmful',
  denied_topic: 'topic',
  refusal: 'refusal',
  invalid_json: 'format',
  schema_mismatch: 'format',
  ungrounded_sentence: 'grounding',
  ungrounded_answer: 'grounding',
};

/** Types whose span can be replaced or removed; the others can only pass (be flagged) or block. */
const REWRITABLE = new Set(['invisible_character', 'bidi_control', ...redactionKinds]);

const DEFAULT_BY_TYPE: Readonly<Record<string, GuardrailActionName>> = {
  invisible_character: 'rewrite',
  bidi_control: 'rewrite',
};

const DEFAULT_BY_CATEGORY: Readonly<Record<FindingCategory, GuardrailActionName>> = {
  validation: 'block',
  pii: 'redact',
  secret: 'redact',
  injection: 'block',
  harmful: 'block',
  topic: 'block',
  refusal: 'pass',
  format: 'pass',
  grounding: 'pass',
};

const CATEGORY_BY_TYPE: ReadonlyMap<string, FindingCategory> = new Map(Object.entries(FINDING_CATEGORIES));

/** Decides the action for each finding type from a policy's `actions` (type first, then category), then the defaults. */
export class FindingActions {
  /** Asked once per finding (hundreds in a long text): every known type's answer, worked out once. */
  private readonly actionByType: ReadonlyMap<string, GuardrailActionName>;

  constructor(private readonly configured: Readonly<Record<string, GuardrailActionName>>) {
    const problems: string[] = [];
    const categories = new Set(Object.values(FINDING_CATEGORIES));
    for (const [key, action] of Object.entries(configured)) {
      const isType = key in FINDING_CATEGORIES;
      if (!isType && !categories.has(key as FindingCategory)) {
        problems.push(`"${key}" is neither a finding type (${Object.keys(FINDING_CATEGORIES).join(', ')}) nor a category (${[...categories].join(', ')})`);
        continue;
      }
      const types = isType ? [key] : Object.keys(FINDING_CATEGORIES).filter((type) => FINDING_CATEGORIES[type] === key);
      if ((action === 'redact' || action === 'rewrite') && types.some((type) => !REWRITABLE.has(type))) {
        problems.push(`"${key}: ${action}" is not possible: only ${[...REWRITABLE].join(', ')} can be redacted or rewritten; use pass or block`);
      }
    }
    if (problems.length > 0) throw new Error(`invalid guardrail actions: ${problems.join('; ')}`);
    this.actionByType = new Map([...CATEGORY_BY_TYPE.keys()].map((type) => [type, this.resolveAction(type)]));
  }

  actionFor(type: string): GuardrailActionName {
    return this.actionByType.get(type) ?? this.resolveAction(type);
  }

  categoryOf(type: string): FindingCategory {
    return CATEGORY_BY_TYPE.get(type) ?? 'validation';
  }

  private resolveAction(type: string): GuardrailActionName {
    const category = this.categoryOf(type);
    return this.configured[type] ?? this.configured[category] ?? DEFAULT_BY_TYPE[type] ?? DEFAULT_BY_CATEGORY[category];
  }
}
