import type { ModelCapability, ModelConfig } from '@llmops/config';

export interface ModelRef {
  provider: string;
  /** The model id as users name it. */
  model: string;
  /** The pinned provider model version. */
  version: string;
}

/** The models of llmops.yaml with what routing asks of them: price, capabilities, health. */
export class ModelCatalog {
  private readonly byId: ReadonlyMap<string, ModelConfig>;

  constructor(models: readonly ModelConfig[]) {
    this.byId = new Map(models.map((model) => [model.id, model]));
  }

  get(id: string): ModelConfig | undefined {
    return this.byId.get(id);
  }

  require(id: string): ModelConfig {
    const model = this.byId.get(id);
    if (!model) throw new Error(`unknown model "${id}"`);
    return model;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  refOf(id: string): ModelRef {
    const model = this.require(id);
    return { provider: model.provider, model: model.id, version: model.version };
  }

  /** USD for this many tokens on this model (cached input not assumed). */
  costUsd(id: string, inputTokens: number, outputTokens: number): number {
    const price = this.require(id).price;
    return (inputTokens * price.inputPerMtok + outputTokens * price.outputPerMtok) / 1_000_000;
  }

  /** Why the model cannot serve the request (health aside), or undefined when it can. */
  unfitReason(id: string, needs: readonly ModelCapability[], estimatedTokens: number): string | undefined {
    const model = this.require(id);
    const missing = needs.filter((need) => !model.capabilities.includes(need));
    if (missing.length > 0) return `lacks ${missing.join(', ')}`;
    if (estimatedTokens > model.contextWindow) return `context window ${model.contextWindow} < ${estimatedTokens} tokens`;
    return undefined;
  }
}
