import { z } from 'zod';

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

export const providerKinds = ['local', 'openai-compatible'] as const;

export const rawProviderSchema = z.strictObject({
  kind: z.enum(providerKinds),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  api_key_env: envVarName.optional(),
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
});

export const rawRouteSchema = z.strictObject({
  name: identifier,
  chain: z.array(z.string().min(1)).min(1, 'must name at least one model'),
  prompt: z.string().min(1).optional(),
  retrieval: z.strictObject({ collection: identifier }).optional(),
});

export const rawApiKeySchema = z.strictObject({
  id: identifier,
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex digits of a sha256 hash, never the key itself'),
  tenant: z.string().min(1),
  project: z.string().min(1),
  user: z.string().min(1).optional(),
});

export const redactionKinds = ['email', 'payment_card'] as const;

export const rawPlatformConfigSchema = z.strictObject({
  providers: z.record(identifier, rawProviderSchema),
  models: z.array(rawModelSchema).min(1, 'must list at least one model'),
  routes: z.array(rawRouteSchema).min(1, 'must list at least one route'),
  api_keys: z.array(rawApiKeySchema).nullish(),
  guardrails: z.strictObject({
    max_input_chars: z.number().int().positive(),
    redact: z.array(z.enum(redactionKinds)),
  }),
  prompts: z.strictObject({ dir: z.string().min(1) }),
  retrieval: z.strictObject({ data_dir: z.string().min(1) }),
  analytics: z.strictObject({ retention_days: z.number().int().positive() }),
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

export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  baseUrl?: string;
  /** Name of the environment variable holding the provider's API key; the key itself is never in config. */
  apiKeyEnv?: string;
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
}

export interface RouteConfig {
  name: string;
  chain: string[];
  prompt?: string;
  retrieval?: { collection: string };
}

export interface ApiKeyRecord {
  id: string;
  /** Lower-case hex sha256 of the key. */
  sha256: string;
  tenant: string;
  project: string;
  user?: string;
}

export interface GuardrailsConfig {
  maxInputChars: number;
  redact: RedactionKind[];
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
  /** `dataDir` is absolute. */
  retrieval: { dataDir: string };
  analytics: { retentionDays: number };
}

/** Every route that serves requests naming no model. */
export const DEFAULT_ROUTE_NAME = 'default';
