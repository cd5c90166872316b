import type { Inference } from '@llmops/contracts';
import { normalize, type TextEmbedder } from '@llmops/embeddings';
import type { GrpcClient } from '@llmops/grpc';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export interface InferenceEmbedderOptions {
  /** Provider id, model id and pinned version, as in llmops.yaml `models`. */
  readonly provider: string;
  readonly model: string;
  readonly version: string;
  readonly dimensions?: number;
  /** Inputs per Embed call. */
  readonly batchSize?: number;
  /** Tenant the embedding calls are accounted to (ingestion and queries run for one tenant each). */
  readonly tenantId?: string;
}

/**
 * Embeddings from an OpenAI-compatible /v1/embeddings server (OpenAI, Ollama, TEI, vLLM) through
 * the inference service's Embed RPC, which owns provider credentials, retries and accounting.
 */
export class InferenceEmbedder implements TextEmbedder {
  readonly id: string;
  private knownDimensions?: number;
  private readonly batchSize: number;

  constructor(
    private readonly inference: Pick<GrpcClient<typeof Inference>, 'embed'>,
    private readonly options: InferenceEmbedderOptions,
  ) {
    this.id = `remote:${options.model}${options.dimensions ? `:${options.dimensions}` : ''}`;
    this.knownDimensions = options.dimensions;
    this.batchSize = options.batchSize ?? 64;
  }

  async dimensions(): Promise<number> {
    this.knownDimensions ??= (await this.embed(['dimension probe']))[0].length;
    return this.knownDimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const inputs = texts.slice(start, start + this.batchSize);
      const response = await this.inference.embed({
        context: { tenantId: this.options.tenantId ?? 'retrieval' },
        model: { provider: this.options.provider, model: this.options.model, version: this.options.version },
        inputs: [...inputs],
        ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
      });
      if (response.embeddings.length !== inputs.length) {
        throw new RetrievalException(
          RetrievalErrorCode.EmbedderUnavailable,
          `embedding model ${this.options.model} returned ${response.embeddings.length} vectors for ${inputs.length} inputs`,
        );
      }
      for (const embedding of response.embeddings) vectors.push(normalize(Float32Array.from(embedding.vector)));
    }
    if (vectors.length > 0) this.knownDimensions ??= vectors[0].length;
    return vectors;
  }
}
