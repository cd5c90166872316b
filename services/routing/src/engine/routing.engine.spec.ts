import { parsePlatformConfig, type PlatformConfig } from '@llmops/config';
import { engineFor, request, routingConfig, routingDocument } from '../../test/routing-fixtures';
import { RoutingException, RoutingExceptionCode } from '../routes/routing.exception';
import type { RoutingEngine } from './routing.engine';

const models = (decision: { chain: Array<{ model: string }> }) => decision.chain.map((ref) => ref.model);

describe('RoutingEngine: choosing a route', () => {
  const { engine } = engineFor(routingConfig(), { random: () => 0 });

  it('follows the seed policy for requests naming no model: simple → cheap, code/math → coding, safety-critical → aligned, else generalist', async () => {
    const simple = await engine.route(request('What is the capital of France?'));
    expect(simple).toMatchObject({ route: 'cheap', rule: 'simple', strategy: 'lowest-cost' });
    // lowest-cost orders the chain cheapest first, the configured order notwithstanding
    expect(models(simple)).toEqual(['local', 'mini', 'big']);

    const code = await engine.route(request('Why does this fail?\n```ts\nconst x: number = "a";\n```'));
    expect(code).toMatchObject({ route: 'coding', rule: 'code' });
    expect(models(code)).toEqual(['coder', 'big']);

    const math = await engine.route(request('Solve for x: 3 * x + 4 = 19'));
    expect(math).toMatchObject({ route: 'coding', rule: 'math' });

    const medical = await engine.route(request('What dosage of ibuprofen is safe with my medication?'));
    expect(medical).toMatchObject({ route: 'aligned', rule: 'safety-critical', features: { domain: 'medical' } });
    expect(medical.reason).toContain('rule "safety-critical" matched (safety-critical domain medical) → route "aligned"');

    const open = await engine.route(request(`Why do distributed systems need consensus? ${'Explain the trade-offs in detail. '.repeat(40)}`));
    expect(open).toMatchObject({ route: 'generalist', rule: 'everything-else', features: { complexity: 'moderate' } });
  });

  it('treats "auto" like no model, and never re-routes a request naming a route or a model', async () => {
    expect((await engine.route(request('Hi there', { model: 'auto' }))).rule).toBe('simple');
    const named = await engine.route(request('What dosage is safe?', { model: 'default' }));
    expect(named).toMatchObject({ route: 'default', chain: [{ provider: 'local', model: 'local', version: 'local-1' }], retrieval: { collection: 'docs' } });
    expect(named.rule).toBeUndefined();
    expect(named.reason).toMatch(/^the request named route "default"/);
    const model = await engine.route(request('hi', { model: 'big' }));
    expect(model).toMatchObject({ route: 'model:big', strategy: 'ordered' });
    expect(models(model)).toEqual(['big']);
  });

  it('matches rules on tenant, project, tags and estimated tokens', async () => {
    const config = routingConfig({
      routing_rules: [
        { name: 'acme-review', when: { tenant: ['acme'], tags: { feature: ['review', 'triage'] } }, route: 'smart' },
        { name: 'long', when: { min_tokens: 1000 }, route: 'aligned' },
      ],
    });
    const { engine: ruled } = engineFor(config);
    const acme = request('hello', { caller: { tenant: 'acme', project: 'p', user: 'u', apiKey: 'k', requestId: 'r', tags: { feature: 'triage' } } });
    expect(await ruled.route(acme)).toMatchObject({ route: 'smart', rule: 'acme-review' });
    expect((await ruled.route(request('x'.repeat(8000)))).rule).toBe('long');
    const fallthrough = await ruled.route(request('hello'));
    expect(fallthrough).toMatchObject({ route: 'default' });
    expect(fallthrough.reason).toMatch(/no rule matched \(~\d+ tokens, simple\), so the default route serves it/);
  });

  it('drops models that lack a needed capability or a large enough context window, and says so', async () => {
    const decision = await engine.route(request('hi', { model: 'smart', needs: ['vision'] }));
    expect(models(decision)).toEqual(['big']);
    expect(decision.reason).toContain('skips mini (lacks vision), local (lacks vision)');
    const long = await engine.route(request('y'.repeat(20000), { model: 'default' }));
    expect(long.reason).toContain('no model fits (local (context window 4096 <');
    expect(models(long)).toEqual(['local']);
  });

  it('fits an embedding model to the longest input, not to the sum of a batch', async () => {
    const doc = routingDocumentWith({ id: 'embed', provider: 'remote', version: 'embed-1', context_window: 512, price: { input_per_mtok: 0.02, output_per_mtok: 0 }, capabilities: ['embeddings'] });
    const { engine: embedding } = engineFor(doc, { random: () => 0 });
    const batch = (texts: string[]) => request('', { model: 'embed', needs: ['embeddings'], noCache: true, params: { maxTokens: 0 }, messages: texts.map((content) => ({ role: 'user', content })) });
    // 40 inputs of ~300 tokens: 12,000 together, each one fits 512.
    const fits = await embedding.route(batch(Array.from({ length: 40 }, (_, i) => `${i} ${'word '.repeat(240)}`)));
    expect(models(fits)).toEqual(['embed']);
    expect(fits.reason).not.toContain('no model fits');
    const tooLong = await embedding.route(batch(['short', 'z'.repeat(4000)]));
    expect(tooLong.reason).toContain('no model fits (embed (context window 512 < 1000 tokens)');
  });

  it('rejects an unknown name, listing what is available', async () => {
    const error = await engine.route(request('hi', { model: 'gpt-5' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoutingException);
    expect((error as RoutingException).code).toBe(RoutingExceptionCode.UNKNOWN_MODEL);
    expect((error as RoutingException).message).toBe(
      'Unknown model "gpt-5". Use a route (default, cheap, coding, aligned, generalist, smart, spread), "auto", or a model (local, mini, big, coder, safe).',
    );
  });
});

describe('RoutingEngine: strategies', () => {
  it('weighted picks by weight and keeps the rest as fallbacks', async () => {
    const draws = [0.1, 0.8];
    const { engine } = engineFor(routingConfig(), { random: () => draws.shift()! });
    expect(models(await engine.route(request('hi', { model: 'spread' })))).toEqual(['mini', 'big']); // 0.1 × 4 = 0.4 < 3
    expect(models(await engine.route(request('hi', { model: 'spread' })))).toEqual(['big', 'mini']); // 0.8 × 4 = 3.2 ≥ 3
  });

  it('lowest-latency prefers the model with the lower EWMA of the two drawn, learning from Settle', async () => {
    const { engine } = engineFor(routingConfig(), { random: () => 0 });
    const decision = await engine.route(request('hi', { model: 'generalist' }));
    expect(decision.settle).toBe(true);
    for (let index = 0; index < 5; index++) {
      await engine.settle({ reservationId: '', model: { provider: 'remote', model: 'mini', version: 'mini-1' }, usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 900, ok: true });
      await engine.settle({ reservationId: '', model: { provider: 'remote', model: 'big', version: 'big-1' }, usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 100, ok: true });
    }
    const after = await engine.route(request('hi', { model: 'generalist' }));
    expect(models(after)).toEqual(['big', 'mini']);
    expect(after.reason).toContain('lowest latency of two choices (mini 900 ms, big 100 ms) picks big');
  });
});

describe('RoutingEngine: experiments', () => {
  const experiments = (extra: Record<string, unknown>) => routingConfig({ experiments: [{ name: 'exp', route: 'smart', ...extra }] });

  it('keeps a user in the same A/B arm on every request and splits users by weight', async () => {
    const { engine } = engineFor(
      experiments({ kind: 'ab', arms: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, chain: ['mini'], prompt_version: '7' }] }),
    );
    const arms = new Map<string, number>();
    for (let user = 0; user < 400; user++) {
      const caller = { tenant: 't', project: 'p', user: `user-${user}`, apiKey: 'k', requestId: `r${user}`, tags: {} };
      const first = await engine.route(request('hi', { model: 'smart', caller }));
      const again = await engine.route(request('hi', { model: 'smart', caller: { ...caller, requestId: 'other' } }));
      expect(again.experiment?.arm).toBe(first.experiment?.arm);
      arms.set(first.experiment!.arm, (arms.get(first.experiment!.arm) ?? 0) + 1);
      if (first.experiment!.arm === 'treatment') {
        expect(models(first)).toEqual(['mini']);
        expect(first.promptVersion).toBe('7');
      }
    }
    expect(arms.get('control')).toBeGreaterThan(150);
    expect(arms.get('treatment')).toBeGreaterThan(150);
  });

  it('reserves a shadow copy against the spend caps but not the rate limits, and drops the copy, not the request, past a cap', async () => {
    // big: 5 input + 100 output tokens ≈ $0.0010125 a request; safe (the shadow): ≈ $0.001515 a copy.
    const doc = routingConfig({
      experiments: [{ name: 'exp', route: 'smart', kind: 'canary', ramp_percent: 0, arms: [{ name: 'stable' }, { name: 'canary', route: 'coding' }], shadow: { chain: ['safe'], percent: 100 } }],
      budgets: [{ scope: 'tenant', id: 't1', daily_usd: 0.004, rpm: 3 }],
    });
    const { engine } = engineFor(doc);
    const ask = () => engine.route(request('hi', { model: 'smart', params: { maxTokens: 100 } }));
    const first = await ask();
    expect(first.experiment).toMatchObject({ shadowChain: [expect.objectContaining({ model: 'safe' })], shadowReservationId: expect.stringMatching(/^r1\./) });
    expect(first.reason).toContain('shadow copy: reserved $0.001515');
    // $0.0010 + $0.0015 used; the second request fits ($0.0035) but its copy would pass $0.004.
    const second = await ask();
    expect(second.budget.action).toBe('allow');
    expect(second.experiment).toMatchObject({ shadowChain: [], shadowReservationId: '' });
    expect(second.reason).toContain('shadow copy skipped: Daily spend cap reached');
    // Settling the first request and its copy at their actual cost frees the rest of their estimates
    // ($0.0001 + $0.0001 + $0.0010 now); copies never count as requests (rpm 3 lets a third through).
    const actual = { usage: { inputTokens: 5, outputTokens: 10 }, costUsd: 0.0001, latencyMs: 10, ok: true };
    await engine.settle({ reservationId: first.budget.reservationId, ...actual });
    await engine.settle({ reservationId: first.experiment!.shadowReservationId, ...actual });
    const third = await ask();
    expect(third.experiment!.shadowChain.map((ref) => ref.model)).toEqual(['safe']);
  });

  it('ramps a canary by percentage, keeps the early users when it grows, and sends shadow copies', async () => {
    const canary = (percent: number) =>
      engineFor(experiments({ kind: 'canary', ramp_percent: percent, arms: [{ name: 'stable' }, { name: 'canary', route: 'coding' }], shadow: { chain: ['safe'], percent: 100 } })).engine;
    const at10 = canary(10);
    const at50 = canary(50);
    let canaries10 = 0;
    let canaries50 = 0;
    for (let user = 0; user < 1000; user++) {
      const caller = { tenant: 't', project: 'p', user: `u${user}`, apiKey: 'k', requestId: 'r', tags: {} };
      const small = await at10.route(request('hi', { model: 'smart', caller }));
      const large = await at50.route(request('hi', { model: 'smart', caller }));
      if (small.experiment!.arm === 'canary') {
        canaries10++;
        expect(large.experiment!.arm).toBe('canary');
        expect(models(small)).toEqual(['coder', 'big']);
      }
      if (large.experiment!.arm === 'canary') canaries50++;
      expect(small.experiment!.shadowChain.map((ref) => ref.model)).toEqual(['safe']);
    }
    expect(canaries10).toBeGreaterThan(60);
    expect(canaries10).toBeLessThan(140);
    expect(canaries50).toBeGreaterThan(430);
    expect(canaries50).toBeLessThan(570);
  });

  it('says when the sticky key is missing and the draw is per request', async () => {
    const { engine } = engineFor(experiments({ kind: 'ab', arms: [{ name: 'a' }, { name: 'b' }] }));
    const decision = await engine.route(request('hi', { model: 'smart', caller: { tenant: 't', project: 'p', user: '', apiKey: 'k', requestId: 'r', tags: {} } }));
    expect(decision.experiment!.stickyKey).toBe('request');
    expect(decision.reason).toContain('not sticky: the request has no user');
  });
});

describe('RoutingEngine: response cache', () => {
  const cached = () => routingConfig({ cache: { enabled: true } });
  const answer = { content: 'Paris.', model: { provider: 'remote', model: 'big', version: 'big-1' }, usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 }, finishReason: 'stop' };

  it('serves a stored answer for the same normalised messages and parameters, per tenant', async () => {
    const { engine } = engineFor(cached());
    const ask = (content: string, tenant = 't1') =>
      request(content, { model: 'smart', params: { temperature: 0 }, caller: { tenant, project: 'p', user: 'u', apiKey: 'k', requestId: 'r', tags: {} } });
    const miss = await engine.route(ask('What is the capital of France?'));
    expect(miss.cache).toMatchObject({ status: 'miss', storable: true });
    expect(await engine.store({ caller: { tenant: 't1' }, route: 'smart', variant: miss.cache.variant, prompt: '', messages: ask('What is the capital of France?').messages, params: { temperature: 0 }, noCache: false, answer })).toEqual({
      stored: true,
      reason: 'cached for 3600s (exact and semantic)',
    });
    const hit = await engine.route(ask('  What is the   capital of France?\n'));
    expect(hit.cache).toMatchObject({ status: 'hit', kind: 'exact', answer });
    expect(hit.reason).toContain('cache hit: same normalised messages and parameters');
    expect((await engine.route(ask('What is the capital of France?', 't2'))).cache.status).toBe('miss');
    expect((await engine.route({ ...ask('What is the capital of France?'), params: { temperature: 0, maxTokens: 5 } })).cache.status).toBe('miss');
  });

  it('matches similar requests semantically above the route threshold only', async () => {
    const { engine } = engineFor(cached());
    const messages = [{ role: 'user', content: 'How do I rotate the API keys of the gateway every month?' }];
    await engine.store({ caller: { tenant: 't1' }, route: 'smart', variant: '|', prompt: '', messages, params: { temperature: 0 }, noCache: false, answer });
    const similar = await engine.route(request('How do I rotate the API keys of the gateway every month', { model: 'smart', params: { temperature: 0 } }));
    expect(similar.cache).toMatchObject({ status: 'hit', kind: 'semantic' });
    expect(similar.cache.similarity).toBeGreaterThanOrEqual(0.95);
    const different = await engine.route(request('How do I delete a prompt version from the registry?', { model: 'smart', params: { temperature: 0 } }));
    expect(different.cache.status).toBe('miss');
  });

  it('bypasses the cache for opt-outs and non-deterministic requests, and expires entries', async () => {
    let now = 1_000_000;
    const { engine } = engineFor(routingConfig({ cache: { enabled: true, ttl_seconds: 60 } }), { now: () => now });
    expect((await engine.route(request('hi', { model: 'default', noCache: true, params: { temperature: 0 } }))).cache).toMatchObject({ status: 'bypass', reason: 'the request opted out' });
    expect((await engine.route(request('hi', { model: 'default', params: { temperature: 0.7 } }))).cache.reason).toBe(
      'temperature 0.7 is not deterministic and route "default" does not allow caching it',
    );
    expect((await engine.route(request('hi', { model: 'default' }))).cache.status).toBe('bypass');
    expect((await engine.store({ caller: { tenant: 't1' }, route: 'default', variant: '|', prompt: '', messages: [{ role: 'user', content: 'hi' }], params: {}, noCache: false, answer })).stored).toBe(false);
    await engine.store({ caller: { tenant: 't1' }, route: 'default', variant: '|', prompt: '', messages: [{ role: 'user', content: 'hi' }], params: { temperature: 0 }, noCache: false, answer });
    expect((await engine.route(request('hi', { model: 'default', params: { temperature: 0 } }))).cache.status).toBe('hit');
    now += 61_000;
    expect((await engine.route(request('hi', { model: 'default', params: { temperature: 0 } }))).cache.status).toBe('miss');
  });

  it('lets the gateway reuse a hit for a few seconds, except where a rate limit must count it or an experiment chose it', async () => {
    const ask = (model = 'default') => request('hi', { model, params: { temperature: 0 } });
    const store = (engine: RoutingEngine, route: string, variant = '|') =>
      engine.store({ caller: { tenant: 't1' }, route, variant, prompt: '', messages: ask().messages, params: { temperature: 0 }, noCache: false, answer });
    const { engine } = engineFor(routingConfig({ cache: { enabled: true, gateway_ttl_seconds: 2 } }));
    expect((await engine.route(ask())).cache.reuseMs).toBe(0); // a miss
    await store(engine, 'default');
    expect((await engine.route(ask())).cache).toMatchObject({ status: 'hit', reuseMs: 2000 });

    const { engine: limited } = engineFor(routingConfig({ cache: { enabled: true }, budgets: [{ scope: 'api_key', id: '*', rpm: 100 }] }));
    await store(limited, 'default');
    expect((await limited.route(ask())).cache).toMatchObject({ status: 'hit', reuseMs: 0 });

    const experiment = { name: 'exp', route: 'default', kind: 'ab', arms: [{ name: 'a' }, { name: 'b' }] };
    const { engine: split } = engineFor(routingConfig({ cache: { enabled: true }, experiments: [experiment] }));
    const first = await split.route(ask());
    await store(split, 'default', first.cache.variant);
    expect((await split.route(ask())).cache).toMatchObject({ status: 'hit', reuseMs: 0 });
  });

  it('is off unless enabled', async () => {
    const { engine } = engineFor(routingConfig());
    expect((await engine.route(request('hi', { model: 'default', params: { temperature: 0 } }))).cache).toMatchObject({ status: 'off', reason: 'the cache is not enabled' });
  });

  it('caches a model named directly with the global defaults: exact matching, deterministic requests only', async () => {
    const { engine } = engineFor(cached());
    const ask = (model: string, temperature = 0) => request('What is the capital of France?', { model, params: { temperature } });
    const miss = await engine.route(ask('big'));
    expect(miss).toMatchObject({ route: 'model:big', cache: { status: 'miss', storable: true } });
    const stored = await engine.store({ caller: { tenant: 't1' }, route: miss.route, variant: miss.cache.variant, prompt: '', messages: ask('big').messages, params: { temperature: 0 }, noCache: false, answer });
    expect(stored).toEqual({ stored: true, reason: 'cached for 3600s' });
    expect((await engine.route(ask('big'))).cache).toMatchObject({ status: 'hit', kind: 'exact', answer });
    expect((await engine.route(ask('mini'))).cache.status).toBe('miss');
    expect((await engine.route(ask('big', 0.7))).cache.status).toBe('bypass');
    expect((await engine.store({ caller: { tenant: 't1' }, route: 'model:no-such-model', variant: '|', prompt: '', messages: ask('big').messages, params: { temperature: 0 }, noCache: false, answer })).stored).toBe(false);
  });
});

describe('RoutingEngine: budgets and rate limits', () => {
  it('rejects past the requests-per-minute limit with a clear message', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const { engine } = engineFor(routingConfig({ budgets: [{ scope: 'api_key', id: '*', rpm: 2 }] }), { now: () => now });
    await engine.route(request('hi', { model: 'default' }));
    await engine.route(request('hi', { model: 'default' }));
    const error = (await engine.route(request('hi', { model: 'default' })).catch((caught: unknown) => caught)) as RoutingException;
    expect(error.code).toBe(RoutingExceptionCode.RATE_LIMITED);
    expect(error.message).toBe('Rate limit reached for api key "k1": 2 requests per minute. Retry after the current minute.');
  });

  it('downgrades to the configured route when the spend cap would be passed, alerting at 80%', async () => {
    const budgets = [{ scope: 'tenant', id: 't1', daily_usd: 0.01, on_exceed: 'downgrade', downgrade_route: 'default' }];
    const { engine, alerts } = engineFor(routingConfig({ budgets }));
    // estimated before the call on the dearest model of the chain: big, 5 input + 400 output
    // tokens at $2.5 and $10 per Mtok ≈ $0.004 per request, so the second passes 80%
    const ask = () => engine.route(request('hi', { model: 'smart', params: { maxTokens: 400 } }));
    const first = await ask();
    expect(first.budget).toMatchObject({ action: 'allow', reservedTokens: 405 });
    expect(first.budget.reservedUsd).toBeCloseTo(0.0040125, 9);
    expect(first.budget.reservationId).toMatch(/^r1\./);
    const second = await ask();
    expect(second.budget.action).toBe('allow');
    expect(alerts).toEqual([expect.objectContaining({ scope: 'tenant', id: 't1', metric: 'daily_usd', threshold: 0.8 })]);
    const third = await ask();
    expect(third).toMatchObject({ route: 'default', budget: { action: 'downgrade' } });
    expect(models(third)).toEqual(['local']);
    expect(third.reason).toContain('Daily spend cap reached for tenant "t1"');
    expect(third.reason).toContain('Downgraded to route "default" (local)');
  });

  it('settles the actual cost so an estimate above it frees budget, once per reservation', async () => {
    const { engine } = engineFor(routingConfig({ budgets: [{ scope: 'project', id: 'p1', daily_usd: 0.004 }] }));
    const ask = () => engine.route(request('hi', { model: 'smart', params: { maxTokens: 300 } }));
    const first = await ask();
    await expect(ask()).rejects.toMatchObject({ code: RoutingExceptionCode.BUDGET_EXCEEDED });
    const usage = { inputTokens: 5, outputTokens: 10 };
    await engine.settle({ reservationId: first.budget.reservationId, model: first.chain[0]!, usage, latencyMs: 10, ok: true });
    // a retried Settle is not applied twice
    await engine.settle({ reservationId: first.budget.reservationId, model: first.chain[0]!, usage, latencyMs: 10, ok: true });
    expect((await ask()).budget.action).toBe('allow');
  });
});

/** The fixture configuration with one more model in its catalog. */
function routingDocumentWith(model: Record<string, unknown>): PlatformConfig {
  const document = routingDocument();
  return parsePlatformConfig({ ...document, models: [...(document['models'] as unknown[]), model] }, { baseDir: '/srv' });
}
