import { Inference } from '@llmops/contracts';
import { CachedEmbedder, OnnxSentenceEmbedder, type TextEmbedder } from '@llmops/embeddings';
import { createGrpcClient } from '@llmops/grpc';
import type { EmbedderConfig } from '../config/retrieval.config';
import { InferenceEmbedder } from './inference.embedder';

/**
 * The embedder llmops.yaml asks for. With no `retrieval.embedder` the local model is used when
 * deploy/local/embedding-model.sh installed it, and search falls back to keyword-only when not.
 */
export async function createEmbedder(config: EmbedderConfig): Promise<TextEmbedder | undefined> {
  switch (config.kind) {
    case 'none':
      return undefined;
    case 'local': {
      if (!config.required && !(await OnnxSentenceEmbedder.isInstalled(config.modelDir))) return undefined;
      const variant = config.variant === 'auto' ? ((await OnnxSentenceEmbedder.isInstalled(config.modelDir, 'int8')) ? 'int8' : 'fp32') : config.variant;
      return new CachedEmbedder(await OnnxSentenceEmbedder.load({ modelDir: config.modelDir, threads: config.threads, variant }));
    }
    case 'remote': {
      const client = createGrpcClient(Inference, config.inferenceAddress);
      const embedder = new InferenceEmbedder(client, {
        provider: config.provider,
        model: config.model,
        version: config.version,
        ...(config.dimensions ? { dimensions: config.dimensions } : {}),
      });
      return new CachedEmbedder({
        id: embedder.id,
        dimensions: () => embedder.dimensions(),
        embed: (texts) => embedder.embed(texts),
        close: async () => client.close(),
      });
    }
  }
}
