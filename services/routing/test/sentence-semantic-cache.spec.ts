import { resolve } from 'node:path';
import { OnnxSentenceEmbedder } from '@llmops/embeddings';
import { ResponseCache } from '../src/cache/response-cache';
import { SemanticIndex } from '../src/cache/semantic-index';
import { HashingTextEmbedder } from '../src/cache/text-embedder';

const MODEL_DIR = resolve(__dirname, '../../../.cache/embedding-model/all-minilm-l6-v2');
const answer = (content: string) => ({ content, model: { provider: 'p', model: 'm', version: 'v' }, usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 }, finishReason: 'stop' });

// The semantic cache with the embedder routing uses by default (all-MiniLM-L6-v2 from
// deploy/local/embedding-model.sh), at the default threshold of 0.95.
describe('the semantic cache with the sentence model', () => {
  let model: OnnxSentenceEmbedder;

  beforeAll(async () => {
    if (!(await OnnxSentenceEmbedder.isInstalled(MODEL_DIR))) throw new Error(`no model at ${MODEL_DIR}: run bash deploy/local/embedding-model.sh`);
    model = await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR });
  });

  afterAll(() => model?.close());

  it('serves a reworded question that the lexical embedder misses, and keeps a different question apart', async () => {
    const cache = new ResponseCache(model, new SemanticIndex(await model.dimensions()), 100);
    await cache.put('k1', answer('three bullets'), 60, { partition: 'tenant-1', text: 'Summarize this article in three bullet points.' });
    await cache.put('k2', answer('Paris'), 60, { partition: 'tenant-1', text: 'What is the capital of France?' });

    const reworded = await cache.getSemantic('tenant-1', 'Summarise this article in 3 bullet points.', 0.95);
    expect(reworded).toMatchObject({ kind: 'semantic', answer: { content: 'three bullets' } });
    expect(reworded!.similarity).toBeGreaterThan(0.95);
    expect(await cache.getSemantic('tenant-1', "What's the capital of France?", 0.95)).toMatchObject({ answer: { content: 'Paris' } });
    expect(await cache.getSemantic('tenant-1', 'What is the capital of Germany?', 0.95)).toBeUndefined();
    expect(await cache.getSemantic('tenant-2', 'What is the capital of France?', 0.95)).toBeUndefined();

    const lexical = new HashingTextEmbedder();
    const lexicalCache = new ResponseCache(lexical, new SemanticIndex(lexical.size), 100);
    await lexicalCache.put('k1', answer('three bullets'), 60, { partition: 'tenant-1', text: 'Summarize this article in three bullet points.' });
    expect(await lexicalCache.getSemantic('tenant-1', 'Summarise this article in 3 bullet points.', 0.95)).toBeUndefined();
  });
});
