import { CostCalculator } from './cost.calculator';
import { CostException, CostExceptionCode } from './cost.exception';
import { PriceCatalog } from './price.catalog';

const catalog = new PriceCatalog([
  { id: 'gpt-4o-mini', price: { inputPerMtok: 0.15, outputPerMtok: 0.6, cachedInputPerMtok: 0.075 } },
  { id: 'gpt-4o', price: { inputPerMtok: 2.5, outputPerMtok: 10, cachedInputPerMtok: 1.25 } },
  { id: 'free', price: { inputPerMtok: 0, outputPerMtok: 0, cachedInputPerMtok: 0 } },
  { id: 'micro', price: { inputPerMtok: 0.000001, outputPerMtok: 0.123456, cachedInputPerMtok: 0.000001 } },
]);
const calculator = new CostCalculator(catalog);

describe('PriceCatalog', () => {
  it('holds prices as integer pico-dollars per token', () => {
    expect(catalog.get('gpt-4o-mini')).toEqual({
      modelId: 'gpt-4o-mini',
      inputPicoUsdPerToken: 150_000n,
      outputPicoUsdPerToken: 600_000n,
      cachedInputPicoUsdPerToken: 75_000n,
    });
    expect(catalog.get('nope')).toBeUndefined();
    expect(catalog.modelIds()).toEqual(['gpt-4o-mini', 'gpt-4o', 'free', 'micro']);
  });
});

describe('CostCalculator', () => {
  it('bills cached input at the cached price and not again at the input price', () => {
    expect(calculator.price('gpt-4o-mini', { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200 })).toEqual({
      inputCostUsd: 0.00012, // 800 uncached × $0.15/M
      cachedInputCostUsd: 0.000015, // 200 cached × $0.075/M
      outputCostUsd: 0.0003, // 500 × $0.60/M
      totalCostUsd: 0.000435,
      totalCostNanoUsd: 435_000n,
      priced: true,
    });
  });

  it('gives exact totals where float arithmetic drifts', () => {
    const naive = (800 * 0.15) / 1e6 + (200 * 0.075) / 1e6 + (500 * 0.6) / 1e6;
    expect(naive).not.toBe(0.000435);
    const priced = calculator.price('gpt-4o', { inputTokens: 1_234_567, outputTokens: 89_012, cachedInputTokens: 1_000_000 });
    expect(priced.inputCostUsd).toBe(0.5864175); // 234,567 × 2.5e-6
    expect(priced.cachedInputCostUsd).toBe(1.25);
    expect(priced.outputCostUsd).toBe(0.89012);
    expect(priced.totalCostNanoUsd).toBe(2_726_537_500n);
    expect(priced.totalCostUsd).toBe(2.7265375);
  });

  it('treats missing cachedInputTokens as zero', () => {
    expect(calculator.price('gpt-4o', { inputTokens: 1_000_000, outputTokens: 1_000_000 }).totalCostUsd).toBe(12.5);
  });

  it('rounds each component half up to whole nano-dollars', () => {
    expect(calculator.price('micro', { inputTokens: 499, outputTokens: 0 }).totalCostNanoUsd).toBe(0n); // 499 pico
    expect(calculator.price('micro', { inputTokens: 500, outputTokens: 0 }).totalCostNanoUsd).toBe(1n); // 500 pico
    expect(calculator.price('micro', { inputTokens: 0, outputTokens: 3 })).toEqual({
      inputCostUsd: 0,
      cachedInputCostUsd: 0,
      outputCostUsd: 0.00000037, // 370,368 pico → 370 nano
      totalCostUsd: 0.00000037,
      totalCostNanoUsd: 370n,
      priced: true,
    });
  });

  it('prices free models at zero but as priced', () => {
    expect(calculator.price('free', { inputTokens: 10, outputTokens: 10 })).toEqual({
      inputCostUsd: 0,
      outputCostUsd: 0,
      cachedInputCostUsd: 0,
      totalCostUsd: 0,
      totalCostNanoUsd: 0n,
      priced: true,
    });
  });

  it('returns zero cost and priced=false for a model without a price', () => {
    expect(calculator.price('mystery', { inputTokens: 10, outputTokens: 10 })).toEqual({
      inputCostUsd: 0,
      outputCostUsd: 0,
      cachedInputCostUsd: 0,
      totalCostUsd: 0,
      totalCostNanoUsd: 0n,
      priced: false,
    });
  });

  it('copes with token counts whose cost exceeds 2^53 pico-dollars', () => {
    const priced = calculator.price('gpt-4o', { inputTokens: 4_000_000_000, outputTokens: 4_000_000_000 });
    expect(priced.totalCostNanoUsd).toBe(50_000_000_000_000n);
    expect(priced.totalCostUsd).toBe(50_000);
  });

  it('rejects impossible usage', () => {
    expect(() => calculator.price('gpt-4o', { inputTokens: 10, outputTokens: 0, cachedInputTokens: 11 })).toThrow(
      new CostException(CostExceptionCode.INVALID_USAGE, 'cachedInputTokens (11) exceeds inputTokens (10); inputTokens must include cached tokens'),
    );
    expect(() => calculator.price('gpt-4o', { inputTokens: -1, outputTokens: 0 })).toThrow('inputTokens must be a whole number of tokens, not -1');
    expect(() => calculator.price('gpt-4o', { inputTokens: 1, outputTokens: 1.5 })).toThrow('outputTokens must be a whole number of tokens, not 1.5');
  });
});
