import { ConfigValidationError } from './config-validation.error';
import { parsePlatformConfig } from './platform-config.parser';

function validDocument(): Record<string, any> {
  return {
    providers: {
      local: { kind: 'local' },
      openai: { kind: 'openai-compatible', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY' },
    },
    models: [
      { id: 'tiny', provider: 'local', version: 'tiny-1', context_window: 4096, price: { input_per_mtok: 0, output_per_mtok: 0 } },
      {
        id: 'gpt-4o-mini',
        provider: 'openai',
        version: 'gpt-4o-mini-2024-07-18',
        context_window: 128000,
        price: { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
      },
    ],
    routes: [
      { name: 'default', chain: ['tiny'] },
      { name: 'smart', chain: ['gpt-4o-mini', 'tiny'], prompt: 'docs-qa', retrieval: { collection: 'docs' } },
    ],
    api_keys: [{ id: 'dev', sha256: 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD', tenant: 't1', project: 'p1' }],
    guardrails: { max_input_chars: 1000, redact: ['email', 'payment_card', 'email'] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: '/var/lib/llmops/lancedb' },
    analytics: { retention_days: 30 },
  };
}

function issuesOf(document: unknown): Array<{ path: string; message: string }> {
  try {
    parsePlatformConfig(document, { baseDir: '/srv/app' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return [...(error as ConfigValidationError).issues];
  }
  throw new Error('expected the document to be rejected');
}

describe('parsePlatformConfig', () => {
  it('turns a valid document into the camelCase configuration with absolute directories', () => {
    const config = parsePlatformConfig(validDocument(), { baseDir: '/srv/app' });

    expect(config.source).toBe('/srv/app/llmops.yaml');
    expect(config.providers).toEqual([
      { id: 'local', kind: 'local' },
      { id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
    ]);
    expect(config.models[0]).toEqual({
      id: 'tiny',
      provider: 'local',
      version: 'tiny-1',
      contextWindow: 4096,
      // no cached price given: cached input costs what input costs
      price: { inputPerMtok: 0, outputPerMtok: 0, cachedInputPerMtok: 0 },
    });
    expect(config.models[1]!.price).toEqual({ inputPerMtok: 0.15, outputPerMtok: 0.6, cachedInputPerMtok: 0.075 });
    expect(config.routes[1]).toEqual({ name: 'smart', chain: ['gpt-4o-mini', 'tiny'], prompt: 'docs-qa', retrieval: { collection: 'docs' } });
    expect(config.apiKeys).toEqual([
      { id: 'dev', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', tenant: 't1', project: 'p1' },
    ]);
    expect(config.guardrails).toEqual({ maxInputChars: 1000, redact: ['email', 'payment_card'] });
    expect(config.prompts.dir).toBe('/srv/app/prompts');
    expect(config.retrieval.dataDir).toBe('/var/lib/llmops/lancedb');
    expect(config.analytics.retentionDays).toBe(30);
  });

  it('accepts api_keys written as an empty list or left out', () => {
    const withEmpty = { ...validDocument(), api_keys: [] };
    const { api_keys: _omitted, ...without } = validDocument();
    expect(parsePlatformConfig(withEmpty, { baseDir: '/srv' }).apiKeys).toEqual([]);
    expect(parsePlatformConfig(without, { baseDir: '/srv' }).apiKeys).toEqual([]);
  });

  it('lists every structural and cross-reference problem in one error', () => {
    const document = validDocument();
    document.providers.openai.base_ur = 'https://typo.example';
    delete document.providers.openai.base_url;
    document.models[0].provider = 'nowhere';
    document.models[1].context_window = 0;
    document.models[1].price.input_per_mtok = 0.1234567;
    document.routes[1].chain = ['gpt-4o-mini', 'gpt-5', 'gpt-4o-mini'];
    document.guardrails.redact = ['ssn'];
    delete document.analytics;

    expect(issuesOf(document)).toEqual([
      { path: 'providers.openai', message: 'Unrecognized key: "base_ur"' },
      { path: 'models[1].context_window', message: expect.stringContaining('Too small') },
      { path: 'models[1].price.input_per_mtok', message: 'must have at most 6 decimal places' },
      { path: 'guardrails.redact[0]', message: expect.stringContaining('"email"|"payment_card"') },
      { path: 'analytics', message: 'is required' },
      { path: 'providers.openai.base_url', message: 'is required for kind openai-compatible' },
      { path: 'models[0].provider', message: 'unknown provider "nowhere"; providers are: local, openai' },
      { path: 'routes[1].chain[1]', message: 'unknown model "gpt-5"; models are: tiny, gpt-4o-mini' },
      { path: 'routes[1].chain[2]', message: 'model "gpt-4o-mini" appears twice in the chain' },
    ]);
  });

  it('puts every problem, with its path, into the error message', () => {
    const document = validDocument();
    document.models[0].provider = 'nowhere';
    delete document.prompts;
    expect(() => parsePlatformConfig(document, { baseDir: '/srv/app', source: '/srv/app/llmops.yaml' })).toThrow(
      'Invalid configuration in /srv/app/llmops.yaml (2 problems):\n' +
        '  - prompts: is required\n' +
        '  - models[0].provider: unknown provider "nowhere"; providers are: local, openai',
    );
  });

  it('rejects duplicate ids, a missing default route and a route named like a model', () => {
    const document = validDocument();
    document.models.push({ ...document.models[0] });
    document.routes = [
      { name: 'smart', chain: ['tiny'] },
      { name: 'smart', chain: ['tiny'] },
      { name: 'tiny', chain: ['tiny'] },
    ];
    document.api_keys.push({ ...document.api_keys[0], sha256: document.api_keys[0].sha256.toLowerCase() });

    expect(issuesOf(document)).toEqual([
      { path: 'models[2].id', message: 'duplicate model id "tiny" (first defined at models[0])' },
      { path: 'routes[1].name', message: 'duplicate route name "smart" (first defined at routes[0])' },
      { path: 'routes[2].name', message: '"tiny" is also a model id; a request naming it would be ambiguous, so rename the route' },
      { path: 'routes', message: 'a route named "default" is required: it serves requests that name no model' },
      { path: 'api_keys[1].id', message: 'duplicate API key id "dev" (first defined at api_keys[0])' },
      { path: 'api_keys[1].sha256', message: 'same key hash as api_keys[0]' },
    ]);
  });

  it('rejects a key written in clear instead of its hash', () => {
    const document = validDocument();
    document.api_keys[0].sha256 = 'sk-live-123';
    expect(issuesOf(document)).toEqual([
      { path: 'api_keys[0].sha256', message: 'must be the 64 hex digits of a sha256 hash, never the key itself' },
    ]);
  });

  it('validates extra API-key documents and checks uniqueness across them', () => {
    const document = validDocument();
    const extra = {
      label: '/srv/keys.yaml',
      document: {
        api_keys: [
          { id: 'dev', sha256: 'a'.repeat(64), tenant: 't2', project: 'p2' },
          { id: 'ci', sha256: 'b'.repeat(64), tenant: 't2', project: 'p2', user: 'robot' },
        ],
      },
    };
    expect(() => parsePlatformConfig(document, { baseDir: '/srv', extraApiKeys: [extra] })).toThrow(
      '/srv/keys.yaml: api_keys[0].id: duplicate API key id "dev" (first defined at api_keys[0])',
    );

    extra.document.api_keys[0]!.id = 'other';
    const config = parsePlatformConfig(document, { baseDir: '/srv', extraApiKeys: [extra] });
    expect(config.apiKeys.map((key) => key.id)).toEqual(['dev', 'other', 'ci']);
    expect(config.apiKeys[2]).toEqual({ id: 'ci', sha256: 'b'.repeat(64), tenant: 't2', project: 'p2', user: 'robot' });

    const broken = { label: '/srv/keys.yaml', document: { api_keys: [{ id: 'x' }] } };
    expect(() => parsePlatformConfig(document, { baseDir: '/srv', extraApiKeys: [broken] })).toThrow(
      '/srv/keys.yaml: api_keys[0].sha256: is required',
    );
  });

  it('rejects something that is not a mapping at all', () => {
    expect(() => parsePlatformConfig('just a string', { baseDir: '/srv' })).toThrow(ConfigValidationError);
  });
});
