/** One counter a reservation must fit in: `amount` more must keep it at or under `limit`. */
export interface CounterReservation {
  key: string;
  amount: number;
  limit: number;
  /** The counter's lifetime from its first use (its window plus slack). */
  ttlMs: number;
}

export type ReserveOutcome =
  | { ok: true; /** Each counter's value before this reservation. */ before: number[] }
  | { ok: false; /** Index of the first counter that would go over. */ failed: number; current: number };

export interface CounterAdjustment {
  key: string;
  delta: number;
  ttlMs: number;
}

/**
 * Where budget and rate-limit counters live. `reserve` is all-or-nothing and atomic: either
 * every counter fits and all are incremented, or none is touched. That is what keeps 200
 * concurrent requests within a budget that fits 100, on one replica or many.
 */
export interface BudgetStore {
  reserve(counters: readonly CounterReservation[]): Promise<ReserveOutcome>;
  /** Applies actual-minus-reserved once per reservation id; false when it was already settled. */
  settle(reservationId: string, adjustments: readonly CounterAdjustment[]): Promise<boolean>;
  /** Current value of a counter (0 when absent), for reports and tests. */
  read(key: string): Promise<number>;
  close(): Promise<void>;
}

/** How long a settled reservation id is remembered, so a retried Settle is not applied twice. */
export const SETTLED_MEMORY_MS = 3 * 24 * 3600 * 1000;
