import type { ModelConfig } from '@llmops/config';

/**
 * A model's prices as integers: pico-dollars (1e-12 USD) per token, which is the same number as
 * micro-dollars per million tokens. Exact for any price with up to six decimals per million
 * tokens, the precision llmops.yaml allows.
 */
export interface ModelPricing {
  modelId: string;
  inputPicoUsdPerToken: bigint;
  outputPicoUsdPerToken: bigint;
  cachedInputPicoUsdPerToken: bigint;
}

/** Prices of the models in llmops.yaml, by model id. */
export class PriceCatalog {
  private readonly byModel: ReadonlyMap<string, ModelPricing>;

  constructor(models: ReadonlyArray<Pick<ModelConfig, 'id' | 'price'>>) {
    this.byModel = new Map(
      models.map((model) => [
        model.id,
        {
          modelId: model.id,
          inputPicoUsdPerToken: perMtokToPicoPerToken(model.price.inputPerMtok),
          outputPicoUsdPerToken: perMtokToPicoPerToken(model.price.outputPerMtok),
          cachedInputPicoUsdPerToken: perMtokToPicoPerToken(model.price.cachedInputPerMtok),
        },
      ]),
    );
  }

  get(modelId: string): ModelPricing | undefined {
    return this.byModel.get(modelId);
  }

  modelIds(): string[] {
    return [...this.byModel.keys()];
  }
}

function perMtokToPicoPerToken(usdPerMillionTokens: number): bigint {
  return BigInt(Math.round(usdPerMillionTokens * 1_000_000));
}
