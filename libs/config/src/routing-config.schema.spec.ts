import { ConfigValidationError } from './config-validation.error';
import { parsePlatformConfig } from './platform-config.parser';

function document(): Record<string, any> {
  return {
    providers: { local: { kind: 'local' } },
    models: [
      { id: 'cheap', provider: 'local', version: 'c-1', context_window: 8000, price: { input_per_mtok: 0.1, output_per_mtok: 0.2 }, tags: ['cheap'] },
      {
        id: 'coder',
        provider: 'local',
        version: 'k-1',
        context_window: 64000,
        price: { input_per_mtok: 1, output_per_mtok: 2 },
        capabilities: ['tools', 'json', 'tools'],
        health: 'degraded',
      },
    ],
    routes: [
      { name: 'default', chain: ['cheap'] },
      { name: 'code', chain: ['coder', 'cheap'], strategy: 'weighted', weights: { coder: 3 }, cache: { semantic: true, semantic_threshold: 0.9, allow_nondeterministic: true } },
    ],
    guardrails: { max_input_chars: 1000, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: 'data' },
    analytics: { retention_days: 30 },
    routing_rules: [{ name: 'code-goes-to-coder', when: { code: true, tags: { feature: 'review' }, min_tokens: 10 }, route: 'code' }],
    experiments: [{ name: 'coder-canary', kind: 'canary', route: 'default', ramp_percent: 10, arms: [{ name: 'stable' }, { name: 'canary', chain: ['coder'], prompt_version: '3' }] }],
    cache: { enabled: true, ttl_seconds: 60 },
    budgets: [{ scope: 'tenant', id: '*', rpm: 60, daily_usd: 5, on_exceed: 'downgrade', downgrade_route: 'default' }],
  };
}

function issuesOf(doc: unknown): string[] {
  try {
    parsePlatformConfig(doc, { baseDir: '/srv' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the document to be rejected');
}

describe('routing sections of llmops.yaml', () => {
  it('turns catalog extras, strategies, rules, experiments, cache and budgets into the typed config', () => {
    const config = parsePlatformConfig(document(), { baseDir: '/srv' });
    expect(config.models[1]).toMatchObject({ capabilities: ['tools', 'json'], tags: [], health: 'degraded' });
    expect(config.routes[1]).toMatchObject({
      strategy: 'weighted',
      weights: { coder: 3, cheap: 1 },
      cache: { exact: true, semantic: true, semanticThreshold: 0.9, ttlSeconds: 60, allowNondeterministic: true },
    });
    expect(config.routingRules).toEqual([{ name: 'code-goes-to-coder', route: 'code', when: { code: true, tags: { feature: ['review'] }, minTokens: 10 } }]);
    expect(config.experiments[0]).toEqual({
      name: 'coder-canary',
      kind: 'canary',
      route: 'default',
      stickyKey: 'user',
      rampPercent: 10,
      enabled: true,
      arms: [
        { name: 'stable', weight: 1 },
        { name: 'canary', weight: 1, chain: ['coder'], promptVersion: '3' },
      ],
    });
    expect(config.cache).toEqual({ enabled: true, ttlSeconds: 60, maxEntries: 10000, semanticThreshold: 0.95, embedder: 'lexical', gatewayTtlSeconds: 5 });
    expect(config.budgets).toEqual([{ scope: 'tenant', id: '*', rpm: 60, dailyUsd: 5, onExceed: 'downgrade', downgradeRoute: 'default', alertAt: 0.8 }]);
  });

  it('lists every structural and cross-reference problem of the routing sections in one error', () => {
    const doc = document();
    doc.models[0].capabilities = ['telepathy'];
    doc.routes[1].strategy = 'fastest';
    doc.routes[1].weights = { stranger: 1 };
    doc.routing_rules.push({ name: 'code-goes-to-coder', when: { min_tokens: 10, max_tokens: 5 }, route: 'nowhere' });
    doc.experiments[0].arms.push({ name: 'canary', chain: ['ghost'] });
    doc.budgets.push({ scope: 'project', id: 'p1', on_exceed: 'downgrade' });
    doc.cache.ttl_secs = 5;
    expect(issuesOf(doc)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\[0\]\.capabilities\[0\]: /),
        expect.stringMatching(/^routes\[1\]\.strategy: /),
        'routes[1].weights.stranger: model "stranger" is not in this route\'s chain',
        'routing_rules[1].name: duplicate rule name "code-goes-to-coder"',
        'routing_rules[1].route: unknown route "nowhere"; routes are: default, code',
        'routing_rules[1].when: min_tokens (10) is above max_tokens (5); the rule could never match',
        'experiments[0].arms[2].name: duplicate arm name "canary"',
        'experiments[0].arms[2].chain[0]: unknown model "ghost"; models are: cheap, coder',
        'experiments[0].arms: a canary has exactly two arms (stable, then canary); found 3',
        'budgets[1]: sets no limit; give at least one of rpm, tpm, daily_usd, monthly_usd',
        'budgets[1].downgrade_route: is required when on_exceed is downgrade',
        expect.stringMatching(/^cache: .*ttl_secs/),
      ]),
    );
  });

  it('accepts embedding models by id and keeps them out of route chains', () => {
    const doc = document();
    doc.models.push({ id: 'embedder', provider: 'local', version: 'e-1', context_window: 512, price: { input_per_mtok: 0.02, output_per_mtok: 0 }, capabilities: ['embeddings'] });
    expect(parsePlatformConfig(doc, { baseDir: '/srv' }).models[2]).toMatchObject({ id: 'embedder', capabilities: ['embeddings'] });
    doc.routes[1].chain.push('embedder');
    expect(issuesOf(doc)).toEqual([
      'routes[1].chain[2]: model "embedder" is an embedding model; call it by its id on /v1/embeddings, not through a route',
    ]);
  });

  it('reserves the name "auto" for the rules-based choice', () => {
    const doc = document();
    doc.routes.push({ name: 'auto', chain: ['cheap'] });
    expect(issuesOf(doc)).toContain('routes: "auto" is reserved: it asks for the rules-based choice, so no route or model may take that name');
  });
});
