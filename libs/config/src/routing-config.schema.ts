import { z } from 'zod';

// The routing parts of llmops.yaml: model catalog extras, route strategies and cache settings,
// routing rules, experiments, the response cache and budgets. Kept apart from
// platform-config.schema.ts so routing changes stay local; the platform schema composes these.

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "_", ":" or "-"');
const percent = z.number().min(0).max(100);
const fraction = z.number().gt(0).lte(1);
const positiveInt = z.number().int().positive();
const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must list at least one value');

/**
 * What a model can do beyond plain chat. `embeddings` marks an embedding model: it serves
 * `/v1/embeddings` and nothing else, so it may not sit in a route's chain.
 */
export const modelCapabilities = ['tools', 'json', 'vision', 'embeddings'] as const;
export const modelHealthStates = ['healthy', 'degraded', 'down'] as const;
export const routingStrategies = ['ordered', 'weighted', 'lowest-latency', 'lowest-cost'] as const;
export const complexityLevels = ['simple', 'moderate', 'complex'] as const;
export const questionTypes = ['none', 'yes_no', 'factual', 'how', 'why', 'open'] as const;
export const safetyDomains = ['finance', 'legal', 'medical'] as const;
export const budgetScopes = ['api_key', 'project', 'tenant'] as const;
export const budgetActions = ['reject', 'downgrade'] as const;
export const experimentKinds = ['ab', 'canary'] as const;
export const cacheEmbedders = ['local', 'lexical'] as const;

/** Added to each `models[]` entry. */
export const rawModelCatalogFields = {
  capabilities: z.array(z.enum(modelCapabilities)).optional(),
  tags: z.array(name).optional(),
  health: z.enum(modelHealthStates).optional(),
};

export const rawRouteCacheSchema = z.strictObject({
  exact: z.boolean().optional(),
  semantic: z.boolean().optional(),
  semantic_threshold: fraction.optional(),
  ttl_seconds: positiveInt.optional(),
  /** Cache answers of requests with temperature > 0 too (they are not reproducible). */
  allow_nondeterministic: z.boolean().optional(),
});

/** Added to each `routes[]` entry. */
export const rawRouteStrategyFields = {
  strategy: z.enum(routingStrategies).optional(),
  /** For `weighted`: model id → relative weight; models left out weigh 1. */
  weights: z.record(z.string(), z.number().nonnegative()).optional(),
  cache: rawRouteCacheSchema.optional(),
};

const sticky = z.union([z.enum(['user', 'tenant', 'project', 'api_key']), z.string().regex(/^tag:.+$/, 'must be user, tenant, project, api_key or tag:<name>')]);

export const rawRoutingRuleSchema = z.strictObject({
  name,
  when: z.strictObject({
    tenant: nonEmptyList(z.string().min(1)).optional(),
    project: nonEmptyList(z.string().min(1)).optional(),
    /** Request tags (e.g. `feature: code-review`); every listed tag must match one of its values. */
    tags: z.record(z.string().min(1), z.union([z.string().min(1), nonEmptyList(z.string().min(1))])).optional(),
    min_tokens: z.number().int().nonnegative().optional(),
    max_tokens: z.number().int().nonnegative().optional(),
    complexity: nonEmptyList(z.enum(complexityLevels)).optional(),
    code: z.boolean().optional(),
    math: z.boolean().optional(),
    question_type: nonEmptyList(z.enum(questionTypes)).optional(),
    domain: nonEmptyList(z.enum(safetyDomains)).optional(),
  }),
  route: name,
});

export const rawExperimentSchema = z.strictObject({
  name,
  kind: z.enum(experimentKinds),
  /** Requests routed to this route take part. */
  route: name,
  sticky_key: sticky.optional(),
  /** ab: share of traffic enrolled; canary: share sent to the canary (second) arm. */
  ramp_percent: percent.optional(),
  enabled: z.boolean().optional(),
  arms: z
    .array(
      z.strictObject({
        name,
        weight: z.number().nonnegative().optional(),
        /** Serve the arm from this route's chain, or from this chain of models. */
        route: name.optional(),
        chain: nonEmptyList(z.string().min(1)).optional(),
        prompt_version: z.string().min(1).optional(),
      }),
    )
    .min(2, 'must list at least two arms'),
  shadow: z.strictObject({ chain: nonEmptyList(z.string().min(1)), percent: percent.optional(), arm: name.optional() }).optional(),
});

export const rawCacheSchema = z.strictObject({
  enabled: z.boolean().optional(),
  ttl_seconds: positiveInt.optional(),
  max_entries: positiveInt.optional(),
  semantic_threshold: fraction.optional(),
  /** What the semantic cache compares: `lexical` hashed words (default, microseconds) or `local` sentence embeddings (meaning, milliseconds). */
  embedder: z.enum(cacheEmbedders).optional(),
  /** How long the gateway may serve a hit again without asking routing (0: always ask); see ADR 0006. */
  gateway_ttl_seconds: z.number().min(0).max(60).optional(),
});

export const rawBudgetSchema = z.strictObject({
  scope: z.enum(budgetScopes),
  /** The key id, project or tenant it limits; "*" gives every one its own limit. */
  id: z.string().min(1),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  daily_usd: z.number().positive().optional(),
  monthly_usd: z.number().positive().optional(),
  on_exceed: z.enum(budgetActions).optional(),
  downgrade_route: name.optional(),
  alert_at: fraction.optional(),
});

/** Top-level sections added to llmops.yaml; all optional. */
export const rawRoutingSections = {
  routing_rules: z.array(rawRoutingRuleSchema).nullish(),
  experiments: z.array(rawExperimentSchema).nullish(),
  cache: rawCacheSchema.nullish(),
  budgets: z.array(rawBudgetSchema).nullish(),
};

export type ModelCapability = (typeof modelCapabilities)[number];
export type ModelHealth = (typeof modelHealthStates)[number];
export type RoutingStrategy = (typeof routingStrategies)[number];
export type ComplexityLevel = (typeof complexityLevels)[number];
export type QuestionType = (typeof questionTypes)[number];
export type SafetyDomain = (typeof safetyDomains)[number];
export type BudgetScope = (typeof budgetScopes)[number];
export type BudgetAction = (typeof budgetActions)[number];
export type ExperimentKind = (typeof experimentKinds)[number];
export type CacheEmbedder = (typeof cacheEmbedders)[number];

export interface RouteCacheConfig {
  exact: boolean;
  semantic: boolean;
  semanticThreshold: number;
  ttlSeconds: number;
  allowNondeterministic: boolean;
}

export interface RoutingRuleConfig {
  name: string;
  when: {
    tenant?: string[];
    project?: string[];
    tags?: Record<string, string[]>;
    minTokens?: number;
    maxTokens?: number;
    complexity?: ComplexityLevel[];
    code?: boolean;
    math?: boolean;
    questionType?: QuestionType[];
    domain?: SafetyDomain[];
  };
  route: string;
}

export interface ExperimentArmConfig {
  name: string;
  weight: number;
  route?: string;
  chain?: string[];
  promptVersion?: string;
}

export interface ExperimentConfig {
  name: string;
  kind: ExperimentKind;
  route: string;
  stickyKey: string;
  rampPercent: number;
  enabled: boolean;
  arms: ExperimentArmConfig[];
  shadow?: { chain: string[]; percent: number; arm: string };
}

export interface CacheConfig {
  /** Off unless set: a cache changes what callers see, so it is opted into. */
  enabled: boolean;
  ttlSeconds: number;
  maxEntries: number;
  semanticThreshold: number;
  /** Fixed at start: vectors of two embedders cannot share an index. */
  embedder: CacheEmbedder;
  gatewayTtlSeconds: number;
}

export interface BudgetConfig {
  scope: BudgetScope;
  id: string;
  rpm?: number;
  tpm?: number;
  dailyUsd?: number;
  monthlyUsd?: number;
  onExceed: BudgetAction;
  downgradeRoute?: string;
  alertAt: number;
}

export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;
export const DEFAULT_CACHE_TTL_SECONDS = 3600;
export const DEFAULT_GATEWAY_CACHE_TTL_SECONDS = 5;
export const DEFAULT_BUDGET_ALERT_AT = 0.8;
/** Names the rules-based choice: a request naming no model, or this name, is routed by `routing_rules`. */
export const AUTO_ROUTE_NAME = 'auto';

type RawRouteCache = z.infer<typeof rawRouteCacheSchema>;
type RawRule = z.infer<typeof rawRoutingRuleSchema>;
type RawExperiment = z.infer<typeof rawExperimentSchema>;
type RawBudget = z.infer<typeof rawBudgetSchema>;
type RawCache = z.infer<typeof rawCacheSchema>;

export function toCacheConfig(raw: RawCache | null | undefined): CacheConfig {
  return {
    enabled: raw?.enabled ?? false,
    ttlSeconds: raw?.ttl_seconds ?? DEFAULT_CACHE_TTL_SECONDS,
    maxEntries: raw?.max_entries ?? 10_000,
    semanticThreshold: raw?.semantic_threshold ?? DEFAULT_SEMANTIC_THRESHOLD,
    embedder: raw?.embedder ?? 'lexical',
    gatewayTtlSeconds: raw?.gateway_ttl_seconds ?? DEFAULT_GATEWAY_CACHE_TTL_SECONDS,
  };
}

/** A route's cache settings; absent means the exact cache only, with the global defaults. */
export function toRouteCacheConfig(raw: RawRouteCache | undefined, defaults: CacheConfig): RouteCacheConfig {
  return {
    exact: raw?.exact ?? true,
    semantic: raw?.semantic ?? false,
    semanticThreshold: raw?.semantic_threshold ?? defaults.semanticThreshold,
    ttlSeconds: raw?.ttl_seconds ?? defaults.ttlSeconds,
    allowNondeterministic: raw?.allow_nondeterministic ?? false,
  };
}

export function toRoutingRule(raw: RawRule): RoutingRuleConfig {
  const w = raw.when;
  return {
    name: raw.name,
    route: raw.route,
    when: {
      ...(w.tenant ? { tenant: [...w.tenant] } : {}),
      ...(w.project ? { project: [...w.project] } : {}),
      ...(w.tags ? { tags: Object.fromEntries(Object.entries(w.tags).map(([key, value]) => [key, typeof value === 'string' ? [value] : [...value]])) } : {}),
      ...(w.min_tokens !== undefined ? { minTokens: w.min_tokens } : {}),
      ...(w.max_tokens !== undefined ? { maxTokens: w.max_tokens } : {}),
      ...(w.complexity ? { complexity: [...w.complexity] } : {}),
      ...(w.code !== undefined ? { code: w.code } : {}),
      ...(w.math !== undefined ? { math: w.math } : {}),
      ...(w.question_type ? { questionType: [...w.question_type] } : {}),
      ...(w.domain ? { domain: [...w.domain] } : {}),
    },
  };
}

export function toExperiment(raw: RawExperiment): ExperimentConfig {
  return {
    name: raw.name,
    kind: raw.kind,
    route: raw.route,
    stickyKey: raw.sticky_key ?? 'user',
    rampPercent: raw.ramp_percent ?? (raw.kind === 'canary' ? 5 : 100),
    enabled: raw.enabled ?? true,
    arms: raw.arms.map((arm) => ({
      name: arm.name,
      weight: arm.weight ?? 1,
      ...(arm.route !== undefined ? { route: arm.route } : {}),
      ...(arm.chain !== undefined ? { chain: [...arm.chain] } : {}),
      ...(arm.prompt_version !== undefined ? { promptVersion: arm.prompt_version } : {}),
    })),
    ...(raw.shadow ? { shadow: { chain: [...raw.shadow.chain], percent: raw.shadow.percent ?? 100, arm: raw.shadow.arm ?? 'shadow' } } : {}),
  };
}

export function toBudget(raw: RawBudget): BudgetConfig {
  return {
    scope: raw.scope,
    id: raw.id,
    ...(raw.rpm !== undefined ? { rpm: raw.rpm } : {}),
    ...(raw.tpm !== undefined ? { tpm: raw.tpm } : {}),
    ...(raw.daily_usd !== undefined ? { dailyUsd: raw.daily_usd } : {}),
    ...(raw.monthly_usd !== undefined ? { monthlyUsd: raw.monthly_usd } : {}),
    onExceed: raw.on_exceed ?? 'reject',
    ...(raw.downgrade_route !== undefined ? { downgradeRoute: raw.downgrade_route } : {}),
    alertAt: raw.alert_at ?? DEFAULT_BUDGET_ALERT_AT,
  };
}

export interface RoutingIssue {
  path: string;
  message: string;
}

/**
 * Cross-references of the routing sections (routes, models and arms that must exist, actions
 * that need a target). Reads the raw document defensively, like the platform parser, so it
 * reports even when other parts are broken.
 */
export function routingCrossReferenceIssues(root: Record<string, unknown>): RoutingIssue[] {
  const issues: RoutingIssue[] = [];
  const records = (value: unknown): Array<Record<string, unknown> | undefined> =>
    (Array.isArray(value) ? value : []).map((entry) => (typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined));
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const modelIds = new Set(records(root['models']).map((model) => text(model?.['id'])).filter((id): id is string => id !== undefined));
  const routeNames = new Set(records(root['routes']).map((route) => text(route?.['name'])).filter((id): id is string => id !== undefined));
  const listOf = (values: Set<string>) => (values.size > 0 ? [...values].join(', ') : '(none)');
  const checkRoute = (value: unknown, where: string) => {
    const route = text(value);
    if (route !== undefined && !routeNames.has(route)) issues.push({ path: where, message: `unknown route "${route}"; routes are: ${listOf(routeNames)}` });
  };
  const checkChain = (value: unknown, where: string) => {
    (Array.isArray(value) ? value : []).forEach((entry, index) => {
      const id = text(entry);
      if (id !== undefined && !modelIds.has(id)) issues.push({ path: `${where}[${index}]`, message: `unknown model "${id}"; models are: ${listOf(modelIds)}` });
    });
  };

  if (modelIds.has(AUTO_ROUTE_NAME) || routeNames.has(AUTO_ROUTE_NAME)) {
    issues.push({ path: 'routes', message: `"${AUTO_ROUTE_NAME}" is reserved: it asks for the rules-based choice, so no route or model may take that name` });
  }
  records(root['routes']).forEach((route, index) => {
    const weights = route?.['weights'];
    if (typeof weights === 'object' && weights !== null) {
      const chain = new Set((Array.isArray(route?.['chain']) ? route['chain'] : []).filter((id): id is string => typeof id === 'string'));
      for (const id of Object.keys(weights)) {
        if (!chain.has(id)) issues.push({ path: `routes[${index}].weights.${id}`, message: `model "${id}" is not in this route's chain` });
      }
    }
  });
  const ruleNames = new Set<string>();
  records(root['routing_rules']).forEach((rule, index) => {
    const ruleName = text(rule?.['name']);
    if (ruleName !== undefined) {
      if (ruleNames.has(ruleName)) issues.push({ path: `routing_rules[${index}].name`, message: `duplicate rule name "${ruleName}"` });
      ruleNames.add(ruleName);
    }
    checkRoute(rule?.['route'], `routing_rules[${index}].route`);
    const when = rule?.['when'] as Record<string, unknown> | undefined;
    const min = when?.['min_tokens'];
    const max = when?.['max_tokens'];
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      issues.push({ path: `routing_rules[${index}].when`, message: `min_tokens (${min}) is above max_tokens (${max}); the rule could never match` });
    }
  });
  const experimentNames = new Set<string>();
  records(root['experiments']).forEach((experiment, index) => {
    const where = `experiments[${index}]`;
    const experimentName = text(experiment?.['name']);
    if (experimentName !== undefined) {
      if (experimentNames.has(experimentName)) issues.push({ path: `${where}.name`, message: `duplicate experiment name "${experimentName}"` });
      experimentNames.add(experimentName);
    }
    checkRoute(experiment?.['route'], `${where}.route`);
    const arms = records(experiment?.['arms']);
    const armNames = new Set<string>();
    arms.forEach((arm, armIndex) => {
      const armName = text(arm?.['name']);
      if (armName !== undefined) {
        if (armNames.has(armName)) issues.push({ path: `${where}.arms[${armIndex}].name`, message: `duplicate arm name "${armName}"` });
        armNames.add(armName);
      }
      checkRoute(arm?.['route'], `${where}.arms[${armIndex}].route`);
      checkChain(arm?.['chain'], `${where}.arms[${armIndex}].chain`);
      if (arm?.['route'] !== undefined && arm['chain'] !== undefined) {
        issues.push({ path: `${where}.arms[${armIndex}]`, message: 'give either route or chain, not both' });
      }
    });
    if (experiment?.['kind'] === 'canary' && arms.length !== 2) {
      issues.push({ path: `${where}.arms`, message: `a canary has exactly two arms (stable, then canary); found ${arms.length}` });
    }
    if (experiment?.['kind'] === 'ab' && arms.length > 0 && arms.every((arm) => arm?.['weight'] === 0)) {
      issues.push({ path: `${where}.arms`, message: 'every arm has weight 0; no request could be assigned' });
    }
    const shadow = experiment?.['shadow'] as Record<string, unknown> | undefined;
    if (shadow) checkChain(shadow['chain'], `${where}.shadow.chain`);
  });
  records(root['budgets']).forEach((budget, index) => {
    const where = `budgets[${index}]`;
    if (budget && ['rpm', 'tpm', 'daily_usd', 'monthly_usd'].every((key) => budget[key] === undefined)) {
      issues.push({ path: where, message: 'sets no limit; give at least one of rpm, tpm, daily_usd, monthly_usd' });
    }
    if (budget?.['on_exceed'] === 'downgrade' && budget['downgrade_route'] === undefined) {
      issues.push({ path: `${where}.downgrade_route`, message: 'is required when on_exceed is downgrade' });
    }
    checkRoute(budget?.['downgrade_route'], `${where}.downgrade_route`);
  });
  return issues;
}
