import { CostException, CostExceptionCode } from './cost.exception';
import type { PriceCatalog } from './price.catalog';

/** Token counts as OpenAI reports them: `inputTokens` includes the cached ones. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

export interface PricedUsage {
  inputCostUsd: number;
  outputCostUsd: number;
  cachedInputCostUsd: number;
  totalCostUsd: number;
  /** Exact total in nano-dollars; sum these, not the USD floats. */
  totalCostNanoUsd: bigint;
  /** False when the catalog has no price for the model; all costs are then zero. */
  priced: boolean;
}

const PICO_PER_NANO = 1000n;
const NANO_PER_USD = 1e9;

/**
 * Prices one model call. Arithmetic is in integers (pico-dollars, rounded half up to nano-dollars
 * per component) so that costs add up exactly; USD floats are made only at the end.
 */
export class CostCalculator {
  constructor(private readonly catalog: PriceCatalog) {}

  price(modelId: string, usage: TokenUsage): PricedUsage {
    const input = tokenCount(usage.inputTokens, 'inputTokens');
    const output = tokenCount(usage.outputTokens, 'outputTokens');
    const cached = tokenCount(usage.cachedInputTokens ?? 0, 'cachedInputTokens');
    if (cached > input) {
      // Providers that count cached tokens apart from input (Anthropic) must be normalised by the
      // adapter; guessing here would bill some tokens twice or not at all.
      throw new CostException(
        CostExceptionCode.INVALID_USAGE,
        `cachedInputTokens (${cached}) exceeds inputTokens (${input}); inputTokens must include cached tokens`,
      );
    }

    const pricing = this.catalog.get(modelId);
    if (!pricing) return { inputCostUsd: 0, outputCostUsd: 0, cachedInputCostUsd: 0, totalCostUsd: 0, totalCostNanoUsd: 0n, priced: false };

    // Cached tokens are billed once, at the cached price, and not again as ordinary input.
    const inputNano = picoToNano((input - cached) * pricing.inputPicoUsdPerToken);
    const cachedNano = picoToNano(cached * pricing.cachedInputPicoUsdPerToken);
    const outputNano = picoToNano(output * pricing.outputPicoUsdPerToken);
    const totalNano = inputNano + cachedNano + outputNano;
    return {
      inputCostUsd: nanoToUsd(inputNano),
      outputCostUsd: nanoToUsd(outputNano),
      cachedInputCostUsd: nanoToUsd(cachedNano),
      totalCostUsd: nanoToUsd(totalNano),
      totalCostNanoUsd: totalNano,
      priced: true,
    };
  }
}

export function nanoToUsd(nano: bigint): number {
  return Number(nano) / NANO_PER_USD;
}

function picoToNano(pico: bigint): bigint {
  return (pico + PICO_PER_NANO / 2n) / PICO_PER_NANO;
}

function tokenCount(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CostException(CostExceptionCode.INVALID_USAGE, `${field} must be a whole number of tokens, not ${value}`);
  }
  return BigInt(value);
}
