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

describe('parsePlatformConfig: provider quirks and resilience', () => {
  it('applies defaults when a provider sets neither', () => {
    const config = parsePlatformConfig(validDocument(), { baseDir: '/srv/app' });
    expect(config.providers[1]).toEqual({
      id: 'openai',
      kind: 'openai-compatible',
      baseUrl: 'https://api.openai.com/v1',
      apiKeyEnv: 'OPENAI_API_KEY',
      quirks: { streamUsage: true, maxTokensField: 'max_tokens', headers: {} },
      resilience: {
        attemptTimeoutMs: 30_000,
        maxRetries: 2,
        backoffInitialMs: 250,
        backoffMaxMs: 8_000,
        maxRetryAfterMs: 20_000,
        breakerFailureThreshold: 5,
        breakerCooldownMs: 30_000,
        fallbackOnContentPolicy: false,
      },
    });
  });

  it('reads quirks and resilience settings, and gives anthropic a default max_tokens', () => {
    const document = validDocument();
    document['providers'].tgi = {
      kind: 'openai-compatible',
      base_url: 'http://127.0.0.1:8080/v1',
      quirks: { stream_usage: false, max_tokens_field: 'max_completion_tokens', headers: { 'X-Title': 'llmops' } },
      resilience: { attempt_timeout_ms: 5000, max_retries: 0, breaker_failure_threshold: 2, fallback_on_content_policy: true },
    };
    document['providers'].anthropic = { kind: 'anthropic', api_key_env: 'ANTHROPIC_API_KEY' };
    const config = parsePlatformConfig(document, { baseDir: '/srv/app' });
    const tgi = config.providers.find((p) => p.id === 'tgi')!;
    expect(tgi.quirks).toEqual({ streamUsage: false, maxTokensField: 'max_completion_tokens', headers: { 'X-Title': 'llmops' } });
    expect(tgi.resilience).toMatchObject({ attemptTimeoutMs: 5000, maxRetries: 0, breakerFailureThreshold: 2, fallbackOnContentPolicy: true, backoffInitialMs: 250 });
    const anthropic = config.providers.find((p) => p.id === 'anthropic')!;
    expect(anthropic.kind).toBe('anthropic');
    expect(anthropic.quirks.defaultMaxTokens).toBe(4096);
  });

  it('rejects unknown quirk keys, bad values and an inverted backoff range', () => {
    const document = validDocument();
    document['providers'].openai.quirks = { max_tokens_field: 'maxTokens', stream_usag: true };
    document['providers'].openai.resilience = { max_retries: -1, backoff_initial_ms: 1000, backoff_max_ms: 10 };
    const paths = issuesOf(document).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'providers.openai.quirks.max_tokens_field',
        'providers.openai.quirks',
        'providers.openai.resilience.max_retries',
        'providers.openai.resilience.backoff_max_ms',
      ]),
    );
  });
});

describe('parsePlatformConfig', () => {
  it('turns a valid document into the camelCase configuration with absolute directories', () => {
    const config = parsePlatformConfig(validDocument(), { baseDir: '/srv/app' });

    expect(config.source).toBe('/srv/app/llmops.yaml');
    expect(config.providers).toEqual([
      expect.objectContaining({ id: 'local', kind: 'local' }),
      expect.objectContaining({ id: 'openai', kind: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' }),
    ]);
    expect(config.models[0]).toEqual({
      id: 'tiny',
      provider: 'local',
      version: 'tiny-1',
      contextWindow: 4096,
      // no cached price given: cached input costs what input costs
      price: { inputPerMtok: 0, outputPerMtok: 0, cachedInputPerMtok: 0 },
      // catalog extras default to: no capabilities, no tags, healthy
      capabilities: [],
      tags: [],
      health: 'healthy',
    });
    expect(config.models[1]!.price).toEqual({ inputPerMtok: 0.15, outputPerMtok: 0.6, cachedInputPerMtok: 0.075 });
    expect(config.routes[1]).toEqual({
      name: 'smart',
      chain: ['gpt-4o-mini', 'tiny'],
      prompt: 'docs-qa',
      retrieval: { collection: 'docs' },
      strategy: 'ordered',
      weights: { 'gpt-4o-mini': 1, tiny: 1 },
      cache: { exact: true, semantic: false, semanticThreshold: 0.95, ttlSeconds: 3600, allowNondeterministic: false },
    });
    // routing sections left out: no rules, experiments or budgets, cache off
    expect(config.routingRules).toEqual([]);
    expect(config.experiments).toEqual([]);
    expect(config.budgets).toEqual([]);
    expect(config.cache).toEqual({ enabled: false, ttlSeconds: 3600, maxEntries: 10000, semanticThreshold: 0.95, embedder: 'lexical', gatewayTtlSeconds: 5 });
    expect(config.apiKeys).toEqual([
      { id: 'dev', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', tenant: 't1', project: 'p1' },
    ]);
    expect(config.guardrails).toEqual({ maxInputChars: 1000, redact: ['email', 'payment_card'], policies: [] });
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
      { path: 'guardrails.redact[0]', message: expect.stringContaining('"email"|"payment_card"|"phone"') },
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

describe('parsePlatformConfig: guardrail policies', () => {
  it('reads policies per tenant and route, keeping only what was written', () => {
    const document = validDocument();
    document.guardrails.policies = [
      {
        name: 'default',
        fail_mode: 'closed',
        input: ['validation', 'pii', 'injection', 'pii'],
        thresholds: { injection: 0.6 },
        actions: { prompt_injection: 'block', pii: 'redact' },
      },
      {
        name: 'support',
        tenants: ['acme'],
        routes: ['docs-qa'],
        reversible_redaction: true,
        harmful_categories: ['S1', 'S9'],
        deny_topics: [{ name: 'competitors', terms: ['OtherCorp'] }],
        slow_tier: { enabled: true, base_url: 'http://127.0.0.1:8000/v1/', model: 'omni-moderation-latest', api_key_env: 'MODERATION_API_KEY', timeout_ms: 3000 },
      },
    ];
    const config = parsePlatformConfig(document, { baseDir: '/srv/app' });
    expect(config.guardrails.policies).toEqual([
      {
        name: 'default',
        failMode: 'closed',
        input: ['validation', 'pii', 'injection'],
        thresholds: { injection: 0.6 },
        actions: { prompt_injection: 'block', pii: 'redact' },
      },
      {
        name: 'support',
        tenants: ['acme'],
        routes: ['docs-qa'],
        reversibleRedaction: true,
        harmfulCategories: ['S1', 'S9'],
        denyTopics: [{ name: 'competitors', terms: ['OtherCorp'] }],
        slowTier: { enabled: true, baseUrl: 'http://127.0.0.1:8000/v1', model: 'omni-moderation-latest', apiKeyEnv: 'MODERATION_API_KEY', timeoutMs: 3000 },
      },
    ]);
  });

  it('reports bad policies with their paths', () => {
    const document = validDocument();
    document.guardrails.policies = [
      { name: 'a', fail_mode: 'sometimes', thresholds: { injection: 2 }, actions: { email: 'shred' } },
      { name: 'a', input: ['telepathy'], slow_tier: { enabled: true }, deny_topics: [{ name: 'x', terms: [] }] },
    ];
    const issues = issuesOf(document);
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        'guardrails.policies[0].fail_mode',
        'guardrails.policies[0].thresholds.injection',
        'guardrails.policies[0].actions.email',
        'guardrails.policies[1].input[0]',
        'guardrails.policies[1].slow_tier.enabled',
        'guardrails.policies[1].deny_topics[0].terms',
      ]),
    );
  });

  it('reports a duplicate policy name', () => {
    const document = validDocument();
    document.guardrails.policies = [{ name: 'a' }, { name: 'a' }];
    expect(issuesOf(document)).toEqual([{ path: 'guardrails.policies[1].name', message: 'duplicate policy name "a" (first defined at policies[0])' }]);
  });
});
