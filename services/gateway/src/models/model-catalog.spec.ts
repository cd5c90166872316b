import { create } from '@bufbuild/protobuf';
import { CatalogResponseSchema } from '@llmops/contracts';
import { parsePlatformConfig } from '@llmops/config';
import { ModelCatalog } from './model-catalog';

const platform = parsePlatformConfig(
  {
    providers: { local: { kind: 'local' } },
    models: [
      { id: 'chat', provider: 'local', version: 'c-1', context_window: 1000, price: { input_per_mtok: 0, output_per_mtok: 0 } },
      { id: 'embedder', provider: 'local', version: 'e-1', context_window: 256, price: { input_per_mtok: 0, output_per_mtok: 0 }, capabilities: ['embeddings'] },
    ],
    routes: [{ name: 'default', chain: ['chat'] }],
    guardrails: { max_input_chars: 1000, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: 'data' },
    analytics: { retention_days: 1 },
  },
  { baseDir: '/srv' },
);

describe('ModelCatalog.describe', () => {
  it('answers from llmops.yaml at once, then from routing’s catalog once it has answered', async () => {
    let now = 0;
    let calls = 0;
    const routing = {
      catalog: async () => {
        calls++;
        return create(CatalogResponseSchema, { models: [{ id: 'chat', capabilities: [] }, { id: 'new-embedder', capabilities: ['embeddings'] }], routes: [{ name: 'default' }] });
      },
    };
    const catalog = new ModelCatalog(routing as never, platform, () => now);
    expect(catalog.describe('embedder')).toEqual({ isRoute: false, embeddings: true });
    expect(catalog.describe('')).toEqual({ isRoute: true, embeddings: false });
    await catalog.settled();
    expect(calls).toBe(1);
    expect(catalog.describe('new-embedder')).toEqual({ isRoute: false, embeddings: true });
    expect(catalog.describe('embedder')).toBeUndefined();
    expect(catalog.embeddingModels()).toEqual(['new-embedder']);
    // Fresh for a few seconds: no hop per look-up.
    now += 1_000;
    catalog.describe('chat');
    expect(calls).toBe(1);
    now += 10_000;
    catalog.describe('chat');
    await catalog.settled();
    expect(calls).toBe(2);
  });

  it('keeps the copy it has when routing cannot answer', async () => {
    const catalog = new ModelCatalog({ catalog: async () => Promise.reject(new Error('unavailable')) } as never, platform, () => 0);
    expect(catalog.describe('embedder')?.embeddings).toBe(true);
    await catalog.settled();
    expect(catalog.describe('chat')).toEqual({ isRoute: false, embeddings: false });
  });
});
