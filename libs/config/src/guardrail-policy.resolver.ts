import {
  guardrailInputChecks,
  guardrailOutputChecks,
  harmCategories,
  type GuardrailActionName,
  type GuardrailInputCheck,
  type GuardrailOutputCheck,
  type GuardrailPolicyConfig,
  type GuardrailsConfig,
  type HarmCategory,
  type RedactionKind,
} from './platform-config.schema';

export type GuardrailThreshold = 'pii' | 'injection' | 'harmful' | 'groundedness';

/** A policy with every key resolved: what one request is checked against. */
export interface EffectiveGuardrailPolicy {
  name: string;
  failMode: 'open' | 'closed';
  maxInputChars: number;
  input: ReadonlySet<GuardrailInputCheck>;
  output: ReadonlySet<GuardrailOutputCheck>;
  pii: readonly RedactionKind[];
  reversibleRedaction: boolean;
  /** Streamed answers: checked whole after sending, or sentence by sentence before (`buffered`). */
  streamOutput: 'after' | 'buffered';
  thresholds: Readonly<Record<GuardrailThreshold, number>>;
  /** Finding type or category → action, as written; the guardrails service adds its defaults. */
  actions: Readonly<Record<string, GuardrailActionName>>;
  harmfulCategories: ReadonlySet<HarmCategory>;
  denyTopics: readonly { name: string; terms: readonly string[] }[];
  /** The model-based check, when the policy turns it on. */
  slowTier?: { baseUrl: string; model: string; apiKeyEnv?: string; timeoutMs: number };
}

const DEFAULT_SLOW_TIER_TIMEOUT_MS = 5_000;

export const DEFAULT_GUARDRAIL_THRESHOLDS: Readonly<Record<GuardrailThreshold, number>> = { pii: 0.5, injection: 0.5, harmful: 0.5, groundedness: 0.5 };

const DEFAULT_POLICY_NAME = 'default';

/**
 * Every policy of the configuration, resolved: keys a policy leaves out come from the policy
 * named `default`, then from the built-in defaults (all checks on, fail closed, the top-level
 * `redact` kinds). The `default` policy is always present and always last.
 */
export function resolveGuardrailPolicies(config: GuardrailsConfig): EffectiveGuardrailPolicy[] {
  const base = config.policies.find((policy) => policy.name === DEFAULT_POLICY_NAME);
  const builtIn: EffectiveGuardrailPolicy = {
    name: DEFAULT_POLICY_NAME,
    failMode: 'closed',
    maxInputChars: config.maxInputChars,
    input: new Set(guardrailInputChecks),
    output: new Set(guardrailOutputChecks),
    pii: config.redact,
    reversibleRedaction: false,
    streamOutput: 'after',
    thresholds: DEFAULT_GUARDRAIL_THRESHOLDS,
    actions: {},
    harmfulCategories: new Set(harmCategories),
    denyTopics: [],
  };
  const fallback = base ? merge(builtIn, base) : builtIn;
  return [...config.policies.filter((policy) => policy !== base).map((policy) => merge(fallback, policy)), fallback];
}

/** The first policy (in file order) whose tenants and routes both match; else `default`. */
export function guardrailPolicyFor(policies: readonly EffectiveGuardrailPolicy[], config: GuardrailsConfig, tenantId: string, route: string): EffectiveGuardrailPolicy {
  for (const policy of config.policies) {
    if (policy.name === DEFAULT_POLICY_NAME) continue;
    if (policy.tenants && !policy.tenants.includes(tenantId)) continue;
    if (policy.routes && !policy.routes.includes(route)) continue;
    return policies.find((effective) => effective.name === policy.name)!;
  }
  return policies[policies.length - 1]!;
}

function merge(base: EffectiveGuardrailPolicy, policy: GuardrailPolicyConfig): EffectiveGuardrailPolicy {
  const merged: EffectiveGuardrailPolicy = {
    name: policy.name,
    failMode: policy.failMode ?? base.failMode,
    maxInputChars: base.maxInputChars,
    input: policy.input ? new Set(policy.input) : base.input,
    output: policy.output ? new Set(policy.output) : base.output,
    pii: policy.pii ?? base.pii,
    reversibleRedaction: policy.reversibleRedaction ?? base.reversibleRedaction,
    streamOutput: policy.streamOutput ?? base.streamOutput,
    thresholds: { ...base.thresholds, ...policy.thresholds },
    actions: { ...base.actions, ...policy.actions },
    harmfulCategories: policy.harmfulCategories ? new Set(policy.harmfulCategories) : base.harmfulCategories,
    denyTopics: policy.denyTopics ?? base.denyTopics,
  };
  const tier = policy.slowTier;
  if (tier === undefined) {
    if (base.slowTier) merged.slowTier = base.slowTier;
  } else if (tier.enabled && tier.baseUrl && tier.model) {
    merged.slowTier = {
      baseUrl: tier.baseUrl,
      model: tier.model,
      timeoutMs: tier.timeoutMs ?? DEFAULT_SLOW_TIER_TIMEOUT_MS,
      ...(tier.apiKeyEnv ? { apiKeyEnv: tier.apiKeyEnv } : {}),
    };
  }
  return merged;
}
