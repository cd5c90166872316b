import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';
import { CostCalculator } from '../src/pricing/cost.calculator';
import { PriceCatalog } from '../src/pricing/price.catalog';

// Prices of the repository's real llmops.yaml, as the cost service loads them.
describe('prices of llmops.yaml', () => {
  const config = loadPlatformConfig({ env: {}, cwd: path.resolve(__dirname, '..') });
  const calculator = new CostCalculator(new PriceCatalog(config.models));

  it('prices every configured model', () => {
    for (const model of config.models) {
      expect(calculator.price(model.id, { inputTokens: 1, outputTokens: 1 }).priced).toBe(true);
    }
  });

  it('prices a gpt-4o call with cached input exactly', () => {
    // 10,000 input of which 4,000 cached, 1,000 output: 6,000×2.50 + 4,000×1.25 + 1,000×10.00 per million
    expect(calculator.price('gpt-4o', { inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 4_000 })).toEqual({
      inputCostUsd: 0.015,
      cachedInputCostUsd: 0.005,
      outputCostUsd: 0.01,
      totalCostUsd: 0.03,
      totalCostNanoUsd: 30_000_000n,
      priced: true,
    });
    expect(calculator.price('extractive-answerer', { inputTokens: 10_000, outputTokens: 1_000 }).totalCostUsd).toBe(0);
  });
});
