import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ChatProviderRegistry, ChainModel, notConfigured } from './model-chain.executor';
import { EmbeddingResult, isEmbeddingProvider } from '../providers/embedding-provider';
import { LinkedAbort } from '../providers/linked-abort';
import { ModelPolicies } from './model-policies';

export interface EmbedInput {
  model: ChainModel;
  inputs: string[];
  dimensions?: number;
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** Embeddings through the model's provider, under the same retries and breaker as chat. */
export class EmbeddingService {
  constructor(
    private readonly providers: ChatProviderRegistry,
    private readonly policies: ModelPolicies,
  ) {}

  async embed(input: EmbedInput): Promise<EmbeddingResult> {
    const provider = this.providers.get(input.model.provider);
    if (provider === undefined) throw notConfigured(input.model);
    if (!isEmbeddingProvider(provider)) {
      throw new PlatformError(ErrorCode.InvalidRequest, `provider '${input.model.provider}' does not serve embeddings`);
    }
    const version = input.model.version || input.model.model;
    const policy = this.policies.for(input.model.provider, version);
    if (policy.isOpen) throw policy.openError();
    const scope = new LinkedAbort(input.signal);
    if (input.deadlineMs !== undefined) scope.timeoutAfter(input.deadlineMs - Date.now(), 'the deadline passed before the embeddings came');
    try {
      const { value, scope: tryScope } = await policy.run(
        scope.signal,
        (attempt) =>
          provider.embed(
            { model: version, inputs: input.inputs, ...(input.dimensions !== undefined ? { dimensions: input.dimensions } : {}) },
            attempt.signal,
          ),
        () => undefined,
      );
      tryScope.dispose();
      return value;
    } finally {
      scope.dispose();
    }
  }
}
