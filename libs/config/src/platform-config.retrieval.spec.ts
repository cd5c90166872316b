import { ConfigValidationError } from './config-validation.error';
import { parsePlatformConfig } from './platform-config.parser';

function documentWith(retrieval: Record<string, unknown>): Record<string, unknown> {
  return {
    providers: { local: { kind: 'local' } },
    models: [{ id: 'tiny', provider: 'local', version: 'tiny-1', context_window: 4096, price: { input_per_mtok: 0, output_per_mtok: 0 } }],
    routes: [{ name: 'default', chain: ['tiny'] }],
    guardrails: { max_input_chars: 1000, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval,
    analytics: { retention_days: 30 },
  };
}

function issuesOf(retrieval: Record<string, unknown>): string[] {
  try {
    parsePlatformConfig(documentWith(retrieval), { baseDir: '/srv/app' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the retrieval section to be rejected');
}

describe('parsePlatformConfig: retrieval', () => {
  it('keeps only the data directory when nothing else is written', () => {
    const config = parsePlatformConfig(documentWith({ data_dir: 'data/lancedb' }), { baseDir: '/srv/app' });
    expect(config.retrieval).toEqual({ dataDir: '/srv/app/data/lancedb', collections: {} });
  });

  it('reads the embedder, rerank endpoint, threshold and per-collection chunking with defaults', () => {
    const config = parsePlatformConfig(
      documentWith({
        data_dir: '/var/lib/lancedb',
        embedder: { kind: 'local', model_dir: '.cache/embedding-model/all-minilm-l6-v2' },
        rerank: { url: 'http://localhost:8787/rerank', model: 'bge-reranker-base', api_key_env: 'RERANK_KEY' },
        score_threshold: 0.3,
        collections: { docs: { chunk_tokens: 256, overlap_tokens: 40, pii: 'redact' }, faq: {} },
      }),
      { baseDir: '/srv/app' },
    );
    expect(config.retrieval).toEqual({
      dataDir: '/var/lib/lancedb',
      embedder: { kind: 'local', modelDir: '/srv/app/.cache/embedding-model/all-minilm-l6-v2' },
      rerank: { url: 'http://localhost:8787/rerank', model: 'bge-reranker-base', apiKeyEnv: 'RERANK_KEY' },
      scoreThreshold: 0.3,
      collections: {
        docs: { chunkTokens: 256, overlapTokens: 40, maxTokens: 512, pii: 'redact' },
        faq: { chunkTokens: 384, overlapTokens: 58, maxTokens: 512, pii: 'off' },
      },
    });
  });

  it('accepts a remote embedder naming a model, and none', () => {
    const document = documentWith({ data_dir: 'd', embedder: { kind: 'remote', model: 'text-embedding-3-small', dimensions: 512 } });
    (document.models as unknown[]).push({
      id: 'text-embedding-3-small',
      provider: 'local',
      version: 'te3s-v1',
      context_window: 8192,
      price: { input_per_mtok: 0.02, output_per_mtok: 0 },
    });
    const remote = parsePlatformConfig(document, { baseDir: '/srv/app' });
    expect(remote.retrieval.embedder).toEqual({ kind: 'remote', model: 'text-embedding-3-small', provider: 'local', version: 'te3s-v1', dimensions: 512 });
    const none = parsePlatformConfig(documentWith({ data_dir: 'd', embedder: { kind: 'none' } }), { baseDir: '/srv/app' });
    expect(none.retrieval.embedder).toEqual({ kind: 'none' });
  });

  it('lists every bad setting with its path', () => {
    const issues = issuesOf({
      data_dir: 'd',
      embedder: { kind: 'gpu' },
      rerank: { url: 'not a url', model: 'm' },
      collections: { Docs: {}, faq: { chunk_tokens: 100, overlap_tokens: 100, max_tokens: 64, pii: 'mask' } },
    });
    const paths = issues.map((issue) => issue.split(':')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'retrieval.embedder.kind',
        'retrieval.rerank.url',
        'retrieval.collections.faq.pii',
      ]),
    );
    expect(issues.some((issue) => issue.includes('Docs'))).toBe(true);
  });

  it('requires a remote embedder to name a model of the models list', () => {
    expect(issuesOf({ data_dir: 'd', embedder: { kind: 'remote', model: 'missing-embedder' } })).toEqual([
      'retrieval.embedder.model: unknown model "missing-embedder"; add the embedding model to models',
    ]);
  });
});
