import type { RoutingRuleConfig } from '@llmops/config';
import type { RequestFeatures } from '../features/request-features';

export interface RuleSubject {
  tenant: string;
  project: string;
  tags: Readonly<Record<string, string>>;
  features: RequestFeatures;
}

export interface RuleMatch {
  rule: string;
  route: string;
  /** The conditions that held, for the trace: `domain=medical, tokens≥10`. */
  because: string;
}

/** The `routing_rules` of llmops.yaml in order; the first rule whose every condition holds wins. */
export class RoutingRules {
  constructor(private readonly rules: readonly RoutingRuleConfig[]) {}

  get size(): number {
    return this.rules.length;
  }

  match(subject: RuleSubject): RuleMatch | undefined {
    for (const rule of this.rules) {
      const because = matches(rule, subject);
      if (because !== undefined) return { rule: rule.name, route: rule.route, because };
    }
    return undefined;
  }
}

/** The reasons when every condition holds, otherwise undefined. */
function matches(rule: RoutingRuleConfig, subject: RuleSubject): string | undefined {
  const { when } = rule;
  const { features } = subject;
  const reasons: string[] = [];
  if (when.tenant) {
    if (!when.tenant.includes(subject.tenant)) return undefined;
    reasons.push(`tenant=${subject.tenant}`);
  }
  if (when.project) {
    if (!when.project.includes(subject.project)) return undefined;
    reasons.push(`project=${subject.project}`);
  }
  if (when.tags) {
    for (const [key, values] of Object.entries(when.tags)) {
      const value = subject.tags[key];
      if (value === undefined || !values.includes(value)) return undefined;
      reasons.push(`tag ${key}=${value}`);
    }
  }
  if (when.minTokens !== undefined) {
    if (features.estimatedTokens < when.minTokens) return undefined;
    reasons.push(`~${features.estimatedTokens} tokens ≥ ${when.minTokens}`);
  }
  if (when.maxTokens !== undefined) {
    if (features.estimatedTokens > when.maxTokens) return undefined;
    reasons.push(`~${features.estimatedTokens} tokens ≤ ${when.maxTokens}`);
  }
  if (when.complexity) {
    if (!when.complexity.includes(features.complexity)) return undefined;
    reasons.push(`complexity ${features.complexity}`);
  }
  if (when.code !== undefined) {
    if (features.code !== when.code) return undefined;
    reasons.push(when.code ? 'code present' : 'no code');
  }
  if (when.math !== undefined) {
    if (features.math !== when.math) return undefined;
    reasons.push(when.math ? 'math present' : 'no math');
  }
  if (when.questionType) {
    if (!when.questionType.includes(features.questionType)) return undefined;
    reasons.push(`question ${features.questionType}`);
  }
  if (when.domain) {
    if (features.domain === undefined || !when.domain.includes(features.domain)) return undefined;
    reasons.push(`safety-critical domain ${features.domain}`);
  }
  return reasons.length > 0 ? reasons.join(', ') : 'unconditional';
}
