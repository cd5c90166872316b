export { CachedEmbedder } from './cached.embedder';
export { DEFAULT_EMBEDDING_MODEL_DIR, OnnxSentenceEmbedder } from './onnx-sentence.embedder';
export type { EmbeddingModelVariant, OnnxSentenceEmbedderOptions } from './onnx-sentence.embedder';
export { dot, embedOne, normalize } from './text-embedder';
export type { TextEmbedder } from './text-embedder';
