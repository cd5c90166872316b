import { Redis } from 'ioredis';
import { InMemoryBudgetStore } from '../src/budgets/in-memory-budget.store';
import { RedisBudgetStore } from '../src/budgets/redis-budget.store';
import type { BudgetStore } from '../src/budgets/budget.store';
import type { RoutingEngine } from '../src/engine/routing.engine';
import { RoutingException, RoutingExceptionCode } from '../src/routes/routing.exception';
import { startRedisServer, type LocalRedis } from './redis-server';
import { engineFor, request, routingConfig } from './routing-fixtures';

// One request on "smart" is estimated at the dearest model (big): 5 input + 400 output tokens
// at $2.5 and $10 per Mtok = $0.0040125. The cap fits exactly 100 such estimates.
const PER_REQUEST_USD = 0.0040125;
const CAP_USD = 100 * PER_REQUEST_USD;
const config = routingConfig({ budgets: [{ scope: 'tenant', id: '*', daily_usd: CAP_USD }] });

interface Outcome {
  allowed: number;
  rejected: number;
  spentUsd: number;
  maxSingleUsd: number;
}

/**
 * 200 requests at once across the given engines (replicas): each reserves, "calls the model"
 * (a random few milliseconds), and settles an actual cost between half and all of its estimate.
 */
async function hammer(engines: RoutingEngine[]): Promise<Outcome> {
  const outcome: Outcome = { allowed: 0, rejected: 0, spentUsd: 0, maxSingleUsd: 0 };
  await Promise.all(
    Array.from({ length: 200 }, async (_, index) => {
      const engine = engines[index % engines.length]!;
      let decision;
      try {
        decision = await engine.route(request('hi', { model: 'smart', params: { maxTokens: 400 } }));
      } catch (error) {
        expect(error).toBeInstanceOf(RoutingException);
        expect((error as RoutingException).code).toBe(RoutingExceptionCode.BUDGET_EXCEEDED);
        outcome.rejected++;
        return;
      }
      outcome.allowed++;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
      const costUsd = PER_REQUEST_USD * (0.5 + Math.random() / 2);
      outcome.spentUsd += costUsd;
      outcome.maxSingleUsd = Math.max(outcome.maxSingleUsd, costUsd);
      await engine.settle({ reservationId: decision.budget.reservationId, model: decision.chain[0]!, usage: { inputTokens: 5, outputTokens: 200 }, costUsd, latencyMs: 5, ok: true });
    }),
  );
  return outcome;
}

function expectWithinCap(outcome: Outcome): void {
  expect(outcome.allowed + outcome.rejected).toBe(200);
  // Settling below the estimate frees budget, so some of the later requests fit too...
  expect(outcome.allowed).toBeGreaterThanOrEqual(100);
  expect(outcome.rejected).toBeGreaterThan(0);
  // ...but never more than one request's worth past the cap.
  expect(outcome.spentUsd).toBeLessThanOrEqual(CAP_USD + PER_REQUEST_USD);
}

async function spentInStore(store: BudgetStore): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  return (await store.read(`llmops:budget:tenant:t1:daily_usd:${day}`)) / 1e9;
}

describe('budgets under concurrency', () => {
  it('in-process store: 200 concurrent requests against a cap that fits 100 stay within one request of it', async () => {
    const store = new InMemoryBudgetStore();
    const { engine } = engineFor(config, { store });
    const outcome = await hammer([engine]);
    expectWithinCap(outcome);
    // every reservation was replaced by its actual cost
    expect(await spentInStore(store)).toBeCloseTo(outcome.spentUsd, 6);
  });

  describe('Redis store shared by two routing replicas', () => {
    let redis: LocalRedis;
    const clients: Redis[] = [];

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
      const store = new RedisBudgetStore(client);
      return { store, engine: engineFor(config, { store }).engine };
    };

    it('200 concurrent requests split over both replicas stay within one request of the cap', async () => {
      const first = replica();
      const second = replica();
      const outcome = await hammer([first.engine, second.engine]);
      expectWithinCap(outcome);
      expect(await spentInStore(first.store)).toBeCloseTo(outcome.spentUsd, 6);
    });

    it('applies a settlement once, whichever replica receives it', async () => {
      await clients[0]!.flushall();
      const first = replica();
      const second = replica();
      const decision = await first.engine.route(request('hi', { model: 'smart', params: { maxTokens: 400 } }));
      expect(await spentInStore(first.store)).toBeCloseTo(PER_REQUEST_USD, 9);
      const settle = { reservationId: decision.budget.reservationId, usage: { inputTokens: 5, outputTokens: 100 }, costUsd: 0.001, latencyMs: 5, ok: true };
      await second.engine.settle(settle);
      await first.engine.settle(settle);
      expect(await spentInStore(second.store)).toBeCloseTo(0.001, 9);
    });
  });
});
