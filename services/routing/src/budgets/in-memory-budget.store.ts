import { SETTLED_MEMORY_MS, type BudgetStore, type CounterAdjustment, type CounterReservation, type ReserveOutcome } from './budget.store';

/** Counters of one replica. Atomic because the whole check-and-increment runs in one turn of the event loop. */
export class InMemoryBudgetStore implements BudgetStore {
  private readonly counters = new Map<string, { value: number; expiresAt: number }>();
  private readonly settled = new Map<string, number>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(counters: readonly CounterReservation[]): Promise<ReserveOutcome> {
    this.sweep();
    const before = counters.map((counter) => this.value(counter.key));
    for (let index = 0; index < counters.length; index++) {
      const counter = counters[index]!;
      if (before[index]! + counter.amount > counter.limit) return { ok: false, failed: index, current: before[index]! };
    }
    counters.forEach((counter) => this.add(counter.key, counter.amount, counter.ttlMs));
    return { ok: true, before };
  }

  async settle(reservationId: string, adjustments: readonly CounterAdjustment[]): Promise<boolean> {
    if (this.settled.has(reservationId)) return false;
    this.settled.set(reservationId, this.now() + SETTLED_MEMORY_MS);
    for (const adjustment of adjustments) this.add(adjustment.key, adjustment.delta, adjustment.ttlMs);
    return true;
  }

  async read(key: string): Promise<number> {
    return this.value(key);
  }

  async close(): Promise<void> {}

  private value(key: string): number {
    const counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= this.now()) return 0;
    return counter.value;
  }

  private add(key: string, amount: number, ttlMs: number): void {
    const counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= this.now()) this.counters.set(key, { value: amount, expiresAt: this.now() + ttlMs });
    else counter.value += amount;
  }

  /** Drops expired counters and settled ids at most once a minute, so memory follows live windows. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    for (const [id, expiresAt] of this.settled) if (expiresAt <= now) this.settled.delete(id);
  }
}
