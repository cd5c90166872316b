import { nanoToUsd, type PricedUsage } from './cost.calculator';

export interface TenantSpend {
  tenantId: string;
  totalCostUsd: number;
  totalCostNanoUsd: bigint;
  /** Every recorded call, priced or not. */
  calls: number;
  /** Calls to models the catalog has no price for (counted at zero cost). */
  unpricedCalls: number;
}

/**
 * Running spend per tenant, in memory, for GetSpend. Totals are kept in integer nano-dollars so
 * millions of small calls add up exactly. Lost on restart; the durable record is the cost events
 * in ClickHouse.
 */
export class SpendLedger {
  private readonly tenants = new Map<string, { nano: bigint; calls: number; unpricedCalls: number }>();

  record(tenantId: string, cost: Pick<PricedUsage, 'totalCostNanoUsd' | 'priced'>): void {
    const entry = this.tenants.get(tenantId) ?? { nano: 0n, calls: 0, unpricedCalls: 0 };
    entry.nano += cost.totalCostNanoUsd;
    entry.calls += 1;
    if (!cost.priced) entry.unpricedCalls += 1;
    this.tenants.set(tenantId, entry);
  }

  spend(tenantId: string): TenantSpend {
    const entry = this.tenants.get(tenantId);
    return {
      tenantId,
      totalCostUsd: nanoToUsd(entry?.nano ?? 0n),
      totalCostNanoUsd: entry?.nano ?? 0n,
      calls: entry?.calls ?? 0,
      unpricedCalls: entry?.unpricedCalls ?? 0,
    };
  }
}
