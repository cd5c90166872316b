import { Redis } from 'ioredis';
import { RedisAnswerCache } from '../src/cache/redis-answer-cache';
import { SemanticIndex } from '../src/cache/semantic-index';
import { HashingTextEmbedder } from '../src/cache/text-embedder';
import { InMemoryBudgetStore } from '../src/budgets/in-memory-budget.store';
import { RoutingEngine } from '../src/engine/routing.engine';
import { LatencyTracker } from '../src/strategies/latency-tracker';
import { startRedisServer, type LocalRedis } from './redis-server';
import { request, routingConfig } from './routing-fixtures';

// Two routing replicas sharing answers through one real Redis.
describe('RedisAnswerCache', () => {
  let redis: LocalRedis;
  const clients: Redis[] = [];
  const config = routingConfig({ cache: { enabled: true, ttl_seconds: 1 } });
  const answer = { content: 'Paris.', model: { provider: 'remote', model: 'big', version: 'big-1' }, usage: { inputTokens: 9, outputTokens: 2, cachedInputTokens: 0 }, finishReason: 'stop' };

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit().catch(() => undefined)));
    await redis?.stop();
  });

  const replica = () => {
    const client = new Redis(redis.url);
    clients.push(client);
    const embedder = new HashingTextEmbedder();
    return new RoutingEngine(config, {
      cache: new RedisAnswerCache(client, embedder, new SemanticIndex(embedder.size), 100),
      budgetStore: new InMemoryBudgetStore(),
      latency: new LatencyTracker(),
      alerts: { budgetThreshold: () => undefined },
    });
  };

  it('serves an answer stored through one replica from another, per tenant, until its TTL', async () => {
    const [first, second] = [replica(), replica()];
    const ask = (tenant: string) =>
      request('What is the capital of France?', { model: 'smart', params: { temperature: 0 }, caller: { tenant, project: 'p', user: 'u', apiKey: 'k', requestId: 'r', tags: {} } });
    const miss = await first.route(ask('t1'));
    expect(miss.cache.status).toBe('miss');
    await first.store({ caller: { tenant: 't1' }, route: 'smart', variant: miss.cache.variant, prompt: '', messages: ask('t1').messages, params: { temperature: 0 }, noCache: false, answer });

    expect((await second.route(ask('t1'))).cache).toMatchObject({ status: 'hit', kind: 'exact', answer });
    expect((await second.route(ask('t2'))).cache.status).toBe('miss');
    // semantic matches are found on the replica that stored the answer
    const reworded = request('What is the capital of France', { model: 'smart', params: { temperature: 0 } });
    expect((await first.route(reworded)).cache).toMatchObject({ status: 'hit', kind: 'semantic' });

    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await second.route(ask('t1'))).cache.status).toBe('miss');
    expect((await first.route(reworded)).cache.status).toBe('miss');
  });
});
