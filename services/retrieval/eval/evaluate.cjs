#!/usr/bin/env node
'use strict';
/**
 * Retrieval quality on the labelled set: services/retrieval/eval/corpus (11 files: Markdown, text,
 * HTML, PDF, JSONL) and questions.jsonl (66 answerable questions with the source and a phrase of
 * the passage that answers them, 10 the corpus cannot answer).
 *
 * Ingests the corpus with the service's own pipeline (the built dist/) into a temporary LanceDB,
 * then runs every question in each mode and prints recall@5, MRR@10 and nDCG@10 (binary gains:
 * a passage is relevant when it comes from the labelled source and contains the phrase), and how
 * well the score threshold separates unanswerable questions.
 *
 * Usage: npx tsc -b services/retrieval && node services/retrieval/eval/evaluate.cjs
 *        [--chunk-tokens=384] [--max-tokens=512] [--overlap=58] [--threshold=0.25] [--json=out.json]
 * Needs the local model: bash deploy/local/embedding-model.sh (keyword rows are computed without it).
 */
require('reflect-metadata');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../../..');
const dist = (path) => require(join(ROOT, 'services/retrieval/dist', path));
const { createRetrievalComponents } = dist('retrieval.module');
const { LanceChunkStore } = dist('store/lance-chunk.store');
const { OnnxSentenceEmbedder } = require(join(ROOT, 'libs/embeddings/dist/onnx-sentence.embedder'));
const { CachedEmbedder } = require(join(ROOT, 'libs/embeddings/dist/cached.embedder'));

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const chunking = {
  targetTokens: Number(args['chunk-tokens'] ?? 384),
  maxTokens: Number(args['max-tokens'] ?? 512),
  overlapTokens: Number(args.overlap ?? 58),
};
const threshold = Number(args.threshold ?? 0.25);
const MODEL_DIR = resolve(ROOT, args['model-dir'] ?? '.cache/embedding-model/all-minilm-l6-v2');

const normalize = (text) => text.replace(/\s+/g, ' ').trim().toLowerCase();

function judge(question, passages) {
  const items = question.relevant;
  const matched = new Set();
  const gains = passages.map((passage) => {
    const index = items.findIndex(
      (item, i) => !matched.has(i) && passage.source === item.source && normalize(passage.text).includes(normalize(item.contains)),
    );
    if (index < 0) return 0;
    matched.add(index);
    return 1;
  });
  const firstHit = gains.findIndex((gain) => gain > 0);
  const dcg = gains.slice(0, 10).reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
  let ideal = 0;
  for (let i = 0; i < Math.min(items.length, 10); i++) ideal += 1 / Math.log2(i + 2);
  return {
    recall5: gains.slice(0, 5).reduce((a, b) => a + b, 0) / items.length,
    mrr: firstHit >= 0 && firstHit < 10 ? 1 / (firstHit + 1) : 0,
    ndcg10: ideal > 0 ? dcg / ideal : 0,
  };
}

async function main() {
  const questions = readFileSync(join(__dirname, 'questions.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  const answerable = questions.filter((q) => q.relevant.length > 0);
  const unanswerable = questions.filter((q) => q.relevant.length === 0);
  const hasModel = await OnnxSentenceEmbedder.isInstalled(MODEL_DIR);
  if (!hasModel) console.warn(`no model at ${MODEL_DIR}: only keyword search is measured (run deploy/local/embedding-model.sh)`);
  // --variant=fp32|int8; by default what the service picks: int8 when installed, else fp32.
  const variant = args.variant ?? ((await OnnxSentenceEmbedder.isInstalled(MODEL_DIR, 'int8')) ? 'int8' : 'fp32');
  if (hasModel) console.log(`embedder: all-MiniLM-L6-v2 ${variant}`);
  const embedder = hasModel ? new CachedEmbedder(await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR, variant })) : undefined;
  const work = mkdtempSync(join(tmpdir(), 'retrieval-eval-'));
  const store = new LanceChunkStore({ directory: work, ...(embedder ? { vectorDimensions: await embedder.dimensions() } : {}) });
  const { ingestDocuments, searches } = createRetrievalComponents(
    { ingestRoot: join(__dirname, 'corpus'), collection: () => ({ chunking, pii: 'off' }) },
    { store, ...(embedder ? { embedder } : {}) },
  );
  try {
    const started = performance.now();
    const ingested = await ingestDocuments.ingest({ tenantId: 'eval', collection: 'eval', documents: [], paths: ['.'] });
    console.log(
      `ingested ${ingested.documentsDone} documents into ${ingested.chunksWritten} chunks (${ingested.chunksDeduplicated} near-duplicates dropped) in ${(performance.now() - started).toFixed(0)} ms; chunking ${JSON.stringify(chunking)}`,
    );

    const runs = [{ name: 'keyword (BM25)', mode: 'keyword' }];
    if (embedder) {
      runs.push({ name: 'dense (all-MiniLM-L6-v2)', mode: 'dense' });
      runs.push({ name: 'hybrid (RRF k=60)', mode: 'hybrid' });
      runs.push({ name: 'hybrid + MMR λ=0.7', mode: 'hybrid', mmrLambda: 0.7 });
    }
    const rows = [];
    for (const run of runs) {
      const scores = { recall5: 0, mrr: 0, ndcg10: 0 };
      const misses = [];
      for (const question of answerable) {
        const result = await searches.search({
          tenantId: 'eval',
          collection: 'eval',
          query: question.question,
          topK: 10,
          mode: run.mode,
          scoreThreshold: -1,
          ...(run.mmrLambda !== undefined ? { mmrLambda: run.mmrLambda } : {}),
        });
        const judged = judge(question, result.passages);
        for (const key of Object.keys(scores)) scores[key] += judged[key];
        if (judged.recall5 === 0) misses.push(question.id);
      }
      const row = { run: run.name, ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, v / answerable.length])), misses };
      rows.push(row);
    }

    console.log(`\n${answerable.length} answerable questions\n`);
    console.log('| mode | recall@5 | MRR@10 | nDCG@10 |');
    console.log('| --- | --- | --- | --- |');
    for (const row of rows) console.log(`| ${row.run} | ${row.recall5.toFixed(3)} | ${row.mrr.toFixed(3)} | ${row.ndcg10.toFixed(3)} |`);
    for (const row of rows) console.log(`misses@5 ${row.run}: ${row.misses.join(' ') || 'none'}`);

    let abstention;
    if (embedder) {
      // "Nothing relevant" exactly as the service decides it: no hybrid candidate reaches the threshold.
      const refused = async (question, value) =>
        (await searches.search({ tenantId: 'eval', collection: 'eval', query: question.question, topK: 5, mode: 'hybrid', scoreThreshold: value })).nothingRelevant;
      const sweep = [];
      for (const value of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45]) {
        let unanswerableRefused = 0;
        let answerableRefused = 0;
        for (const question of unanswerable) if (await refused(question, value)) unanswerableRefused++;
        for (const question of answerable) if (await refused(question, value)) answerableRefused++;
        sweep.push({ threshold: value, unanswerableRefused: unanswerableRefused / unanswerable.length, answerableRefused: answerableRefused / answerable.length });
      }
      abstention = { default: threshold, sweep };
      console.log(`\n"nothing relevant" (hybrid, no candidate with cosine >= threshold), ${unanswerable.length} unanswerable / ${answerable.length} answerable questions:\n`);
      console.log('| threshold | unanswerable refused | answerable wrongly refused |');
      console.log('| --- | --- | --- |');
      for (const row of sweep) {
        console.log(`| ${row.threshold}${row.threshold === threshold ? ' (default)' : ''} | ${(row.unanswerableRefused * 100).toFixed(0)}% | ${(row.answerableRefused * 100).toFixed(1)}% |`);
      }
    }
    if (args.json) writeFileSync(args.json, JSON.stringify({ chunking, rows, abstention }, null, 2));
  } finally {
    await store.close();
    await embedder?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
