import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inference } from '@llmops/contracts';
import type { GrpcClient } from '@llmops/grpc';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '@llmops/testing';
import { CachedEmbedder } from '@llmops/embeddings';
import { InferenceEmbedder } from '../src/embedding/inference.embedder';
import { dot } from '@llmops/embeddings';
import { startBuiltService, type BuiltService } from './factories/built-service';

function configFor(upstream: string): string {
  return `
providers:
  local: { kind: local }
  embeddings: { kind: openai-compatible, base_url: ${upstream}, resilience: { max_retries: 0 } }
models:
  - { id: extractive-answerer, provider: local, version: extractive-answerer-1, context_window: 32768, price: { input_per_mtok: 0, output_per_mtok: 0 } }
  - { id: text-embedding-3-small, provider: embeddings, version: text-embedding-3-small, context_window: 8192, price: { input_per_mtok: 0.02, output_per_mtok: 0 } }
routes:
  - { name: default, chain: [extractive-answerer] }
guardrails: { max_input_chars: 10000, redact: [] }
prompts: { dir: prompts }
retrieval: { data_dir: lancedb, embedder: { kind: remote, model: text-embedding-3-small } }
analytics: { retention_days: 1 }
`;
}

describe('InferenceEmbedder through the real inference service (built dist/) and an OpenAI-compatible /v1/embeddings server', () => {
  let work: string;
  let upstream: FakeOpenAiServer;
  let inference: BuiltService<typeof Inference>;
  let client: GrpcClient<typeof Inference>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'retrieval-remote-embedder-'));
    upstream = await startFakeOpenAiServer({ embeddingDimensions: 12 });
    await writeFile(join(work, 'llmops.yaml'), configFor(upstream.url));
    inference = await startBuiltService('inference', Inference, { LLMOPS_CONFIG: join(work, 'llmops.yaml'), LLMOPS_STATE_DIR: work }, work);
    client = inference.client;
  });

  afterAll(async () => {
    await inference?.stop();
    await upstream?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('embeds in batches through Embed, in input order, as unit vectors the upstream computed', async () => {
    const embedder = new InferenceEmbedder(client, { provider: 'embeddings', model: 'text-embedding-3-small', version: 'text-embedding-3-small', batchSize: 2 });
    const texts = ['alpha', 'beta', 'gamma', 'alpha'];
    const vectors = await embedder.embed(texts);

    expect(vectors).toHaveLength(4);
    expect(await embedder.dimensions()).toBe(12);
    for (const vector of vectors) expect(dot(vector, vector)).toBeCloseTo(1, 5);
    expect(Array.from(vectors[3])).toEqual(Array.from(vectors[0]));
    // Each vector is the upstream's own, normalised.
    const raw = (await (
      await fetch(`${upstream.url}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'text-embedding-3-small', input: ['gamma'] }) })
    ).json()) as { data: { embedding: number[] }[] };
    const norm = Math.hypot(...raw.data[0].embedding);
    raw.data[0].embedding.forEach((value, i) => expect(vectors[2][i]).toBeCloseTo(value / norm, 5));
    const calls = upstream.requests
      .slice(0, -1)
      .filter((request) => request.path === '/v1/embeddings').map((request) => (request.body as { input: string[] }).input);
    expect(calls).toEqual([
      ['alpha', 'beta'],
      ['gamma', 'alpha'],
    ]);
  });

  it('sends only texts it has not embedded before when cached', async () => {
    const embedder = new CachedEmbedder(new InferenceEmbedder(client, { provider: 'embeddings', model: 'text-embedding-3-small', version: 'text-embedding-3-small' }));
    const before = upstream.requests.length;
    await embedder.embed(['delta', 'epsilon']);
    await embedder.embed(['epsilon', 'delta', 'zeta']);
    const sent = upstream.requests.slice(before).map((request) => (request.body as { input: string[] }).input);
    expect(sent).toEqual([['delta', 'epsilon'], ['zeta']]);
  });

  it('reports an unknown provider as the inference service’s error', async () => {
    const embedder = new InferenceEmbedder(client, { provider: 'nope', model: 'x', version: 'x' });
    // As for chat: a provider inference has not configured (unknown, or its key unset) is named.
    await expect(embedder.embed(['a'])).rejects.toMatchObject({ code: 'upstream_error', message: expect.stringContaining("provider 'nope' of model 'x' is not configured") });
  });
});
