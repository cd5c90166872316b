import { z } from 'zod';
import {
  rawModelCatalogFields,
  rawRouteStrategyFields,
  rawRoutingSections,
  type BudgetConfig,
  type CacheConfig,
  type ExperimentConfig,
  type ModelCapability,
  type ModelHealth,
  type RouteCacheConfig,
  type RoutingRuleConfig,
  type RoutingStrategy,
} from './routing-config.schema';

// The shape of llmops.yaml exactly as written (snake_case). Objects are strict so a misspelt key
// (`base_ur:`) is reported instead of silently ignored.

const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must start with a letter or digit and use only letters, digits, ".", "_", ":" or "-"');

const envVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as OPENAI_API_KEY');

const MAX_PRICE_DECIMALS = 6;

/** USD per million tokens; six decimals at most so prices stay exact in integer pico-dollars per token. */
const pricePerMtok = z
  .number()
  .finite()
  .nonnegative()
  .refine((value) => Number.isInteger(Number((value * 10 ** MAX_PRICE_DECIMALS).toFixed(3))), {
    message: `must have at most ${MAX_PRICE_DECIMALS} decimal places`,
  });

export const providerKinds = ['local', 'openai-compatible', 'anthropic'] as const;

const positiveMs = z.number().int().positive();

/** How an OpenAI-compatible server departs from OpenAI's API: data, so no adapter branches per vendor. */
export const rawProviderQuirksSchema = z.strictObject({
  /** Whether the server honours `stream_options.include_usage` (vLLM, Groq, OpenAI do; some TGI builds reject it). */
  stream_usage: z.boolean().optional(),
  /** `max_completion_tokens` for OpenAI's reasoning models; most servers take `max_tokens`. */
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** Sent on every request (e.g. `HTTP-Referer` for OpenRouter, an `anthropic-beta` flag). Not for secrets. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name'), z.string()).optional(),
  /** Sent when the caller sets no limit; Anthropic requires one on every request. */
  default_max_tokens: z.number().int().positive().optional(),
});

/** Per-attempt timeout, retries and the circuit breaker; every key has a default. */
export const rawProviderResilienceSchema = z.strictObject({
  attempt_timeout_ms: positiveMs.optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  backoff_initial_ms: positiveMs.optional(),
  backoff_max_ms: positiveMs.optional(),
  /** A Retry-After longer than this is not waited for: the chain falls back instead. */
  max_retry_after_ms: z.number().int().min(0).optional(),
  breaker_failure_threshold: z.number().int().positive().optional(),
  breaker_cooldown_ms: positiveMs.optional(),
  /** Whether a content-policy refusal moves on to the next model of the chain. */
  fallback_on_content_policy: z.boolean().optional(),
});

export const rawProviderSchema = z.strictObject({
  kind: z.enum(providerKinds),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  api_key_env: envVarName.optional(),
  quirks: rawProviderQuirksSchema.optional(),
  resilience: rawProviderResilienceSchema.optional(),
});

export const rawModelSchema = z.strictObject({
  id: identifier,
  provider: z.string().min(1),
  version: z.string().min(1),
  context_window: z.number().int().positive(),
  price: z.strictObject({
    input_per_mtok: pricePerMtok,
    output_per_mtok: pricePerMtok,
    // Absent means the provider gives no discount for cached input.
    cached_input_per_mtok: pricePerMtok.optional(),
  }),
  ...rawModelCatalogFields,
});

export const rawRouteSchema = z.strictObject({
  name: identifier,
  chain: z.array(z.string().min(1)).min(1, 'must name at least one model'),
  prompt: z.string().min(1).optional(),
  retrieval: z.strictObject({ collection: identifier }).optional(),
  ...rawRouteStrategyFields,
});

export const rawApiKeySchema = z.strictObject({
  id: identifier,
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex digits of a sha256 hash, never the key itself'),
  tenant: z.string().min(1),
  project: z.string().min(1),
  user: z.string().min(1).optional(),
});

export const redactionKinds = ['email', 'payment_card', 'phone', 'iban', 'us_ssn', 'ip_address', 'secret'] as const;
export const guardrailActionNames = ['pass', 'redact', 'rewrite', 'block'] as const;
export const guardrailInputChecks = ['validation', 'pii', 'injection', 'harmful', 'topics'] as const;
export const guardrailOutputChecks = ['pii', 'secrets', 'harmful', 'topics', 'refusal', 'json', 'groundedness'] as const;
/** Llama Guard 3 hazard categories. */
export const harmCategories = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10', 'S11', 'S12', 'S13', 'S14'] as const;

const unitScore = z.number().min(0).max(1);

/** A guardrail policy; every key left out is inherited from the policy named `default` (or the built-in defaults). */
export const rawGuardrailPolicySchema = z.strictObject({
  name: identifier,
  // Absent means any tenant / any route. The first policy (in file order) matching both applies.
  tenants: z.array(z.string().min(1)).min(1).optional(),
  routes: z.array(z.string().min(1)).min(1).optional(),
  // What the gateway does when guardrails cannot be reached: open lets the request through unchecked.
  fail_mode: z.enum(['open', 'closed']).optional(),
  input: z.array(z.enum(guardrailInputChecks)).optional(),
  output: z.array(z.enum(guardrailOutputChecks)).optional(),
  pii: z.array(z.enum(redactionKinds)).optional(),
  reversible_redaction: z.boolean().optional(),
  // Streamed answers: `after` checks the whole text once it has been sent (findings are alerts);
  // `buffered` checks each sentence before it is sent. Reversible redaction always buffers.
  stream_output: z.enum(['after', 'buffered']).optional(),
  thresholds: z
    .strictObject({ pii: unitScore, injection: unitScore, harmful: unitScore, groundedness: unitScore })
    .partial()
    .optional(),
  // Finding type (`email`, `prompt_injection`, ...) or category (`pii`, `harmful`, ...) → action.
  actions: z.record(z.string().min(1), z.enum(guardrailActionNames)).optional(),
  harmful_categories: z.array(z.enum(harmCategories)).optional(),
  deny_topics: z.array(z.strictObject({ name: identifier, terms: z.array(z.string().min(1)).min(1) })).optional(),
  // Model-based check through an OpenAI-compatible /moderations endpoint; runs beside the request,
  // never in front of it (see docs/guardrails.md).
  slow_tier: z
    .strictObject({
      enabled: z.boolean(),
      base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      model: z.string().min(1).optional(),
      api_key_env: envVarName.optional(),
      timeout_ms: z.number().int().positive().optional(),
    })
    .refine((tier) => !tier.enabled || (tier.base_url !== undefined && tier.model !== undefined), {
      message: 'base_url and model are required when the slow tier is enabled',
      path: ['enabled'],
    })
    .optional(),
});

const rawGuardrailPoliciesSchema = z.array(rawGuardrailPolicySchema).superRefine((policies, context) => {
  const seen = new Map<string, number>();
  policies.forEach((policy, index) => {
    const first = seen.get(policy.name);
    if (first !== undefined) context.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate policy name "${policy.name}" (first defined at policies[${first}])` });
    else seen.set(policy.name, index);
  });
});

const rawRetrievalCollectionSchema = z
  .strictObject({
    chunk_tokens: z.number().int().min(32).max(2048).default(384),
    overlap_tokens: z.number().int().min(0).default(58),
    max_tokens: z.number().int().min(32).max(4096).default(512),
    score_threshold: z.number().min(-1).max(1).optional(),
    pii: z.enum(['off', 'redact']).default('off'),
  })
  .superRefine((collection, context) => {
    if (collection.max_tokens < collection.chunk_tokens) context.addIssue({ code: 'custom', path: ['max_tokens'], message: 'must be at least chunk_tokens' });
    if (collection.overlap_tokens >= collection.chunk_tokens) context.addIssue({ code: 'custom', path: ['overlap_tokens'], message: 'must be less than chunk_tokens' });
  });

const rawRetrievalSchema = z.strictObject({
  data_dir: z.string().min(1),
  /** local: an ONNX sentence encoder on disk; remote: an embedding model of `models` through the inference service; none: keyword search only. */
  embedder: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('local'), model_dir: z.string().min(1) }),
      z.strictObject({ kind: z.literal('remote'), model: z.string().min(1), dimensions: z.number().int().positive().optional() }),
      z.strictObject({ kind: z.literal('none') }),
    ])
    .optional(),
  /** A Cohere/Jina/TEI-shaped POST {url} {model, query, documents, top_n} endpoint. */
  rerank: z.strictObject({ url: z.url(), model: z.string().min(1), api_key_env: z.string().min(1).optional() }).optional(),
  score_threshold: z.number().min(-1).max(1).optional(),
  collections: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'collection names use a-z, 0-9, _ and -'), rawRetrievalCollectionSchema).optional(),
});

export const rawPlatformConfigSchema = z.strictObject({
  providers: z.record(identifier, rawProviderSchema),
  models: z.array(rawModelSchema).min(1, 'must list at least one model'),
  routes: z.array(rawRouteSchema).min(1, 'must list at least one route'),
  api_keys: z.array(rawApiKeySchema).nullish(),
  guardrails: z.strictObject({
    max_input_chars: z.number().int().positive(),
    redact: z.array(z.enum(redactionKinds)),
    policies: rawGuardrailPoliciesSchema.optional(),
  }),
  prompts: z.strictObject({ dir: z.string().min(1) }),
  retrieval: rawRetrievalSchema,
  analytics: z.strictObject({ retention_days: z.number().int().positive() }),
  ...rawRoutingSections,
});

/** The file LLMOPS_API_KEYS_FILE points at: extra hashed keys, same shape as `api_keys`. */
export const rawApiKeysFileSchema = z.strictObject({
  api_keys: z.array(rawApiKeySchema).nullish(),
});

export type RawPlatformConfig = z.infer<typeof rawPlatformConfigSchema>;
export type RawApiKey = z.infer<typeof rawApiKeySchema>;

// The validated configuration as the code uses it (camelCase, paths absolute, defaults applied).

export type ProviderKind = (typeof providerKinds)[number];
export type RedactionKind = (typeof redactionKinds)[number];

export interface ProviderQuirks {
  streamUsage: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  headers: Record<string, string>;
  defaultMaxTokens?: number;
}

export interface ProviderResilience {
  attemptTimeoutMs: number;
  maxRetries: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  breakerFailureThreshold: number;
  breakerCooldownMs: number;
  fallbackOnContentPolicy: boolean;
}

export const DEFAULT_PROVIDER_RESILIENCE: Readonly<ProviderResilience> = {
  attemptTimeoutMs: 30_000,
  maxRetries: 2,
  backoffInitialMs: 250,
  backoffMaxMs: 8_000,
  maxRetryAfterMs: 20_000,
  breakerFailureThreshold: 5,
  breakerCooldownMs: 30_000,
  fallbackOnContentPolicy: false,
};

export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  baseUrl?: string;
  /** Name of the environment variable holding the provider's API key; the key itself is never in config. */
  apiKeyEnv?: string;
  quirks: ProviderQuirks;
  resilience: ProviderResilience;
}

export interface ModelPrice {
  inputPerMtok: number;
  outputPerMtok: number;
  cachedInputPerMtok: number;
}

export interface ModelConfig {
  id: string;
  provider: string;
  version: string;
  contextWindow: number;
  price: ModelPrice;
  capabilities: ModelCapability[];
  tags: string[];
  /** `down` models are skipped by routing while another model of the chain can serve. */
  health: ModelHealth;
}

export interface RouteConfig {
  name: string;
  chain: string[];
  prompt?: string;
  retrieval?: { collection: string };
  strategy: RoutingStrategy;
  /** For `weighted`: model id → weight (every chain model present). */
  weights: Record<string, number>;
  cache: RouteCacheConfig;
}

export interface ApiKeyRecord {
  id: string;
  /** Lower-case hex sha256 of the key. */
  sha256: string;
  tenant: string;
  project: string;
  user?: string;
}

export type GuardrailActionName = (typeof guardrailActionNames)[number];
export type GuardrailInputCheck = (typeof guardrailInputChecks)[number];
export type GuardrailOutputCheck = (typeof guardrailOutputChecks)[number];
export type HarmCategory = (typeof harmCategories)[number];

export interface GuardrailSlowTierConfig {
  enabled: boolean;
  baseUrl?: string;
  model?: string;
  /** Name of the environment variable holding the endpoint's API key. */
  apiKeyEnv?: string;
  timeoutMs?: number;
}

/** One policy as written; unset keys are resolved by the guardrails service against `default`. */
export interface GuardrailPolicyConfig {
  name: string;
  tenants?: string[];
  routes?: string[];
  failMode?: 'open' | 'closed';
  input?: GuardrailInputCheck[];
  output?: GuardrailOutputCheck[];
  pii?: RedactionKind[];
  reversibleRedaction?: boolean;
  streamOutput?: 'after' | 'buffered';
  thresholds?: Partial<Record<'pii' | 'injection' | 'harmful' | 'groundedness', number>>;
  actions?: Record<string, GuardrailActionName>;
  harmfulCategories?: HarmCategory[];
  denyTopics?: { name: string; terms: string[] }[];
  slowTier?: GuardrailSlowTierConfig;
}

export interface GuardrailsConfig {
  maxInputChars: number;
  /** PII kinds redacted by the default policy (the `pii` of a policy overrides it). */
  redact: RedactionKind[];
  policies: GuardrailPolicyConfig[];
}

export type RetrievalEmbedderSettings =
  | { kind: 'local'; /** absolute */ modelDir: string }
  | { kind: 'remote'; /** id in `models` */ model: string; provider: string; version: string; dimensions?: number }
  | { kind: 'none' };

export interface RetrievalCollectionSettings {
  chunkTokens: number;
  overlapTokens: number;
  maxTokens: number;
  scoreThreshold?: number;
  pii: 'off' | 'redact';
}

export interface RetrievalSettings {
  /** Absolute. */
  dataDir: string;
  /** Undefined when llmops.yaml says nothing: the service then uses the local model when it is installed. */
  embedder?: RetrievalEmbedderSettings;
  rerank?: { url: string; model: string; apiKeyEnv?: string };
  scoreThreshold?: number;
  collections: Record<string, RetrievalCollectionSettings>;
}

export interface PlatformConfig {
  /** Absolute path of the file this came from, or a description when built from an object. */
  source: string;
  providers: ProviderConfig[];
  models: ModelConfig[];
  routes: RouteConfig[];
  apiKeys: ApiKeyRecord[];
  guardrails: GuardrailsConfig;
  /** `dir` is absolute. */
  prompts: { dir: string };
  retrieval: RetrievalSettings;
  analytics: { retentionDays: number };
  /** Applied in order to requests naming no model (or `auto`); first match wins. */
  routingRules: RoutingRuleConfig[];
  experiments: ExperimentConfig[];
  cache: CacheConfig;
  budgets: BudgetConfig[];
}

/** Every route that serves requests naming no model. */
export const DEFAULT_ROUTE_NAME = 'default';
