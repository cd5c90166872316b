import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigValidationError, type ConfigIssue } from './config-validation.error';
import { parsePlatformConfig, type ApiKeysDocument } from './platform-config.parser';
import type { PlatformConfig } from './platform-config.schema';

export const CONFIG_FILE_NAME = 'llmops.yaml';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadPlatformConfigOptions {
  /** Explicit config file; otherwise LLMOPS_CONFIG, otherwise llmops.yaml searched upward from cwd. */
  path?: string;
  env: Environment;
  /** Where relative paths from the environment resolve and the upward search starts; defaults to process.cwd(). */
  cwd?: string;
}

/**
 * Reads, overrides from the environment and validates llmops.yaml. Synchronous on purpose: it
 * runs once at boot, before anything else is worth doing.
 *
 * Environment overrides (relative paths resolve against cwd, since that is where they were typed):
 * - LLMOPS_CONFIG: the config file
 * - LLMOPS_API_KEYS_FILE: a YAML file with more `api_keys:` entries (same shape), merged in
 * - LLMOPS_PROMPTS_DIR → prompts.dir, LLMOPS_RETRIEVAL_DATA_DIR → retrieval.data_dir
 * - LLMOPS_ANALYTICS_RETENTION_DAYS → analytics.retention_days
 * - LLMOPS_GUARDRAILS_MAX_INPUT_CHARS → guardrails.max_input_chars
 * - LLMOPS_PROVIDER_<ID>_BASE_URL → providers.<id>.base_url (ID upper-cased, other characters as "_")
 */
export function loadPlatformConfig(options: LoadPlatformConfigOptions): PlatformConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env;
  const configPath = resolveConfigPath(options.path, env, cwd);
  const document = readYamlFile(configPath, configPath);
  const overrides = applyEnvironmentOverrides(document, env, cwd);

  const extraApiKeys: ApiKeysDocument[] = [];
  const keysFile = nonEmpty(env['LLMOPS_API_KEYS_FILE']);
  if (keysFile !== undefined) {
    const keysPath = path.resolve(cwd, keysFile);
    extraApiKeys.push({ label: keysPath, document: readYamlFile(keysPath, configPath, 'LLMOPS_API_KEYS_FILE') });
  }

  try {
    return parsePlatformConfig(document, { baseDir: path.dirname(configPath), source: configPath, extraApiKeys });
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const issues = [...overrides.issues, ...error.issues].map((issue) => {
      const variable = overrides.byPath.get(issue.path);
      return variable ? { ...issue, message: `${issue.message} (value from ${variable})` } : issue;
    });
    throw new ConfigValidationError(configPath, issues);
  }
}

function resolveConfigPath(explicit: string | undefined, env: Environment, cwd: string): string {
  const fromEnv = nonEmpty(env['LLMOPS_CONFIG']);
  const chosen = explicit ?? fromEnv;
  if (chosen !== undefined) {
    const resolved = path.resolve(cwd, chosen);
    if (!fs.existsSync(resolved)) {
      const origin = explicit !== undefined ? 'path' : 'LLMOPS_CONFIG';
      throw new ConfigValidationError(resolved, [{ path: origin, message: `config file ${resolved} does not exist` }]);
    }
    return resolved;
  }
  const searched: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    searched.push(dir);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new ConfigValidationError(CONFIG_FILE_NAME, [
    {
      path: 'LLMOPS_CONFIG',
      message: `not set, and no ${CONFIG_FILE_NAME} in ${searched[0]} or any directory above it; set LLMOPS_CONFIG to the config file`,
    },
  ]);
}

function readYamlFile(filePath: string, reportAs: string, variable?: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new ConfigValidationError(reportAs, [{ path: variable ?? filePath, message: `${filePath} ${reason}` }]);
  }
  // uniqueKeys (the default) turns a key written twice into an error instead of last-one-wins.
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigValidationError(
      reportAs,
      document.errors.map((error) => ({
        path: error.linePos ? `${filePath}:${error.linePos[0].line}:${error.linePos[0].col}` : filePath,
        message: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  return document.toJS();
}

interface OverrideResult {
  /** Config path (as issues name it) → the variable that set it, to point errors at the right place. */
  byPath: Map<string, string>;
  issues: ConfigIssue[];
}

function applyEnvironmentOverrides(document: unknown, env: Environment, cwd: string): OverrideResult {
  const result: OverrideResult = { byPath: new Map(), issues: [] };
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return result;
  const root = document as Record<string, unknown>;

  const set = (section: string, key: string, variable: string, value: unknown) => {
    const current = root[section];
    const target = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
    target[key] = value;
    root[section] = target;
    result.byPath.set(`${section}.${key}`, variable);
  };

  const directories: Array<[string, string, string]> = [
    ['LLMOPS_PROMPTS_DIR', 'prompts', 'dir'],
    ['LLMOPS_RETRIEVAL_DATA_DIR', 'retrieval', 'data_dir'],
  ];
  for (const [variable, section, key] of directories) {
    const value = nonEmpty(env[variable]);
    if (value !== undefined) set(section, key, variable, path.resolve(cwd, value));
  }

  const integers: Array<[string, string, string]> = [
    ['LLMOPS_ANALYTICS_RETENTION_DAYS', 'analytics', 'retention_days'],
    ['LLMOPS_GUARDRAILS_MAX_INPUT_CHARS', 'guardrails', 'max_input_chars'],
  ];
  for (const [variable, section, key] of integers) {
    const value = nonEmpty(env[variable]);
    // A non-numeric value is passed on as a string so the schema reports it with the others.
    if (value !== undefined) set(section, key, variable, /^\d+$/.test(value) ? Number(value) : value);
  }

  const providers = root['providers'];
  const providerIds =
    typeof providers === 'object' && providers !== null && !Array.isArray(providers) ? Object.keys(providers) : [];
  for (const [variable, value] of Object.entries(env)) {
    const match = /^LLMOPS_PROVIDER_(.+)_BASE_URL$/.exec(variable);
    if (!match || nonEmpty(value) === undefined) continue;
    const id = providerIds.find((candidate) => providerEnvName(candidate) === match[1]);
    if (id === undefined) {
      result.issues.push({ path: variable, message: `names no provider in the config file; providers are: ${providerIds.join(', ') || '(none)'}` });
      continue;
    }
    const provider = (providers as Record<string, unknown>)[id];
    if (typeof provider === 'object' && provider !== null) {
      (provider as Record<string, unknown>)['base_url'] = value;
      result.byPath.set(`providers.${id}.base_url`, variable);
    }
  }
  return result;
}

/** `ollama` → `OLLAMA`, `azure-eu` → `AZURE_EU`: how a provider id appears in variable names. */
export function providerEnvName(providerId: string): string {
  return providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
