#!/usr/bin/env node
'use strict';
/**
 * Retrieval benchmark, in-process on the built dist/ (no gRPC: this measures the index and the
 * search pipeline, not the transport):
 *
 * 1. Ingestion throughput with the default embedder: synthetic Markdown documents (sections of
 *    real-looking prose) through the service's own pipeline (parse, chunk, MinHash dedupe,
 *    all-MiniLM-L6-v2 on ONNX Runtime, LanceDB merge), chunks/s; and the same without embedder.
 * 2. Search latency at --chunks (default 100k) chunks: the chunks are written through the store
 *    with random unit vectors (embedding 100k chunks here would take most of an hour; the vector
 *    search costs the same whatever the vectors), then indexes are built as the service builds
 *    them (BM25 inverted index, scalar indexes, HNSW-SQ vector index). Queries are real: each is
 *    embedded by the model in the timed path, the result cache is off, and every query is
 *    distinct. Each mode also prints the split of a query: embedding, BM25 query, vector query,
 *    and the rest (fusion, threshold, context assembly, JS), each timed on its own.
 *
 * Usage: npx tsc -b tsconfig.build.json && node loadtest/retrieval-search.bench.cjs
 *        [--chunks=100000] [--queries=300] [--ingest-docs=120] [--threads=1] [--out=loadtest/results/retrieval-x.json]
 *        [--data-dir=/tmp/retrieval-100k (kept and reused)] [--skip-ingest=true] [--variant=int8|fp32 (default int8 when installed)]
 * Needs the model: bash deploy/local/embedding-model.sh.
 */
require('reflect-metadata');
const { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const { tmpdir } = os;
const { dirname, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const dist = (path) => require(join(ROOT, 'services/retrieval/dist', path));
const { createRetrievalComponents } = dist('retrieval.module');
const { LanceChunkStore } = dist('store/lance-chunk.store');
const { OnnxSentenceEmbedder } = require(join(ROOT, 'libs/embeddings/dist/onnx-sentence.embedder'));
const { SearchService } = dist('search/search.service');
const { SearchCache } = dist('search/search-cache');
const { ContextAssembler } = dist('search/context-assembler');
const { TokenCounter } = dist('ingestion/token-counter');
const { MinHasher } = dist('ingestion/minhash');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const CHUNKS = Number(args.chunks ?? 100_000);
const QUERIES = Number(args.queries ?? 300);
const INGEST_DOCS = Number(args['ingest-docs'] ?? 120);
let loadAverageAtStart;
const MODEL_DIR = resolve(ROOT, '.cache/embedding-model/all-minilm-l6-v2');

// A deterministic generator, so that runs are comparable.
let seed = 42;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = (list) => list[Math.floor(random() * list.length)];
// Text with a Zipf-distributed vocabulary of 30,000 words (rank r drawn with probability ~1/r),
// like natural language: a few words in most chunks, most words in few. A uniform toy vocabulary
// would put every query word in a third of all chunks, which no real corpus does.
const VOCABULARY = Array.from({ length: 30_000 }, (_, r) => {
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  let word = '';
  for (let n = r + 1; n > 0; n = Math.floor(n / 26)) word += letters[n % 26];
  return word.length < 3 ? word + 'en' : word;
});
const ZIPF_CDF = (() => {
  const weights = VOCABULARY.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();
const zipfWord = () => {
  const u = random();
  let lo = 0;
  let hi = ZIPF_CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ZIPF_CDF[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo];
};
const sentence = (n) => {
  const words = Array.from({ length: n }, zipfWord);
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}.`;
};
const paragraph = () => Array.from({ length: 3 + Math.floor(random() * 4) }, () => sentence(8 + Math.floor(random() * 10))).join(' ');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}
function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
function stats(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

async function ingestionThroughput(embedder, label) {
  const work = mkdtempSync(join(tmpdir(), 'retrieval-bench-ingest-'));
  const store = new LanceChunkStore({ directory: work, ...(embedder ? { vectorDimensions: 384 } : {}) });
  const { ingestion } = createRetrievalComponents(
    { ingestRoot: work, collection: () => ({ chunking: { targetTokens: 384, maxTokens: 512, overlapTokens: 58 }, pii: 'off' }) },
    { store, ...(embedder ? { embedder } : {}) },
  );
  const documents = Array.from({ length: INGEST_DOCS }, (_, d) => ({
    source: `docs/doc-${d}.md`,
    content: [`# Document ${d}`, ...Array.from({ length: 4 }, (_, s) => `## Section ${s}\n\n${paragraph()}\n\n${paragraph()}\n\n${paragraph()}`)].join('\n\n'),
  }));
  try {
    const started = performance.now();
    const result = await ingestion.ingest('bench', 'ingest', documents);
    const seconds = (performance.now() - started) / 1000;
    const row = { embedder: label, documents: result.documentsDone, chunks: result.chunksWritten, seconds, chunksPerSecond: result.chunksWritten / seconds };
    console.log(`ingestion (${label}): ${row.chunks} chunks of ${row.documents} documents in ${seconds.toFixed(1)} s = ${row.chunksPerSecond.toFixed(1)} chunks/s`);
    return row;
  } finally {
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function randomUnitVector() {
  const vector = new Float32Array(384);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    vector[i] = random() * 2 - 1;
    norm += vector[i] * vector[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

async function searchLatency(embedder) {
  // --data-dir keeps the 100k-chunk table between runs (building it takes minutes).
  const reuse = args['data-dir'] !== undefined && existsSync(join(args['data-dir'], 'done'));
  const work = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'retrieval-bench-search-'));
  const store = new LanceChunkStore({ directory: work, vectorDimensions: 384 });
  const minHasher = new MinHasher();
  const tokens = new TokenCounter();
  try {
    const perDocument = 500;
    let started = performance.now();
    for (let d = 0; !reuse && d * perDocument < CHUNKS; d++) {
      const chunks = Array.from({ length: Math.min(perDocument, CHUNKS - d * perDocument) }, (_, c) => {
        const text = `${paragraph()} marker${d}x${c}`;
        // As the service's ingestion writes a chunk: with its MinHash bands and its token count.
        return { title: `Document ${d}`, section: `Document ${d} > Section ${c % 8}`, text, page: 0, lshBands: minHasher.bandKeys(minHasher.signature(text)), tokens: tokens.count(text.trim()), vector: randomUnitVector() };
      });
      await store.upsertDocumentChunks('bench', 'big', { source: `big/doc-${d}.md`, contentHash: `h${d}`, mediaType: 'text/markdown', tags: [`t${d % 10}`], access: [], updatedAt: new Date() }, chunks);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    if (!reuse) await store.refreshIndexes('bench', 'big');
    const indexSeconds = (performance.now() - started) / 1000;
    if (args['data-dir'] !== undefined) writeFileSync(join(work, 'done'), '');
    console.log(`search set-up: ${CHUNKS} chunks written in ${writeSeconds.toFixed(1)} s, indexes built in ${indexSeconds.toFixed(1)} s`);

    const searches = new SearchService(store, new ContextAssembler(tokens), embedder, undefined, { cache: new SearchCache(0) });
    const queries = Array.from({ length: QUERIES }, (_, i) => `${sentence(3 + (i % 5))} marker${i % 200}x${i % 500}`);
    const rows = [];
    for (const [mode, extra] of [
      ['keyword', {}],
      ['dense', {}],
      ['hybrid', {}],
      ['hybrid', { filter: { tagsAny: ['t3'] } }],
      ['hybrid', { contextTokenBudget: 1500 }],
    ]) {
      for (let i = 0; i < 20; i++) await searches.search({ tenantId: 'bench', collection: 'big', query: `warm up ${i}`, topK: 5, mode, ...extra });
      const latencies = [];
      // The split: right after each timed search, its parts one by one with the same arguments
      // as the service uses (20 candidates a side): the query embedding, the BM25 query, the
      // vector query. Keyword runs beside embedding + vector, so the rest of a search (fusion,
      // MMR/threshold, context assembly, the JS around it) is total - max(keyword, embed + vector).
      const split = { embed: [], keyword: [], vector: [], rest: [] };
      const filter = extra.filter ?? {};
      for (const query of queries) {
        const t0 = performance.now();
        await searches.search({ tenantId: 'bench', collection: 'big', query, topK: 5, mode, scoreThreshold: -1, ...extra });
        const total = performance.now() - t0;
        latencies.push(total);
        const t1 = performance.now();
        const [vector] = mode === 'keyword' ? [] : await embedder.embed([query]);
        const t2 = performance.now();
        if (mode !== 'dense') await store.searchText('bench', 'big', query, { limit: 20, filter, withVectors: mode !== 'keyword' });
        const t3 = performance.now();
        if (vector) await store.searchVector('bench', 'big', vector, { limit: 20, filter, withVectors: true });
        const t4 = performance.now();
        split.embed.push(t2 - t1);
        split.keyword.push(t3 - t2);
        split.vector.push(t4 - t3);
        split.rest.push(Math.max(0, total - Math.max(t3 - t2, t2 - t1 + (t4 - t3))));
      }
      const label = `${mode}${extra.filter ? ' + tag filter' : ''}${extra.contextTokenBudget ? ' + context assembly' : ''}`;
      const parts = Object.fromEntries(Object.entries(split).map(([part, values]) => [part, stats(values)]));
      const row = { mode: label, ...stats(latencies), split: parts, queryEmbeddingMeanMs: mode === 'keyword' ? 0 : mean(split.embed) };
      rows.push(row);
      const show = (part) => `${part} p50 ${parts[part].p50.toFixed(2)} / p95 ${parts[part].p95.toFixed(2)}`;
      console.log(
        `search ${label} @ ${CHUNKS} chunks, top 5: p50 ${row.p50.toFixed(2)} ms, p95 ${row.p95.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms` +
          ` [split, ms: ${[...(mode === 'keyword' ? [] : ['embed']), ...(mode === 'dense' ? [] : ['keyword']), ...(mode === 'keyword' ? [] : ['vector']), 'rest'].map(show).join('; ')}]`,
      );
    }
    return { chunks: CHUNKS, writeSeconds, indexSeconds, rows };
  } finally {
    await store.close();
    if (args['data-dir'] === undefined) rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  loadAverageAtStart = os.loadavg();
  if (!(await OnnxSentenceEmbedder.isInstalled(MODEL_DIR))) throw new Error(`no model at ${MODEL_DIR}: run deploy/local/embedding-model.sh`);
  // --variant=fp32|int8; by default what the service picks: int8 when installed, else fp32.
  const variant = args.variant ?? ((await OnnxSentenceEmbedder.isInstalled(MODEL_DIR, 'int8')) ? 'int8' : 'fp32');
  console.log(`embedder: all-MiniLM-L6-v2 ${variant}, ${args.threads ?? 1} ONNX thread(s)`);
  const embedder = await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR, threads: Number(args.threads ?? 1), variant });
  const ingestion =
    args['skip-ingest'] === 'true'
      ? []
      : [await ingestionThroughput(embedder, `all-MiniLM-L6-v2 ${variant} (ONNX, ${args.threads ?? 1} thread)`), await ingestionThroughput(undefined, 'none (keyword only)')];
  const search = await searchLatency(embedder);
  const out = args.out ?? join(ROOT, 'loadtest/results', `retrieval-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const machine = { embedder: variant, cpus: os.cpus().length, node: process.version, loadAverageAtStart, loadAverageAtEnd: os.loadavg() };
  console.log(`load average (1/5/15 min) at start ${loadAverageAtStart.map((l) => l.toFixed(2)).join('/')}, at end ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join('/')}`);
  writeFileSync(out, JSON.stringify({ machine, ingestion, search }, null, 2));
  console.log(`results written to ${out}`);
  await embedder.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
