import { OnnxSentenceEmbedder, type TextEmbedder } from '@llmops/embeddings';
import type { EmbeddingProvider, EmbeddingRequest, EmbeddingResult } from './embedding-provider';
import { abortError, ProviderError, ProviderErrorCode } from './provider-error';
import { TokenCounter } from './token-counter';

/** The version llmops.yaml gives the local sentence model. */
export const LOCAL_EMBEDDING_MODEL = 'all-minilm-l6-v2';

export interface LocalEmbeddingProviderOptions {
  /** Where deploy/local/embedding-model.sh installed all-MiniLM-L6-v2 (absolute). */
  modelDir: string;
  tokenCounter?: TokenCounter;
}

/**
 * Embeddings computed in this process by all-MiniLM-L6-v2 on ONNX Runtime (the model retrieval
 * uses), so `/v1/embeddings` works offline. Loaded on first use, not at boot: inference starts
 * as fast whether or not the model is installed, and a missing model is a clear error on the
 * request that needed it. Texts over 256 tokens are truncated, as sentence-transformers does.
 */
export class LocalEmbeddingProvider implements EmbeddingProvider {
  private embedder: Promise<TextEmbedder> | undefined;
  private readonly tokens: TokenCounter;

  constructor(private readonly options: LocalEmbeddingProviderOptions) {
    this.tokens = options.tokenCounter ?? new TokenCounter();
  }

  async embed(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
    if (req.model !== LOCAL_EMBEDDING_MODEL) {
      throw new ProviderError(ProviderErrorCode.BAD_REQUEST, `the local provider embeds with "${LOCAL_EMBEDDING_MODEL}" only, not "${req.model}"`);
    }
    const embedder = await this.loaded();
    const dimensions = await embedder.dimensions();
    if (req.dimensions !== undefined && req.dimensions !== dimensions) {
      throw new ProviderError(ProviderErrorCode.BAD_REQUEST, `${LOCAL_EMBEDDING_MODEL} has ${dimensions} dimensions and cannot shorten them; leave dimensions out`);
    }
    if (signal.aborted) throw abortError(signal);
    const vectors = await embedder.embed(req.inputs);
    return {
      vectors: vectors.map((vector) => Array.from(vector)),
      responseModel: LOCAL_EMBEDDING_MODEL,
      // The worker does not report its token counts: ours are an estimate (the model is free).
      usage: {
        inputTokens: req.inputs.reduce((sum, text) => sum + this.tokens.countText(text, req.model), 0),
        outputTokens: 0,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        estimated: true,
      },
    };
  }

  async close(): Promise<void> {
    const embedder = await this.embedder?.catch(() => undefined);
    await embedder?.close?.();
  }

  /** A failed load is not remembered: installing the model fixes the next request without a restart. */
  private loaded(): Promise<TextEmbedder> {
    this.embedder ??= this.load().catch((error: unknown) => {
      this.embedder = undefined;
      throw error;
    });
    return this.embedder;
  }

  private async load(): Promise<TextEmbedder> {
    const { modelDir } = this.options;
    if (!(await OnnxSentenceEmbedder.isInstalled(modelDir))) {
      throw new ProviderError(
        ProviderErrorCode.UPSTREAM_UNAVAILABLE,
        `the local embedding model ${LOCAL_EMBEDDING_MODEL} is not installed (no model.onnx in ${modelDir}): run bash deploy/local/embedding-model.sh`,
        { retryable: false },
      );
    }
    try {
      return await OnnxSentenceEmbedder.load({ modelDir });
    } catch (error) {
      throw new ProviderError(ProviderErrorCode.UPSTREAM_UNAVAILABLE, `cannot load ${LOCAL_EMBEDDING_MODEL} from ${modelDir}: ${(error as Error).message}`, { retryable: false });
    }
  }
}
