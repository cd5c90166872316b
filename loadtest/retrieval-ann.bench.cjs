#!/usr/bin/env node
'use strict';
/**
 * In-process HNSW (usearch) against LanceDB's HNSW-SQ vector query, on a 100k-chunk table built
 * by loadtest/retrieval-search.bench.cjs (--data-dir). Measures, for top 20:
 *
 * (a) usearch build time from the table's vectors (i8 and f16), and load time from its file;
 * (b) usearch search p50 / p95 at a few expansion_search values;
 * (c) recall@20 against the exact top 20 (brute force in JS over the table's vectors) for
 *     usearch and for the LanceDB query the service runs (HNSW-SQ, default nprobes / ef);
 * (d) reading the passage columns (+ vector) of 5 / 10 / 20 rows by chunk id from LanceDB,
 *     without and with a btree index on chunk_id, against the one-phase vector query that
 *     returns its 20 candidates' columns and vectors, as the service runs it now; and the same
 *     rows by LanceDB row id (takeRowIds), all columns and column by column.
 *
 * Results and the decision they led to: docs/retrieval.md, "In-process HNSW (usearch): measured,
 * not adopted".
 *
 * Writes only into --data-dir (a btree index on chunk_id when --index-chunk-id=true, and the
 * usearch files under --out-dir): point it at a copy of the bench table.
 *
 * Usage: node loadtest/retrieval-ann.bench.cjs --data-dir=/tmp/r100k-ann [--queries=200]
 *        [--quantizations=i8,f16] [--expansions=64,128,256] [--threads=2] [--index-chunk-id=true]
 *        [--lance-variants=ef:80,ef:80/refine:2] (query-time settings of LanceDB's index to compare too)
 *        [--critical-path=true] (e): hybrid's candidate stage with the int8 query model, three ways (needs the model)
 *        [--synthetic=clustered --rows=100000]: the same comparison on clustered vectors (a new table under --out-dir)
 */
const { mkdirSync, existsSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
// As the service does (store/lance-cpu-threads.ts), before LanceDB starts its CPU pool.
process.env.LANCE_CPU_THREADS ??= String(Math.max(4, os.cpus().length));
const { connect, Index: LanceIndex } = require('@lancedb/lancedb');
const usearch = require('usearch');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DATA_DIR = args['data-dir'];
if (!DATA_DIR && require.main === module) throw new Error('--data-dir=<copy of the bench table> is required');
const QUERIES = Number(args.queries ?? 200);
const QUANTIZATIONS = (args.quantizations ?? 'i8,f16').split(',');
const EXPANSIONS = (args.expansions ?? '64,128,256').split(',').map(Number);
const THREADS = Number(args.threads ?? 2);
const OUT_DIR = args['out-dir'] ?? join(DATA_DIR ?? '.', 'ann-bench');
const K = 20;
const { passageColumnsOf, textColumnNameOf, textsOf } = require('./lib/lance-passages.cjs');
/** What the service's searches read back, vector aside: set once the table is open (its layout decides). */
let PASSAGE_COLUMNS;

let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
function randomUnitVector(dimensions) {
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) norm += (vector[i] = random() * 2 - 1) ** 2;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] /= norm;
  return vector;
}
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} / p95 ${percentile(sorted, 95).toFixed(2)} ms`;
}
const load = () => os.loadavg().map((l) => l.toFixed(2)).join('/');

/** Brute force: the exact top k by dot product (the vectors are unit vectors, so cosine). */
function exactTop(matrix, count, dimensions, query, k) {
  const best = [];
  for (let row = 0; row < count; row++) {
    let dot = 0;
    const base = row * dimensions;
    for (let i = 0; i < dimensions; i++) dot += matrix[base + i] * query[i];
    if (best.length < k || dot > best[best.length - 1][1]) {
      best.push([row, dot]);
      best.sort((a, b) => b[1] - a[1]);
      if (best.length > k) best.pop();
    }
  }
  return best.map(([row]) => row);
}

const recall = (found, truth) => {
  const wanted = new Set(truth);
  return found.filter((x) => wanted.has(x)).length / truth.length;
};
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

async function timed(label, runs, fn) {
  for (let i = 0; i < Math.min(10, runs.length); i++) await fn(runs[i], i);
  const latencies = [];
  for (let i = 0; i < runs.length; i++) {
    const t0 = performance.now();
    await fn(runs[i], i);
    latencies.push(performance.now() - t0);
  }
  console.log(`${label}: ${stats(latencies)} (load ${load()})`);
  return latencies;
}


/** (a)–(c): recall@K and latency of LanceDB's vector query and of usearch builds of the same vectors. */
async function annComparison(table, matrix, ids, dimensions, queries, outDir, passageColumns) {
  const count = ids.length;
  const keys = new BigUint64Array(count).map((_, row) => BigInt(row));
  let t0 = performance.now();
  const truth = queries.map((query) => exactTop(matrix, count, dimensions, query, K));
  console.log(`exact top ${K} (brute force, JS) for ${QUERIES} queries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const rowOfId = new Map(ids.map((id, row) => [id, row]));

  // (c) LanceDB HNSW-SQ as the service queries it: ids only, and with columns + vectors.
  const lanceFound = [];
  await timed(`LanceDB HNSW-SQ top ${K}, chunk_id only`, queries, async (query, i) => {
    const result = await table.vectorSearch(query).distanceType('cosine').select(['chunk_id', '_distance']).limit(K).toArrow();
    lanceFound[i] = Array.from({ length: result.numRows }, (_, r) => rowOfId.get(String(result.getChild('chunk_id').get(r))));
  });
  console.log(`LanceDB HNSW-SQ recall@${K}: ${mean(lanceFound.map((found, i) => recall(found, truth[i]))).toFixed(3)}`);
  // Other query-time settings of the same LanceDB index, e.g. --lance-variants=ef:80,ef:80/refine:2
  for (const variant of (args['lance-variants'] ?? '').split(',').filter(Boolean)) {
    const settings = Object.fromEntries(variant.split('/').map((part) => part.split(':')).map(([key, value]) => [key, Number(value)]));
    const variantFound = [];
    await timed(`LanceDB HNSW-SQ ${variant} top ${K}, chunk_id only`, queries, async (query, i) => {
      let search = table.vectorSearch(query).distanceType('cosine');
      if (settings.ef) search = search.ef(settings.ef);
      if (settings.refine) search = search.refineFactor(settings.refine);
      const result = await search.select(['chunk_id', '_distance']).limit(K).toArrow();
      variantFound[i] = Array.from({ length: result.numRows }, (_, r) => rowOfId.get(String(result.getChild('chunk_id').get(r))));
    });
    console.log(`LanceDB HNSW-SQ ${variant} recall@${K}: ${mean(variantFound.map((found, i) => recall(found, truth[i]))).toFixed(3)}`);
  }
  if (passageColumns) {
    await timed(`LanceDB HNSW-SQ top ${K}, passage columns + vector (the service's one-phase query)`, queries, (query) =>
      table.vectorSearch(query).distanceType('cosine').select([...passageColumns, 'vector', '_distance']).limit(K).toArrow(),
    );
    // The service's query with each variant, interleaved query by query with the default (same load for both).
    for (const variant of (args['lance-variants'] ?? '').split(',').filter(Boolean)) {
      const settings = Object.fromEntries(variant.split('/').map((part) => part.split(':')).map(([key, value]) => [key, Number(value)]));
      const run = (query, withVariant) => {
        let search = table.vectorSearch(query).distanceType('cosine');
        if (withVariant && settings.ef) search = search.ef(settings.ef);
        if (withVariant && settings.refine) search = search.refineFactor(settings.refine);
        return search.select([...passageColumns, 'vector', '_distance']).limit(K).toArrow();
      };
      const latency = { default: [], variant: [] };
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < queries.length; i++) {
          for (const withVariant of i % 2 === 0 ? [false, true] : [true, false]) {
            const t0 = performance.now();
            await run(queries[i], withVariant);
            latency[withVariant ? 'variant' : 'default'].push(performance.now() - t0);
          }
        }
      }
      console.log(`service query interleaved A/B, ${3 * queries.length} each: default ${stats(latency.default)}; ${variant} ${stats(latency.variant)} (load ${load()})`);
    }
  }

  // (a), (b), (c) usearch.
  mkdirSync(outDir, { recursive: true });
  const found = {};
  for (const quantization of QUANTIZATIONS) {
    const file = join(outDir, `usearch-${quantization}.usearch`);
    if (!existsSync(file) || args.rebuild === 'true') {
      const index = new usearch.Index({ dimensions, metric: 'cos', quantization, connectivity: 16, expansion_add: 128, expansion_search: 64 });
      const started = performance.now();
      const loadBefore = load();
      index.add(keys, matrix, THREADS);
      console.log(`usearch ${quantization}: built ${index.size()} vectors in ${((performance.now() - started) / 1000).toFixed(1)} s with ${THREADS} threads (load ${loadBefore} → ${load()})`);
      index.save(file);
    }
    for (const expansion of EXPANSIONS) {
      const index = new usearch.Index({ dimensions, metric: 'cos', quantization, connectivity: 16, expansion_add: 128, expansion_search: expansion });
      const started = performance.now();
      index.load(file);
      const loadMs = performance.now() - started;
      const results = [];
      await timed(`usearch ${quantization} ef_search ${expansion} (loaded in ${loadMs.toFixed(0)} ms) top ${K}, 1 thread`, queries, (query, i) => {
        results[i] = Array.from(index.search(query, K, 1).keys, Number);
      });
      found[`${quantization}/${expansion}`] = results;
      console.log(`usearch ${quantization} ef_search ${expansion} recall@${K}: ${mean(results.map((r, i) => recall(r, truth[i]))).toFixed(3)}`);
    }
  }

  return found;
}

const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * Vectors with the structure of text embeddings rather than uniform noise: 1,000 topics in a
 * 32-dimensional latent space, mapped into 384 dimensions by one random linear map, plus noise,
 * normalised. Uniform random 384-d vectors have no near neighbours at all (every cosine is ~0),
 * the worst case for any graph index and unlike real embeddings.
 */
function clusteredVectors(count, dimensions) {
  const latent = 32;
  const map = Float32Array.from({ length: dimensions * latent }, gaussian);
  const topics = Array.from({ length: 1000 }, () => Float32Array.from({ length: latent }, gaussian));
  const one = () => {
    const topic = topics[Math.floor(random() * topics.length)];
    const z = topic.map((c) => c + 0.7 * gaussian());
    const vector = new Float32Array(dimensions);
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      let value = 0.15 * Math.sqrt(latent) * gaussian();
      for (let l = 0; l < latent; l++) value += map[d * latent + l] * z[l];
      norm += (vector[d] = value) ** 2;
    }
    norm = Math.sqrt(norm);
    return vector.map((v) => v / norm);
  };
  return { rows: Array.from({ length: count }, one), queries: Array.from({ length: QUERIES }, one) };
}

async function synthetic() {
  const rowCount = Number(args.rows ?? 100_000);
  const dimensions = 384;
  const directory = join(OUT_DIR, 'synthetic-lance');
  const { rows, queries } = clusteredVectors(rowCount, dimensions);
  const ids = rows.map((_, row) => `c${row}`);
  const db = await connect(directory);
  let table;
  if ((await db.tableNames()).includes('clustered')) table = await db.openTable('clustered');
  else {
    for (let start = 0; start < rowCount; start += 10_000) {
      const batch = rows.slice(start, start + 10_000).map((vector, i) => ({ chunk_id: ids[start + i], vector: Array.from(vector) }));
      if (table) await table.add(batch);
      else table = await db.createTable('clustered', batch);
    }
    const started = performance.now();
    await table.createIndex('vector', { config: LanceIndex.hnswSq({ distanceType: 'cosine' }) });
    console.log(`clustered: ${rowCount} rows, LanceDB HNSW-SQ built in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${load()})`);
  }
  const matrix = new Float32Array(rowCount * dimensions);
  rows.forEach((vector, row) => matrix.set(vector, row * dimensions));
  const sample = [];
  for (let i = 0; i < 2000; i++) sample.push(rows[i].reduce((sum, v, d) => sum + v * rows[i + 1][d], 0));
  console.log(`clustered: mean cosine of two random rows ${mean(sample).toFixed(3)}`);
  await annComparison(table, matrix, ids, dimensions, queries, join(OUT_DIR, 'synthetic'), undefined);
  table.close();
  db.close();
}

/**
 * (e) Hybrid's candidate stage end to end, three ways interleaved query by query: BM25 beside
 * (query embedding, then the dense side), as search.service runs it, with the dense side being
 * A: the service's one-phase LanceDB vector query (20 candidates with columns + vectors);
 * B: usearch top 20, then those 20 rows read by row id (columns + vectors);
 * C: usearch top 20 ids, fused (RRF) with BM25, then only the dense-only passages of the top 5 read by row id;
 * D: usearch top 20 ids and nothing read: the floor that passages held in process memory would give.
 */
async function criticalPath(table, ids, rowIdOf, usearchFile) {
  const { OnnxSentenceEmbedder } = require(join(__dirname, '../libs/embeddings/dist/onnx-sentence.embedder'));
  const modelDir = join(__dirname, '../.cache/embedding-model/all-minilm-l6-v2');
  const embedder = await OnnxSentenceEmbedder.load({ modelDir, threads: 1, variant: 'int8' });
  const [quantization, expansion] = usearchFile.split('/');
  const index = new usearch.Index({ dimensions: 384, metric: 'cos', quantization, connectivity: 16, expansion_add: 128, expansion_search: Number(expansion) });
  index.load(join(OUT_DIR, `usearch-${quantization}.usearch`));
  // Query texts: five consecutive words of stored chunks, so that BM25 meets the corpus's own term frequencies.
  const texts = textsOf(await table.query().select([await textColumnNameOf(table)]).limit(QUERIES * 50).toArrow());
  const queries = Array.from({ length: QUERIES }, (_, i) => String(texts.get(i * 50)).split(/\s+/).slice(3, 8).join(' ').replace(/[.]/g, ''));
  const columns = [...PASSAGE_COLUMNS, 'vector'];
  const bm25 = (text) => table.query().fullTextSearch(text, { columns: 'search_text' }).select([...columns, '_score']).limit(K).toArrow();
  const byRowIds = (chunkIds) => (chunkIds.length === 0 ? Promise.resolve(undefined) : table.takeRowIds(chunkIds.map((id) => rowIdOf.get(id))).select(columns).toArrow());
  const denseIds = (vector) => Array.from(index.search(vector, K, 1).keys, (key) => ids[Number(key)]);
  const variants = {
    A: (text) => Promise.all([bm25(text), embedder.embed([text]).then(([v]) => table.vectorSearch(v).distanceType('cosine').select([...columns, '_distance']).limit(K).toArrow())]),
    B: (text) => Promise.all([bm25(text), embedder.embed([text]).then(([v]) => byRowIds(denseIds(v)))]),
    C: async (text) => {
      const [keyword, dense] = await Promise.all([bm25(text), embedder.embed([text]).then(([v]) => denseIds(v))]);
      const keywordIds = Array.from({ length: keyword.numRows }, (_, r) => String(keyword.getChild('chunk_id').get(r)));
      const fused = new Map();
      for (const list of [keywordIds, dense]) list.forEach((id, rank) => fused.set(id, (fused.get(id) ?? 0) + 1 / (60 + rank + 1)));
      const top = [...fused].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id]) => id);
      const inKeyword = new Set(keywordIds);
      return byRowIds(top.filter((id) => !inKeyword.has(id)));
    },
    D: (text) => Promise.all([bm25(text), embedder.embed([text]).then(([v]) => denseIds(v))]),
  };
  for (const text of queries.slice(0, 20)) for (const run of Object.values(variants)) await run(text);
  const order = Object.keys(variants);
  const latency = Object.fromEntries(order.map((name) => [name, []]));
  for (let i = 0; i < queries.length; i++) {
    // Rotated each query, so no variant always runs right after another.
    for (const name of order.map((_, j) => order[(i + j) % order.length])) {
      const t0 = performance.now();
      await variants[name](queries[i]);
      latency[name].push(performance.now() - t0);
    }
  }
  console.log(`hybrid candidate stage (BM25 beside embed + dense side), ${queries.length} queries each, interleaved, usearch ${usearchFile} (load ${load()}):`);
  console.log(`  A one-phase LanceDB vector query: ${stats(latency.A)}`);
  console.log(`  B usearch + 20 rows by row id: ${stats(latency.B)}`);
  console.log(`  C usearch, fuse, dense-only passages of the top 5 by row id: ${stats(latency.C)}`);
  console.log(`  D usearch ids only, nothing read (floor): ${stats(latency.D)}`);
  await embedder.close();
}

async function main() {
  console.log(`load at start ${load()}, node ${process.version}, ${os.cpus().length} cpus`);
  if (args.synthetic === 'clustered') return synthetic();
  const db = await connect(DATA_DIR);
  const [name] = await db.tableNames();
  const table = await db.openTable(name);
  PASSAGE_COLUMNS = await passageColumnsOf(table);
  const indices = await table.listIndices();
  console.log(`table ${name}: ${await table.countRows()} rows, indexes ${indices.map((i) => `${i.columns.join(',')}:${i.indexType}`).join(' ')}`);

  let t0 = performance.now();
  const all = await table.query().select(['chunk_id', 'vector']).toArrow();
  const count = all.numRows;
  const vectorColumn = all.getChild('vector');
  const dimensions = vectorColumn.type.listSize;
  const matrix = new Float32Array(count * dimensions);
  const ids = new Array(count);
  const idColumn = all.getChild('chunk_id');
  for (let row = 0; row < count; row++) {
    matrix.set(vectorColumn.get(row).toArray(), row * dimensions);
    ids[row] = String(idColumn.get(row));
  }
  console.log(`read ${count} vectors of ${dimensions} dims from LanceDB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const queries = Array.from({ length: QUERIES }, () => randomUnitVector(dimensions));
  const found = await annComparison(table, matrix, ids, dimensions, queries, OUT_DIR, PASSAGE_COLUMNS);

  // (d) Passages of n rows by chunk id (rows the usearch search found), with and without a btree on chunk_id.
  const anyFound = Object.values(found)[0];
  const readByIds = (n) => (_, i) => {
    const list = anyFound[i].slice(0, n).map((row) => `'${ids[row]}'`).join(', ');
    return table.query().where(`chunk_id IN (${list})`).select([...PASSAGE_COLUMNS, 'vector']).toArrow();
  };
  const hasIdIndex = () => table.listIndices().then((list) => list.some((index) => index.columns.includes('chunk_id')));
  if (!(await hasIdIndex())) {
    for (const n of [5, 20]) await timed(`read ${n} rows by chunk_id IN (...), no index on chunk_id`, queries.slice(0, 40), readByIds(n));
    if (args['index-chunk-id'] !== 'false') {
      t0 = performance.now();
      await table.createIndex('chunk_id', { config: LanceIndex.btree(), replace: false });
      console.log(`btree index on chunk_id built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  if (await hasIdIndex()) for (const n of [5, 10, 20]) await timed(`read ${n} rows by chunk_id IN (...), btree on chunk_id`, queries, readByIds(n));
  // (d') The same rows by LanceDB row id (what an index keyed by row id would need; row ids move on compaction and rewrites).
  const withRowIds = await table.query().withRowId().select(['chunk_id']).toArrow();
  const rowIdOf = new Map(Array.from({ length: withRowIds.numRows }, (_, r) => [String(withRowIds.getChild('chunk_id').get(r)), withRowIds.getChild('_rowid').get(r)]));
  for (const n of [5, 20]) {
    await timed(`read ${n} rows by takeRowIds`, queries, (_, i) =>
      table.takeRowIds(anyFound[i].slice(0, n).map((row) => rowIdOf.get(ids[row]))).select([...PASSAGE_COLUMNS, 'vector']).toArrow(),
    );
  }
  for (const [label, columns] of [['passage columns, no vector', PASSAGE_COLUMNS], ['vector only', ['vector']], ['chunk_id only', ['chunk_id']]]) {
    await timed(`read 20 rows by takeRowIds, ${label}`, queries, (_, i) =>
      table.takeRowIds(anyFound[i].slice(0, 20).map((row) => rowIdOf.get(ids[row]))).select(columns).toArrow(),
    );
  }
  if (args['critical-path'] === 'true') await criticalPath(table, ids, rowIdOf, found[Object.keys(found)[0]] && Object.keys(found)[0]);
  await timed(`LanceDB HNSW-SQ top ${K}, passage columns + vector (again, for comparison)`, queries, (query) =>
    table.vectorSearch(query).distanceType('cosine').select([...PASSAGE_COLUMNS, 'vector', '_distance']).limit(K).toArrow(),
  );
  console.log(`load at end ${load()}`);
  table.close();
  db.close();
}

// retrieval-ann-params.bench.cjs reuses the generators and the brute force.
module.exports = { clusteredVectors, randomUnitVector, exactTop };

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
