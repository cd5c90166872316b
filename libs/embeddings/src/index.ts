export { CachedEmbedder } from './cached.embedder';
export { OnnxSentenceEmbedder } from './onnx-sentence.embedder';
export type { OnnxSentenceEmbedderOptions } from './onnx-sentence.embedder';
export { dot, normalize } from './text-embedder';
export type { TextEmbedder } from './text-embedder';
