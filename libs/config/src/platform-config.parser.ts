import * as path from 'node:path';
import type { z } from 'zod';
import { ConfigValidationError, formatIssuePath, type ConfigIssue } from './config-validation.error';
import {
  DEFAULT_ROUTE_NAME,
  rawApiKeysFileSchema,
  rawPlatformConfigSchema,
  type ApiKeyRecord,
  type PlatformConfig,
  type RawApiKey,
  type RawPlatformConfig,
} from './platform-config.schema';

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
  return {
    source,
    providers: Object.entries(raw.providers).map(([id, provider]) => ({
      id,
      kind: provider.kind,
      ...(provider.base_url !== undefined ? { baseUrl: provider.base_url } : {}),
      ...(provider.api_key_env !== undefined ? { apiKeyEnv: provider.api_key_env } : {}),
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
    })),
    routes: raw.routes.map((route) => ({
      name: route.name,
      chain: [...route.chain],
      ...(route.prompt !== undefined ? { prompt: route.prompt } : {}),
      ...(route.retrieval !== undefined ? { retrieval: { collection: route.retrieval.collection } } : {}),
    })),
    apiKeys: [...(raw.api_keys ?? []), ...extraKeys].map(toApiKey),
    guardrails: {
      maxInputChars: raw.guardrails.max_input_chars,
      redact: [...new Set(raw.guardrails.redact)],
    },
    prompts: { dir: path.resolve(baseDir, raw.prompts.dir) },
    retrieval: { dataDir: path.resolve(baseDir, raw.retrieval.data_dir) },
    analytics: { retentionDays: raw.analytics.retention_days },
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
  }

  const modelIds = new Map<string, number>();
  asArray(root['models']).forEach((value, index) => {
    const model = asRecord(value);
    const id = asString(model?.['id']);
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
