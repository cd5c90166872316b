import type { Redis } from 'ioredis';
import { SETTLED_MEMORY_MS, type BudgetStore, type CounterAdjustment, type CounterReservation, type ReserveOutcome } from './budget.store';

// Check every counter, then increment all of them, in one script: Redis runs a script without
// interleaving any other command, so concurrent reservations from any number of replicas see
// each other's increments. A counter's TTL is set on first use only (its window's lifetime).
const RESERVE = `
local before = {}
for i = 1, #KEYS do
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current + tonumber(ARGV[i * 3 - 2]) > tonumber(ARGV[i * 3 - 1]) then
    return {0, i, tostring(current)}
  end
  before[i] = current
end
local out = {1}
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[i * 3 - 2])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[i * 3]) end
  out[#out + 1] = tostring(before[i])
end
return out
`;

// KEYS[1] marks the reservation settled (SET NX), so a retried Settle changes nothing.
const SETTLE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
for i = 2, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[i * 2 - 2])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[i * 2 - 1]) end
end
return 1
`;

type ScriptedRedis = Redis & {
  llmopsReserve(numberOfKeys: number, ...args: Array<string | number>): Promise<Array<number | string>>;
  llmopsSettle(numberOfKeys: number, ...args: Array<string | number>): Promise<number>;
};

/** Counters shared by every routing replica through one Redis. Amounts must be integers. */
export class RedisBudgetStore implements BudgetStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    redis.defineCommand('llmopsReserve', { lua: RESERVE });
    redis.defineCommand('llmopsSettle', { lua: SETTLE });
    this.redis = redis as ScriptedRedis;
  }

  async reserve(counters: readonly CounterReservation[]): Promise<ReserveOutcome> {
    if (counters.length === 0) return { ok: true, before: [] };
    const args = counters.flatMap((counter) => [String(Math.round(counter.amount)), String(Math.round(counter.limit)), String(counter.ttlMs)]);
    const reply = await this.redis.llmopsReserve(counters.length, ...counters.map((counter) => counter.key), ...args);
    if (Number(reply[0]) !== 1) return { ok: false, failed: Number(reply[1]) - 1, current: Number(reply[2]) };
    return { ok: true, before: reply.slice(1).map(Number) };
  }

  async settle(reservationId: string, adjustments: readonly CounterAdjustment[]): Promise<boolean> {
    const keys = [`llmops:settled:${reservationId}`, ...adjustments.map((adjustment) => adjustment.key)];
    const args = [String(SETTLED_MEMORY_MS), ...adjustments.flatMap((adjustment) => [String(Math.round(adjustment.delta)), String(adjustment.ttlMs)])];
    return Number(await this.redis.llmopsSettle(keys.length, ...keys, ...args)) === 1;
  }

  async read(key: string): Promise<number> {
    return Number((await this.redis.get(key)) ?? 0);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
