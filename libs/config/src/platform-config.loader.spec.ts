import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigValidationError } from './config-validation.error';
import { loadPlatformConfig } from './platform-config.loader';

const CONFIG = `
providers:
  local:
    kind: local
  ollama:
    kind: openai-compatible
    base_url: http://127.0.0.1:11434/v1
models:
  - id: tiny
    provider: local
    version: tiny-1
    context_window: 4096
    price: { input_per_mtok: 0, output_per_mtok: 0, cached_input_per_mtok: 0 }
routes:
  - name: default
    chain: [tiny]
api_keys:
  - { id: file-key, sha256: ${'a1'.repeat(32)}, tenant: acme, project: web }
guardrails:
  max_input_chars: 32000
  redact: [email]
prompts:
  dir: prompts
retrieval:
  data_dir: .llmops/lancedb
analytics:
  retention_days: 90
`;

describe('loadPlatformConfig', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'llmops-config-'));
    fs.mkdirSync(path.join(root, 'services', 'gateway'), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it('finds llmops.yaml upward from cwd and resolves relative dirs against the file', () => {
    write('llmops.yaml', CONFIG);
    const config = loadPlatformConfig({ env: {}, cwd: path.join(root, 'services', 'gateway') });
    expect(config.source).toBe(path.join(root, 'llmops.yaml'));
    expect(config.prompts.dir).toBe(path.join(root, 'prompts'));
    expect(config.retrieval.dataDir).toBe(path.join(root, '.llmops', 'lancedb'));
  });

  it('prefers an explicit path, then LLMOPS_CONFIG', () => {
    write('llmops.yaml', CONFIG);
    const other = write('etc/other.yaml', CONFIG.replace('retention_days: 90', 'retention_days: 7'));
    expect(loadPlatformConfig({ env: { LLMOPS_CONFIG: 'etc/other.yaml' }, cwd: root }).analytics.retentionDays).toBe(7);
    expect(loadPlatformConfig({ path: other, env: {}, cwd: root }).prompts.dir).toBe(path.join(root, 'etc', 'prompts'));
    expect(() => loadPlatformConfig({ env: { LLMOPS_CONFIG: 'missing.yaml' }, cwd: root })).toThrow(
      `LLMOPS_CONFIG: config file ${path.join(root, 'missing.yaml')} does not exist`,
    );
  });

  it('says where it looked when no config file exists', () => {
    expect(() => loadPlatformConfig({ env: {}, cwd: path.join(root, 'services') })).toThrow(
      /no llmops\.yaml in .*services or any directory above it; set LLMOPS_CONFIG/,
    );
  });

  it('merges hashed keys from LLMOPS_API_KEYS_FILE', () => {
    write('llmops.yaml', CONFIG);
    write('.llmops/api-keys.yaml', `api_keys:\n  - { id: dev, sha256: ${'b2'.repeat(32)}, tenant: acme, project: web, user: ada }\n`);
    const config = loadPlatformConfig({ env: { LLMOPS_API_KEYS_FILE: '.llmops/api-keys.yaml' }, cwd: root });
    expect(config.apiKeys).toEqual([
      { id: 'file-key', sha256: 'a1'.repeat(32), tenant: 'acme', project: 'web' },
      { id: 'dev', sha256: 'b2'.repeat(32), tenant: 'acme', project: 'web', user: 'ada' },
    ]);
  });

  it('reports a missing or invalid keys file', () => {
    write('llmops.yaml', CONFIG);
    expect(() => loadPlatformConfig({ env: { LLMOPS_API_KEYS_FILE: 'nope.yaml' }, cwd: root })).toThrow(
      `LLMOPS_API_KEYS_FILE: ${path.join(root, 'nope.yaml')} does not exist`,
    );
    const keys = write('keys.yaml', `api_keys:\n  - { id: file-key, sha256: ${'c3'.repeat(32)}, tenant: acme }\n`);
    expect(() => loadPlatformConfig({ env: { LLMOPS_API_KEYS_FILE: keys }, cwd: root })).toThrow(
      `(2 problems):\n  - ${keys}: api_keys[0].project: is required\n  - ${keys}: api_keys[0].id: duplicate API key id "file-key" (first defined at api_keys[0])`,
    );
  });

  it('applies environment overrides and names the variable when its value is wrong', () => {
    write('llmops.yaml', CONFIG);
    const config = loadPlatformConfig({
      env: {
        LLMOPS_PROMPTS_DIR: 'elsewhere/prompts',
        LLMOPS_GUARDRAILS_MAX_INPUT_CHARS: '500',
        LLMOPS_PROVIDER_OLLAMA_BASE_URL: 'http://127.0.0.1:9999/v1',
      },
      cwd: path.join(root, 'services'),
    });
    expect(config.prompts.dir).toBe(path.join(root, 'services', 'elsewhere', 'prompts'));
    expect(config.guardrails.maxInputChars).toBe(500);
    expect(config.providers.find((provider) => provider.id === 'ollama')?.baseUrl).toBe('http://127.0.0.1:9999/v1');

    let error: ConfigValidationError | undefined;
    try {
      loadPlatformConfig({ env: { LLMOPS_ANALYTICS_RETENTION_DAYS: 'ninety', LLMOPS_PROVIDER_OPENAI_BASE_URL: 'http://x' }, cwd: root });
    } catch (caught) {
      error = caught as ConfigValidationError;
    }
    expect(error?.issues).toEqual([
      { path: 'LLMOPS_PROVIDER_OPENAI_BASE_URL', message: 'names no provider in the config file; providers are: local, ollama' },
      {
        path: 'analytics.retention_days',
        message: 'Invalid input: expected number, received string (value from LLMOPS_ANALYTICS_RETENTION_DAYS)',
      },
    ]);
  });

  it('reports YAML syntax errors and keys written twice with their line', () => {
    write('llmops.yaml', CONFIG.replace('analytics:\n  retention_days: 90', 'analytics:\n  retention_days: 90\n  retention_days: 30'));
    expect(() => loadPlatformConfig({ env: {}, cwd: root })).toThrow(/llmops\.yaml:\d+:\d+: Map keys must be unique/);
    write('llmops.yaml', 'providers: [unclosed\n');
    expect(() => loadPlatformConfig({ env: {}, cwd: root })).toThrow(ConfigValidationError);
  });
});
