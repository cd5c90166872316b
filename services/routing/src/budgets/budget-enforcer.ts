import { randomUUID } from 'node:crypto';
import type { BudgetConfig, BudgetScope } from '@llmops/config';
import type { BudgetStore, CounterAdjustment, CounterReservation } from './budget.store';

export interface BudgetSubject {
  tenant: string;
  project: string;
  apiKey: string;
}

export interface BudgetAmounts {
  tokens: number;
  usd: number;
}

type Metric = 'rpm' | 'tpm' | 'daily_usd' | 'monthly_usd';

/** One counter the reservation touched, carried inside the reservation id so any replica can settle it. */
interface ReservedCounter {
  key: string;
  metric: Metric;
  amount: number;
  ttlMs: number;
}

export interface BudgetAlert {
  scope: BudgetScope;
  id: string;
  tenant: string;
  metric: Metric;
  /** The fraction of the limit now used, and the fraction that raises the alert. */
  used: number;
  threshold: number;
  limit: number;
}

export type ReserveResult =
  | { ok: true; reservationId: string; alerts: BudgetAlert[]; reservedTokens: number; reservedUsd: number }
  | { ok: false; budget: BudgetConfig; metric: Metric; scopeValue: string; limit: number; current: number; message: string; retryAfterMs: number };

/** Amounts in the store are integers: USD counts in nano-dollars, so prices stay exact. */
const NANO = 1e9;
const MINUTE = 60_000;
const DAY = 24 * 3600_000;

/** Windows are fixed and aligned to UTC: the counter of `metric` starts again at its window's end. */
function untilWindowEnds(metric: Metric, now: number): number {
  const at = new Date(now);
  switch (metric) {
    case 'rpm':
    case 'tpm':
      return MINUTE - (now % MINUTE);
    case 'daily_usd':
      return DAY - (now % DAY);
    case 'monthly_usd':
      return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1) - now;
  }
}

/**
 * Budgets and rate limits per API key, project and tenant. Before a call it reserves the
 * estimated tokens and cost in every applicable counter at once (or in none); after the call,
 * Settle replaces the estimate with the actual amounts. A reservation id is self-describing
 * (its counters and amounts), so the replica that settles need not be the one that reserved.
 */
export class BudgetEnforcer {
  constructor(
    private readonly budgets: readonly BudgetConfig[],
    private readonly store: BudgetStore,
    private readonly now: () => number = Date.now,
  ) {}

  get configured(): boolean {
    return this.budgets.length > 0;
  }

  /** `spendOnly` reserves against the spend caps alone: for calls that are not the caller's requests (shadow copies). */
  async reserve(subject: BudgetSubject, amounts: BudgetAmounts, options: { spendOnly?: boolean } = {}): Promise<ReserveResult> {
    const applicable = this.applicable(subject);
    const now = this.now();
    const counters: Array<CounterReservation & { metric: Metric; budget: BudgetConfig; scopeValue: string }> = [];
    for (const { budget, scopeValue } of applicable) {
      const base = `llmops:budget:${budget.scope}:${scopeValue}`;
      const add = (metric: Metric, limit: number | undefined, window: string, amount: number, ttlMs: number) => {
        if (limit === undefined) return;
        counters.push({ key: `${base}:${metric}:${window}`, amount, limit, ttlMs, metric, budget, scopeValue });
      };
      const minute = String(Math.floor(now / MINUTE));
      const date = new Date(now).toISOString();
      if (!options.spendOnly) {
        add('rpm', budget.rpm, minute, 1, 2 * MINUTE);
        add('tpm', budget.tpm, minute, Math.ceil(amounts.tokens), 2 * MINUTE);
      }
      add('daily_usd', budget.dailyUsd === undefined ? undefined : Math.round(budget.dailyUsd * NANO), date.slice(0, 10), Math.ceil(amounts.usd * NANO), 2 * DAY);
      add('monthly_usd', budget.monthlyUsd === undefined ? undefined : Math.round(budget.monthlyUsd * NANO), date.slice(0, 7), Math.ceil(amounts.usd * NANO), 32 * DAY);
    }
    const merged = mergeSameKeys(counters);
    const outcome = await this.store.reserve(merged);
    if (!outcome.ok) {
      const counter = merged[outcome.failed]!;
      return {
        ok: false,
        budget: counter.budget,
        metric: counter.metric,
        scopeValue: counter.scopeValue,
        limit: counter.limit,
        current: outcome.current,
        message: exceededMessage(counter.budget.scope, counter.scopeValue, counter.metric, counter.limit, outcome.current),
        retryAfterMs: untilWindowEnds(counter.metric, now),
      };
    }
    const alerts: BudgetAlert[] = [];
    merged.forEach((counter, index) => {
      const threshold = counter.budget.alertAt * counter.limit;
      const before = outcome.before[index]!;
      if (before < threshold && before + counter.amount >= threshold) {
        alerts.push({
          scope: counter.budget.scope,
          id: counter.scopeValue,
          tenant: subject.tenant,
          metric: counter.metric,
          used: (before + counter.amount) / counter.limit,
          threshold: counter.budget.alertAt,
          limit: isUsd(counter.metric) ? counter.limit / NANO : counter.limit,
        });
      }
    });
    const reserved: ReservedCounter[] = merged.map(({ key, metric, amount, ttlMs }) => ({ key, metric, amount, ttlMs }));
    return { ok: true, reservationId: encodeReservation(reserved), alerts, reservedTokens: Math.ceil(amounts.tokens), reservedUsd: amounts.usd };
  }

  /** Replaces the reserved estimate with the actual amounts; a failed call settles with zeros. */
  async settle(reservationId: string, actual: BudgetAmounts): Promise<boolean> {
    const decoded = decodeReservation(reservationId);
    if (!decoded) return false;
    const { uuid, counters } = decoded;
    const adjustments: CounterAdjustment[] = [];
    for (const counter of counters) {
      if (counter.metric === 'rpm') continue; // a request counts as one whatever it cost
      const actualAmount = counter.metric === 'tpm' ? Math.ceil(actual.tokens) : Math.ceil(actual.usd * NANO);
      if (actualAmount !== counter.amount) adjustments.push({ key: counter.key, delta: actualAmount - counter.amount, ttlMs: counter.ttlMs });
    }
    return this.store.settle(uuid, adjustments);
  }

  /** Whether a request of this subject counts against a requests- or tokens-per-minute limit. */
  rateLimits(subject: BudgetSubject): boolean {
    return this.applicable(subject).some(({ budget }) => budget.rpm !== undefined || budget.tpm !== undefined);
  }

  private applicable(subject: BudgetSubject): Array<{ budget: BudgetConfig; scopeValue: string }> {
    const result: Array<{ budget: BudgetConfig; scopeValue: string }> = [];
    for (const budget of this.budgets) {
      const scopeValue = budget.scope === 'api_key' ? subject.apiKey : budget.scope === 'project' ? subject.project : subject.tenant;
      if (scopeValue === '') continue;
      if (budget.id === '*' || budget.id === scopeValue) result.push({ budget, scopeValue });
    }
    return result;
  }
}

/** Two budgets may count the same thing (an explicit and a `*` one); the stricter limit holds. */
function mergeSameKeys<T extends CounterReservation>(counters: T[]): T[] {
  const byKey = new Map<string, T>();
  for (const counter of counters) {
    const existing = byKey.get(counter.key);
    if (!existing || counter.limit < existing.limit) byKey.set(counter.key, counter);
  }
  return [...byKey.values()];
}

function isUsd(metric: Metric): boolean {
  return metric === 'daily_usd' || metric === 'monthly_usd';
}

export function isRateLimit(metric: Metric): boolean {
  return metric === 'rpm' || metric === 'tpm';
}

function exceededMessage(scope: BudgetScope, id: string, metric: Metric, limit: number, current: number): string {
  const who = `${scope.replace('_', ' ')} "${id}"`;
  switch (metric) {
    case 'rpm':
      return `Rate limit reached for ${who}: ${limit} requests per minute. Retry after the current minute.`;
    case 'tpm':
      return `Rate limit reached for ${who}: ${limit} tokens per minute (${current} used this minute). Retry after the current minute, or send fewer tokens.`;
    case 'daily_usd':
      return `Daily spend cap reached for ${who}: $${(current / NANO).toFixed(4)} of $${(limit / NANO).toFixed(2)} used today (UTC).`;
    case 'monthly_usd':
      return `Monthly spend cap reached for ${who}: $${(current / NANO).toFixed(4)} of $${(limit / NANO).toFixed(2)} used this month (UTC).`;
  }
}

// Reservation ids: `r1.<uuid>.<base64url JSON of the counters>`; the uuid marks it settled.
function encodeReservation(counters: ReservedCounter[]): string {
  const body = Buffer.from(JSON.stringify(counters.map((counter) => [counter.key, counter.metric, counter.amount, counter.ttlMs]))).toString('base64url');
  return `r1.${randomUUID()}.${body}`;
}

function decodeReservation(id: string): { uuid: string; counters: ReservedCounter[] } | undefined {
  const match = /^r1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]+)$/.exec(id);
  if (!match) return undefined;
  try {
    const rows = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(rows)) return undefined;
    const counters = rows.map((row) => {
      const [key, metric, amount, ttlMs] = row as [string, Metric, number, number];
      if (typeof key !== 'string' || !key.startsWith('llmops:budget:') || !['rpm', 'tpm', 'daily_usd', 'monthly_usd'].includes(metric)) throw new Error('bad counter');
      return { key, metric, amount: Number(amount), ttlMs: Number(ttlMs) };
    });
    return { uuid: match[1]!, counters };
  } catch {
    return undefined;
  }
}
