import { CostCalculator } from './cost.calculator';
import { PriceCatalog } from './price.catalog';
import { SpendLedger } from './spend.ledger';

describe('SpendLedger', () => {
  const calculator = new CostCalculator(
    new PriceCatalog([{ id: 'gpt-4o-mini', price: { inputPerMtok: 0.15, outputPerMtok: 0.6, cachedInputPerMtok: 0.075 } }]),
  );

  it('keeps exact totals and call counts per tenant', () => {
    const ledger = new SpendLedger();
    const oneCall = calculator.price('gpt-4o-mini', { inputTokens: 1, outputTokens: 1 }); // 750 nano
    for (let i = 0; i < 10_000; i++) ledger.record('acme', oneCall);
    ledger.record('acme', calculator.price('unknown-model', { inputTokens: 5, outputTokens: 5 }));
    ledger.record('globex', calculator.price('gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0 }));

    expect(ledger.spend('acme')).toEqual({
      tenantId: 'acme',
      totalCostUsd: 0.0075,
      totalCostNanoUsd: 7_500_000n,
      calls: 10_001,
      unpricedCalls: 1,
    });
    expect(ledger.spend('globex')).toEqual({ tenantId: 'globex', totalCostUsd: 0.15, totalCostNanoUsd: 150_000_000n, calls: 1, unpricedCalls: 0 });

    let floatSum = 0;
    for (let i = 0; i < 10_000; i++) floatSum += oneCall.totalCostUsd;
    expect(floatSum).not.toBe(0.0075); // what summing the USD floats would have given
  });

  it('reports zero for a tenant with no calls', () => {
    expect(new SpendLedger().spend('nobody')).toEqual({ tenantId: 'nobody', totalCostUsd: 0, totalCostNanoUsd: 0n, calls: 0, unpricedCalls: 0 });
  });
});
