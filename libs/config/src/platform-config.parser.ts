import * as path from 'node:path';
import type { z } from 'zod';
import { ConfigValidationError, formatIssuePath, type ConfigIssue } from './config-validation.error';
import {
  DEFAULT_PROVIDER_RESILIENCE,
  DEFAULT_ROUTE_NAME,
  rawApiKeysFileSchema,
  rawPlatformConfigSchema,
  type ApiKeyRecord,
  type GuardrailPolicyConfig,
  type PlatformConfig,
  type ProviderQuirks,
  type ProviderResilience,
  type RawApiKey,
  type RawPlatformConfig,
  type RetrievalEmbedderSettings,
} from './platform-config.schema';
import { routingCrossReferenceIssues, toBudget, toCacheConfig, toExperiment, toRouteCacheConfig, toRoutingRule } from './routing-config.schema';

type RawProvider = RawPlatformConfig['providers'][string];
type RawGuardrailPolicy = NonNullable<RawPlatformConfig['guardrails']['policies']>[number];

/** Anthropic rejects a request without max_tokens; this is what we send when the caller sets none. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Extra hashed API keys from another document (LLMOPS_API_KEYS_FILE), merged after validation. */
export interface ApiKeysDocument {
  /** How issues in it are labelled, e.g. `/srv/.llmops/api-keys.yaml`. */
  label: string;
  document: unknown;
}

export interface ParsePlatformConfigOptions {
  /** Relative directories in the document resolve against this (the config file's directory). */
  baseDir: string;
  /** Names the document in error messages; defaults to `<baseDir>/llmops.yaml`. */
  source?: string;
  extraApiKeys?: ApiKeysDocument[];
}

/**
 * Validates an already-parsed llmops.yaml document and returns the configuration the code uses.
 * Structural checks (zod) and cross-references (ids that must exist, ids that must be unique) are
 * both run on every call so that one error lists every problem.
 */
export function parsePlatformConfig(document: unknown, options: ParsePlatformConfigOptions): PlatformConfig {
  const source = options.source ?? path.join(options.baseDir, 'llmops.yaml');
  const issues: ConfigIssue[] = [];

  const main = rawPlatformConfigSchema.safeParse(document);
  if (!main.success) issues.push(...zodIssues(main.error, document));
  issues.push(...crossReferenceIssues(document));
  issues.push(...retrievalCrossReferenceIssues(document));
  if (asRecord(document)) issues.push(...routingCrossReferenceIssues(asRecord(document)!));

  const extraKeys: Array<{ label: string; keys: RawApiKey[] }> = [];
  for (const extra of options.extraApiKeys ?? []) {
    const parsed = rawApiKeysFileSchema.safeParse(extra.document ?? {});
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, extra.document ?? {}).map((issue) => ({ ...issue, path: `${extra.label}: ${issue.path}` })));
    } else {
      extraKeys.push({ label: extra.label, keys: parsed.data.api_keys ?? [] });
    }
  }
  issues.push(...apiKeyUniquenessIssues(document, options.extraApiKeys ?? []));

  if (issues.length > 0 || !main.success) throw new ConfigValidationError(source, dedupe(issues));
  return toPlatformConfig(main.data, extraKeys.flatMap((extra) => extra.keys), source, options.baseDir);
}

function toPlatformConfig(raw: RawPlatformConfig, extraKeys: RawApiKey[], source: string, baseDir: string): PlatformConfig {
  const toApiKey = (key: RawApiKey): ApiKeyRecord => ({
    id: key.id,
    sha256: key.sha256.toLowerCase(),
    tenant: key.tenant,
    project: key.project,
    ...(key.user !== undefined ? { user: key.user } : {}),
  });
  const cache = toCacheConfig(raw.cache);
  return {
    source,
    providers: Object.entries(raw.providers).map(([id, provider]) => ({
      id,
      kind: provider.kind,
      ...(provider.base_url !== undefined ? { baseUrl: provider.base_url } : {}),
      ...(provider.api_key_env !== undefined ? { apiKeyEnv: provider.api_key_env } : {}),
      quirks: providerQuirksOf(provider),
      resilience: providerResilienceOf(provider),
    })),
    models: raw.models.map((model) => ({
      id: model.id,
      provider: model.provider,
      version: model.version,
      contextWindow: model.context_window,
      price: {
        inputPerMtok: model.price.input_per_mtok,
        outputPerMtok: model.price.output_per_mtok,
        cachedInputPerMtok: model.price.cached_input_per_mtok ?? model.price.input_per_mtok,
      },
      capabilities: [...new Set(model.capabilities ?? [])],
      tags: [...new Set(model.tags ?? [])],
      health: model.health ?? 'healthy',
    })),
    routes: raw.routes.map((route) => ({
      name: route.name,
      chain: [...route.chain],
      ...(route.prompt !== undefined ? { prompt: route.prompt } : {}),
      ...(route.retrieval !== undefined ? { retrieval: { collection: route.retrieval.collection } } : {}),
      strategy: route.strategy ?? 'ordered',
      weights: Object.fromEntries(route.chain.map((id) => [id, route.weights?.[id] ?? 1])),
      cache: toRouteCacheConfig(route.cache, cache),
    })),
    apiKeys: [...(raw.api_keys ?? []), ...extraKeys].map(toApiKey),
    guardrails: {
      maxInputChars: raw.guardrails.max_input_chars,
      redact: [...new Set(raw.guardrails.redact)],
      policies: (raw.guardrails.policies ?? []).map(toGuardrailPolicy),
    },
    prompts: { dir: path.resolve(baseDir, raw.prompts.dir) },
    retrieval: toRetrieval(raw.retrieval, raw.models, baseDir),
    analytics: { retentionDays: raw.analytics.retention_days },
    routingRules: (raw.routing_rules ?? []).map(toRoutingRule),
    experiments: (raw.experiments ?? []).map(toExperiment),
    cache,
    budgets: (raw.budgets ?? []).map(toBudget),
  };
}

function providerQuirksOf(provider: RawProvider): ProviderQuirks {
  const quirks = provider.quirks ?? {};
  const defaultMaxTokens = quirks.default_max_tokens ?? (provider.kind === 'anthropic' ? ANTHROPIC_DEFAULT_MAX_TOKENS : undefined);
  return {
    streamUsage: quirks.stream_usage ?? true,
    maxTokensField: quirks.max_tokens_field ?? 'max_tokens',
    headers: { ...quirks.headers },
    ...(defaultMaxTokens !== undefined ? { defaultMaxTokens } : {}),
  };
}

function providerResilienceOf(provider: RawProvider): ProviderResilience {
  const r = provider.resilience ?? {};
  const d = DEFAULT_PROVIDER_RESILIENCE;
  return {
    attemptTimeoutMs: r.attempt_timeout_ms ?? d.attemptTimeoutMs,
    maxRetries: r.max_retries ?? d.maxRetries,
    backoffInitialMs: r.backoff_initial_ms ?? d.backoffInitialMs,
    backoffMaxMs: r.backoff_max_ms ?? d.backoffMaxMs,
    maxRetryAfterMs: r.max_retry_after_ms ?? d.maxRetryAfterMs,
    breakerFailureThreshold: r.breaker_failure_threshold ?? d.breakerFailureThreshold,
    breakerCooldownMs: r.breaker_cooldown_ms ?? d.breakerCooldownMs,
    fallbackOnContentPolicy: r.fallback_on_content_policy ?? d.fallbackOnContentPolicy,
  };
}

export function zodIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: formatIssuePath(issue.path),
    // zod words a missing key as "expected string, received undefined"; say what it means.
    message: issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined ? 'is required' : issue.message,
  }));
}

function valueAt(input: unknown, keys: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

// Cross-reference checks read the raw document defensively so they still run (and report)
// when other parts of the file are structurally broken.

function crossReferenceIssues(document: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const root = asRecord(document);
  if (!root) return issues;

  const providers = asRecord(root['providers']) ?? {};
  const providerIds = Object.keys(providers);
  for (const [id, value] of Object.entries(providers)) {
    const provider = asRecord(value);
    if (provider?.['kind'] === 'openai-compatible' && provider['base_url'] === undefined) {
      issues.push({ path: `providers.${id}.base_url`, message: 'is required for kind openai-compatible' });
    }
    const resilience = asRecord(provider?.['resilience']);
    const initial = resilience?.['backoff_initial_ms'];
    const max = resilience?.['backoff_max_ms'];
    if (typeof initial === 'number' && typeof max === 'number' && initial > max) {
      issues.push({ path: `providers.${id}.resilience.backoff_max_ms`, message: 'must not be less than backoff_initial_ms' });
    }
  }

  const modelIds = new Map<string, number>();
  const embeddingModels = new Set<string>();
  asArray(root['models']).forEach((value, index) => {
    const model = asRecord(value);
    const id = asString(model?.['id']);
    if (id !== undefined && asArray(model?.['capabilities']).includes('embeddings')) embeddingModels.add(id);
    if (id !== undefined) {
      const first = modelIds.get(id);
      if (first !== undefined) {
        issues.push({ path: `models[${index}].id`, message: `duplicate model id "${id}" (first defined at models[${first}])` });
      } else {
        modelIds.set(id, index);
      }
    }
    const provider = asString(model?.['provider']);
    if (provider !== undefined && !providerIds.includes(provider)) {
      issues.push({
        path: `models[${index}].provider`,
        message: `unknown provider "${provider}"; providers are: ${listOrNone(providerIds)}`,
      });
    }
  });

  const routeNames = new Map<string, number>();
  asArray(root['routes']).forEach((value, index) => {
    const route = asRecord(value);
    const name = asString(route?.['name']);
    if (name !== undefined) {
      const first = routeNames.get(name);
      if (first !== undefined) {
        issues.push({ path: `routes[${index}].name`, message: `duplicate route name "${name}" (first defined at routes[${first}])` });
      } else {
        routeNames.set(name, index);
      }
      if (modelIds.has(name)) {
        issues.push({
          path: `routes[${index}].name`,
          message: `"${name}" is also a model id; a request naming it would be ambiguous, so rename the route`,
        });
      }
    }
    const seen = new Set<string>();
    asArray(route?.['chain']).forEach((entry, position) => {
      const modelId = asString(entry);
      if (modelId === undefined) return;
      if (!modelIds.has(modelId)) {
        issues.push({
          path: `routes[${index}].chain[${position}]`,
          message: `unknown model "${modelId}"; models are: ${listOrNone([...modelIds.keys()])}`,
        });
      } else if (embeddingModels.has(modelId)) {
        // A route answers chat requests; an embedding model cannot, and embeddings never fall back
        // to another model (its vectors would live in another space).
        issues.push({ path: `routes[${index}].chain[${position}]`, message: `model "${modelId}" is an embedding model; call it by its id on /v1/embeddings, not through a route` });
      } else if (seen.has(modelId)) {
        issues.push({ path: `routes[${index}].chain[${position}]`, message: `model "${modelId}" appears twice in the chain` });
      }
      seen.add(modelId);
    });
  });
  if (Array.isArray(root['routes']) && !routeNames.has(DEFAULT_ROUTE_NAME)) {
    issues.push({
      path: 'routes',
      message: `a route named "${DEFAULT_ROUTE_NAME}" is required: it serves requests that name no model`,
    });
  }
  return issues;
}

function apiKeyUniquenessIssues(document: unknown, extraDocuments: ApiKeysDocument[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = new Map<string, string>();
  const hashes = new Map<string, string>();
  const check = (value: unknown, where: string) => {
    const key = asRecord(value);
    const id = asString(key?.['id']);
    const hash = asString(key?.['sha256'])?.toLowerCase();
    if (id !== undefined) {
      const first = ids.get(id);
      if (first !== undefined) issues.push({ path: `${where}.id`, message: `duplicate API key id "${id}" (first defined at ${first})` });
      else ids.set(id, where);
    }
    if (hash !== undefined) {
      const first = hashes.get(hash);
      // The hash is not secret, but naming the other entry is enough to find the mistake.
      if (first !== undefined) issues.push({ path: `${where}.sha256`, message: `same key hash as ${first}` });
      else hashes.set(hash, where);
    }
  };
  asArray(asRecord(document)?.['api_keys']).forEach((key, index) => check(key, `api_keys[${index}]`));
  for (const extra of extraDocuments) {
    asArray(asRecord(extra.document)?.['api_keys']).forEach((key, index) => check(key, `${extra.label}: api_keys[${index}]`));
  }
  return issues;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function listOrNone(values: string[]): string {
  return values.length > 0 ? values.join(', ') : '(none)';
}

function toGuardrailPolicy(policy: RawGuardrailPolicy): GuardrailPolicyConfig {
  const config: GuardrailPolicyConfig = { name: policy.name };
  if (policy.tenants) config.tenants = [...policy.tenants];
  if (policy.routes) config.routes = [...policy.routes];
  if (policy.fail_mode) config.failMode = policy.fail_mode;
  if (policy.input) config.input = [...new Set(policy.input)];
  if (policy.output) config.output = [...new Set(policy.output)];
  if (policy.pii) config.pii = [...new Set(policy.pii)];
  if (policy.reversible_redaction !== undefined) config.reversibleRedaction = policy.reversible_redaction;
  if (policy.stream_output) config.streamOutput = policy.stream_output;
  if (policy.thresholds) config.thresholds = { ...policy.thresholds };
  if (policy.actions) config.actions = { ...policy.actions };
  if (policy.harmful_categories) config.harmfulCategories = [...new Set(policy.harmful_categories)];
  if (policy.deny_topics) config.denyTopics = policy.deny_topics.map((topic) => ({ name: topic.name, terms: [...topic.terms] }));
  if (policy.slow_tier) {
    const tier = policy.slow_tier;
    config.slowTier = {
      enabled: tier.enabled,
      ...(tier.base_url !== undefined ? { baseUrl: tier.base_url.replace(/\/+$/, '') } : {}),
      ...(tier.model !== undefined ? { model: tier.model } : {}),
      ...(tier.api_key_env !== undefined ? { apiKeyEnv: tier.api_key_env } : {}),
      ...(tier.timeout_ms !== undefined ? { timeoutMs: tier.timeout_ms } : {}),
    };
  }
  return config;
}

function toRetrieval(raw: RawPlatformConfig['retrieval'], models: RawPlatformConfig['models'], baseDir: string): PlatformConfig['retrieval'] {
  const embedderOf = (settings: NonNullable<RawPlatformConfig['retrieval']['embedder']>): RetrievalEmbedderSettings => {
    if (settings.kind === 'local') return { kind: 'local', modelDir: path.resolve(baseDir, settings.model_dir) };
    if (settings.kind === 'none') return { kind: 'none' };
    // The cross-reference check guarantees the model exists.
    const model = models.find((candidate) => candidate.id === settings.model)!;
    return { kind: 'remote', model: model.id, provider: model.provider, version: model.version, ...(settings.dimensions ? { dimensions: settings.dimensions } : {}) };
  };
  const embedder = raw.embedder ? embedderOf(raw.embedder) : undefined;
  const collections = Object.fromEntries(
    Object.entries(raw.collections ?? {}).map(([name, collection]) => [
      name,
      {
        chunkTokens: collection.chunk_tokens,
        overlapTokens: collection.overlap_tokens,
        maxTokens: collection.max_tokens,
        pii: collection.pii,
        ...(collection.score_threshold !== undefined ? { scoreThreshold: collection.score_threshold } : {}),
      },
    ]),
  );
  return {
    dataDir: path.resolve(baseDir, raw.data_dir),
    ...(embedder ? { embedder } : {}),
    ...(raw.rerank ? { rerank: { url: raw.rerank.url, model: raw.rerank.model, ...(raw.rerank.api_key_env ? { apiKeyEnv: raw.rerank.api_key_env } : {}) } } : {}),
    ...(raw.score_threshold !== undefined ? { scoreThreshold: raw.score_threshold } : {}),
    collections,
  };
}

/** retrieval.embedder of kind remote must name a model of `models` (its provider serves the embeddings). */
function retrievalCrossReferenceIssues(document: unknown): ConfigIssue[] {
  const root = asRecord(document);
  const embedder = asRecord(asRecord(root?.['retrieval'])?.['embedder']);
  const model = asString(embedder?.['model']);
  if (embedder?.['kind'] !== 'remote' || model === undefined) return [];
  const modelIds = asArray(root?.['models']).map((value) => asString(asRecord(value)?.['id']));
  if (modelIds.includes(model)) return [];
  return [{ path: 'retrieval.embedder.model', message: `unknown model "${model}"; add the embedding model to models` }];
}
