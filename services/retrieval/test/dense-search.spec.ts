import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CachedEmbedder, dot, OnnxSentenceEmbedder } from '@llmops/embeddings';
import { createRetrievalComponents } from '../src/retrieval.module';
import { HttpReranker } from '../src/search/http.reranker';
import { LanceChunkStore } from '../src/store/lance-chunk.store';
import { RetrievalErrorCode } from '../src/store/retrieval.exception';

const MODEL_DIR = resolve(__dirname, '../../../.cache/embedding-model/all-minilm-l6-v2');

const DOCUMENTS = [
  { source: 'faq/gpu.md', content: '# GPU instances\n\nGPU instances are in private preview in the us-east region only.' },
  { source: 'security/laptops.md', content: '# Laptops\n\nLost or stolen laptops are reported to the IT service desk, which wipes them remotely.' },
  { source: 'office/kitchen.md', content: '# Kitchen\n\nCoffee, tea and fruit are free. Lunch is not provided.' },
  { source: 'billing/refunds.md', content: '# Refunds\n\nRefunds reach the original payment method within ten business days.' },
  { source: 'ops/backups.md', content: '# Backups\n\nFull backups run nightly and are kept for 35 days.' },
];

/** A rerank endpoint with Cohere's wire format; it scores by how many query words a document shares, reversed for "invert". */
async function startRerankServer(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; documents: string[]; top_n: number; model: string };
    bodies.push(body);
    if (req.headers.authorization !== 'Bearer rerank-key') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'invalid api token' }));
      return;
    }
    const words = new Set(body.query.toLowerCase().match(/\w+/g));
    const results = body.documents
      .map((document, index) => ({ index, relevance_score: (document.toLowerCase().match(/\w+/g) ?? []).filter((w) => words.has(w)).length / 10 }))
      .sort((a, b) => b.relevance_score - a.relevance_score)
      .slice(0, body.top_n);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'r1', results, meta: { billed_units: { search_units: 1 } } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/rerank`,
    bodies,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('dense and hybrid search with the local all-MiniLM-L6-v2 model (real ONNX Runtime, real LanceDB)', () => {
  let work: string;
  let embedder: CachedEmbedder;
  let store: LanceChunkStore;
  let rerank: Awaited<ReturnType<typeof startRerankServer>>;
  let components: ReturnType<typeof createRetrievalComponents>;

  beforeAll(async () => {
    if (!(await OnnxSentenceEmbedder.isInstalled(MODEL_DIR))) throw new Error(`no model at ${MODEL_DIR}: run bash deploy/local/embedding-model.sh`);
    embedder = new CachedEmbedder(await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR }));
    work = await mkdtemp(join(tmpdir(), 'retrieval-dense-'));
    store = new LanceChunkStore({ directory: join(work, 'lancedb'), vectorDimensions: await embedder.dimensions() });
    rerank = await startRerankServer();
    components = createRetrievalComponents(
      {
        ingestRoot: work,
        collection: () => ({ chunking: { targetTokens: 384, maxTokens: 512, overlapTokens: 58 }, pii: 'off' }),
        rerank: { url: rerank.url, model: 'rerank-v3.5', apiKey: 'rerank-key' },
      },
      { store, embedder },
    );
    await components.ingestion.ingest('acme', 'kb', DOCUMENTS);
  });

  afterAll(async () => {
    await store?.close();
    await embedder?.close();
    await rerank?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const search = (query: string, extra: Record<string, unknown> = {}) =>
    components.searches.search({ tenantId: 'acme', collection: 'kb', query, topK: 3, ...extra });

  it('reproduces the reference sentence-transformers similarities of all-MiniLM-L6-v2', async () => {
    // From the sentence-transformers quickstart for this model: 0.6660, 0.1046, 0.1411.
    const [weather, sunny, stadium] = await embedder.embed(['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.']);
    expect(dot(weather, sunny)).toBeCloseTo(0.666, 3);
    expect(dot(weather, stadium)).toBeCloseTo(0.1046, 3);
    expect(dot(sunny, stadium)).toBeCloseTo(0.1411, 3);
  });

  it('runs the int8 graph of the model with its own id and vectors close to the fp32 ones', async () => {
    if (!(await OnnxSentenceEmbedder.isInstalled(MODEL_DIR, 'int8'))) throw new Error(`no model.int8.onnx in ${MODEL_DIR}: run bash deploy/local/embedding-model.sh`);
    const int8 = await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR, variant: 'int8' });
    try {
      expect(embedder.id).toBe('onnx:all-minilm-l6-v2:256');
      expect(int8.id).toBe('onnx:all-minilm-l6-v2+int8:256');
      const sentences = ['The weather is lovely today.', 'Refunds reach the original payment method within ten business days.', 'GPU instances are in private preview.'];
      const [exact, quantised] = [await embedder.embed(sentences), await int8.embed(sentences)];
      for (const [i, vector] of quantised.entries()) {
        expect(dot(vector, vector)).toBeCloseTo(1, 4);
        expect(dot(vector, exact[i])).toBeGreaterThan(0.97);
        expect(dot(vector, exact[i])).toBeLessThan(0.99999);
      }
    } finally {
      await int8.close();
    }
  });

  it('finds a paraphrase by meaning that shares no word with the passage, where keyword search cannot', async () => {
    const question = 'graphics cards for machine learning workloads';
    const keyword = await search(question, { mode: 'keyword' });
    expect(keyword.passages.map((p) => p.source)).not.toContain('faq/gpu.md');
    const dense = await search(question, { mode: 'dense' });
    expect(dense.passages[0].source).toBe('faq/gpu.md');
    const hybrid = await search(question);
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.passages[0]).toMatchObject({ source: 'faq/gpu.md', section: 'GPU instances' });
    expect(hybrid.passages[0].relevance).toBeGreaterThan(0.25);
  });

  it('says nothing is relevant when no passage reaches the threshold', async () => {
    const unrelated = await search('Which wine pairs best with grilled salmon?');
    expect(unrelated).toMatchObject({ passages: [], nothingRelevant: true });
    const related = await search('what happens if my laptop gets stolen');
    expect(related.nothingRelevant).toBe(false);
    expect(related.passages[0].source).toBe('security/laptops.md');
    expect((await search('what happens if my laptop gets stolen', { scoreThreshold: 0.99 })).nothingRelevant).toBe(true);
  });

  it('reranks through a Cohere-style /rerank endpoint and uses its scores', async () => {
    const result = await search('refunds payment method business days', { rerank: true });
    const request = rerank.bodies.at(-1) as { model: string; query: string; documents: string[]; top_n: number };
    expect(request).toMatchObject({ model: 'rerank-v3.5', query: 'refunds payment method business days', top_n: request.documents.length });
    expect(result.passages[0]).toMatchObject({ source: 'billing/refunds.md' });
    expect(result.passages[0].score).toBeCloseTo(0.5, 5);
    expect(result.passages[0].relevance).toBe(result.passages[0].score);
    const scores = result.passages.map((p) => p.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const unauthorised = new HttpReranker({ url: rerank.url, model: 'm', apiKey: 'wrong' });
    await expect(unauthorised.rerank('q', ['d'])).rejects.toMatchObject({ code: RetrievalErrorCode.RerankFailure, message: 'the rerank endpoint answered HTTP 401' });
  });

  it('diversifies with MMR: near-identical passages stop crowding the top k', async () => {
    await components.ingestion.ingest('acme', 'mmr', [
      { source: 'a.md', content: '# Parking\n\nThe garage has forty parking spaces.' },
      { source: 'b.md', content: '# Parking\n\nThe garage has forty parking places.' },
      { source: 'c.md', content: '# Bicycles\n\nBicycles are parked in the locked room by the garage.' },
    ]);
    const plain = await components.searches.search({ tenantId: 'acme', collection: 'mmr', query: 'where can I park in the garage', topK: 2, mode: 'dense' });
    expect(plain.passages.map((p) => p.source).sort()).toEqual(['a.md', 'b.md']);
    const diverse = await components.searches.search({ tenantId: 'acme', collection: 'mmr', query: 'where can I park in the garage', topK: 2, mode: 'dense', mmrLambda: 0.5 });
    expect(diverse.passages.map((p) => p.source)).toContain('c.md');
  });

  it('gives cosine relevance in dense mode also through the HNSW index, whose distances are on another scale', async () => {
    const indexed = new LanceChunkStore({ directory: join(work, 'indexed'), vectorDimensions: await embedder.dimensions(), vectorIndexMinRows: 200 });
    try {
      const topics = ['parking', 'refunds', 'backups', 'laptops', 'lunch', 'GPUs', 'VPN access', 'holidays', 'badges', 'printers'];
      const texts = Array.from({ length: 300 }, (_, i) => `Note ${i} about ${topics[i % topics.length]}: ask team ${i % 7} on floor ${i % 5}.`);
      const vectors = await embedder.embed(texts);
      const chunks = texts.map((text, i) => ({ title: 'Notes', section: 'Notes', text, page: 0, lshBands: [], vector: vectors[i] }));
      await indexed.upsertDocumentChunks('acme', 'notes', { source: 'notes.md', contentHash: 'h', mediaType: 'text/markdown', tags: [], access: [], updatedAt: new Date() }, chunks);
      await indexed.refreshIndexes('acme', 'notes');
      const { searches } = createRetrievalComponents({ ingestRoot: work, collection: () => ({ chunking: { targetTokens: 384, maxTokens: 512, overlapTokens: 58 }, pii: 'off' }) }, { store: indexed, embedder });
      const query = 'who do I ask about reimbursements';
      const [queryVector] = await embedder.embed([query]);
      const result = await searches.search({ tenantId: 'acme', collection: 'notes', query, topK: 3, mode: 'dense', scoreThreshold: 0.2 });
      expect(result.passages.length).toBeGreaterThan(0);
      for (const passage of result.passages) {
        const cosine = dot(queryVector, vectors[texts.indexOf(passage.text)]);
        expect(passage.relevance).toBeCloseTo(cosine, 4);
        expect(passage.score).toBeCloseTo(cosine, 4);
      }
      // The store itself answers in cosine through the index (LanceDB's own _distance there is
      // 2 - 2·cosine, so 1 - _distance would be off by 1 - cosine: more than 0.05 for these texts).
      const [raw] = await indexed.searchVector('acme', 'notes', queryVector, { limit: 1, filter: {} });
      expect(raw.score).toBeCloseTo(dot(queryVector, vectors[texts.indexOf(raw.text)]), 4);
      expect(1 - raw.score).toBeGreaterThan(0.05);
      expect(raw.vector).toBeUndefined();
    } finally {
      await indexed.close();
    }
  });

  it('assembles a cited context within the token budget', async () => {
    const result = await search('backups refunds lunch', { mode: 'keyword', topK: 3, contextTokenBudget: 40 });
    expect(result.contextTokens).toBeLessThanOrEqual(40);
    expect(result.context).toMatch(/^\[1\] \S+ § /);
    const cited = result.passages.filter((p) => p.citation > 0);
    expect(cited.length).toBeGreaterThan(0);
    expect(cited.length).toBeLessThan(result.passages.length);
    for (const passage of cited) expect(result.context).toContain(`[${passage.citation}] ${passage.source}`);
  });
});
