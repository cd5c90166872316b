#!/usr/bin/env node
'use strict';
/**
 * What a metadata filter costs LanceDB's searches at 100k chunks, and whether a post-filter with
 * over-fetch would beat the pre-filter the store uses. Reads the table retrieval-search.bench.cjs
 * leaves in --data-dir (run that first with the same --data-dir); tags t0…t9 each hold a tenth of
 * the rows, `big/doc-3.md` 500 of them. Queries are random unit vectors and four-word texts taken
 * from the table; each variant runs --queries times after 10 warm-up calls, twice (rounds).
 *
 * Variants: vector search without a filter, with the tag pre-filter (what the store does), with
 * only ids returned, with ids then the 20 passages read by row id (two phases), with a source filter (0.5 % of rows) and the always-true `is_public`, with a
 * post-filter over the nearest 100…400; BM25 without and with the tag pre-filter; the filter alone;
 * planning alone (`explainPlan`: building the plan and the round trip to LanceDB's runtime, no
 * execution).
 *
 * Then the anatomy of one query (--anatomy=false skips it): LanceDB's own timings from
 * `analyzePlan` (the index search, ANN or BM25 match, and the `Take` that reads the passages of
 * the hits), next to the whole call timed from JavaScript, whose remainder is planning, the
 * hand-over between threads and Arrow decoding.
 *
 * Usage: node loadtest/retrieval-filter-plan.bench.cjs [--data-dir=/tmp/retrieval-100k] [--queries=150] [--only='name|name']
 */
const { connect } = require('@lancedb/lancedb');
const { passageColumnsOf, textColumnNameOf, textsOf } = require('./lib/lance-passages.cjs');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DIR = args['data-dir'] ?? '/tmp/retrieval-100k';
const QUERIES = Number(args.queries ?? 150);
const TAG = "array_has_any(tags, ['t3'])";
/** The columns the service's searches read back, vector included: set once the table is open (its layout decides). */
let PASSAGE;

let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
function unitVector() {
  const vector = new Float32Array(384);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] = random() * 2 - 1) ** 2;
  norm = Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main() {
  const db = await connect(DIR);
  const [name] = await db.tableNames();
  if (!name) throw new Error(`no table in ${DIR}: run retrieval-search.bench.cjs --data-dir=${DIR} first`);
  const table = await db.openTable(name);
  PASSAGE = [...(await passageColumnsOf(table)), 'vector'];
  const sample = await table.query().select([await textColumnNameOf(table)]).limit(400).toArrow();
  const sampleTexts = textsOf(sample);
  const texts = Array.from({ length: sample.numRows }, (_, row) => String(sampleTexts.get(row)).split(/\s+/).filter((word) => word.length > 3).slice(2, 6).join(' '));
  const vectors = Array.from({ length: QUERIES }, unitVector);
  const vector = (i, where, columns, limit = 20, post = false) => {
    let search = table.vectorSearch(vectors[i]).distanceType('cosine');
    if (where) search = search.where(where);
    if (post) search = search.postfilter();
    return search.select(columns).limit(limit).toArrow();
  };
  // Two phases: the search returns row ids and distances only, then the passages of those rows are read.
  const vectorThenTake = async (i, where) => {
    let search = table.vectorSearch(vectors[i]).distanceType('cosine');
    if (where) search = search.where(where);
    const hits = await search.select(['_distance']).withRowId().limit(20).toArrow();
    const rowIds = Array.from({ length: hits.numRows }, (_, row) => hits.getChild('_rowid').get(row));
    return table.takeRowIds(rowIds).select(PASSAGE).toArrow();
  };
  const text = (i, where) => {
    const search = table.query().fullTextSearch(texts[i % texts.length], { columns: 'search_text' });
    return (where ? search.where(where) : search).select([...PASSAGE, '_score']).limit(20).toArrow();
  };
  const variants = {
    'vector, no filter': (i) => vector(i, undefined, [...PASSAGE, '_distance']),
    'vector, tag pre-filter': (i) => vector(i, TAG, [...PASSAGE, '_distance']),
    'vector, no filter, ids': (i) => vector(i, undefined, ['chunk_id', '_distance']),
    'vector, tag pre-filter, ids': (i) => vector(i, TAG, ['chunk_id', '_distance']),
    'vector, no filter, ids + take': (i) => vectorThenTake(i),
    'vector, tag pre-filter, ids + take': (i) => vectorThenTake(i, TAG),
    'vector, source (0.5 %)': (i) => vector(i, "source = 'big/doc-3.md'", [...PASSAGE, '_distance']),
    'vector, is_public (100 %)': (i) => vector(i, 'is_public', [...PASSAGE, '_distance']),
    'vector, tag post-filter k100': (i) => vector(i, TAG, [...PASSAGE, '_distance'], 100, true),
    'vector, tag post-filter k200': (i) => vector(i, TAG, [...PASSAGE, '_distance'], 200, true),
    'vector, tag post-filter k300': (i) => vector(i, TAG, [...PASSAGE, '_distance'], 300, true),
    'vector, tag post-filter k400': (i) => vector(i, TAG, [...PASSAGE, '_distance'], 400, true),
    'bm25, no filter': (i) => text(i),
    'bm25, tag pre-filter': (i) => text(i, TAG),
    'tag filter alone (count)': () => table.countRows(TAG),
    'vector, no filter, plan only': (i) => table.vectorSearch(vectors[i]).distanceType('cosine').select([...PASSAGE, '_distance']).limit(20).explainPlan().then(() => 0),
    'bm25, no filter, plan only': (i) => table.query().fullTextSearch(texts[i % texts.length], { columns: 'search_text' }).select([...PASSAGE, '_score']).limit(20).explainPlan().then(() => 0),
  };
  const only = args.only ? args.only.split('|') : Object.keys(variants);
  console.log(`table ${name} in ${DIR}, ${await table.countRows()} rows; ${QUERIES} queries per variant; p50 / p95 ms, rows per query`);
  for (const round of [1, 2]) {
    for (const variant of only) {
      const run = variants[variant];
      if (!run) throw new Error(`unknown variant ${variant}`);
      for (let i = 0; i < 10; i++) await run(i);
      const latencies = [];
      let rows = 0;
      for (let i = 0; i < QUERIES; i++) {
        const started = performance.now();
        const result = await run(i);
        latencies.push(performance.now() - started);
        rows += typeof result === 'number' ? result : result.numRows;
      }
      latencies.sort((a, b) => a - b);
      console.log(`round ${round}  ${variant.padEnd(30)} ${percentile(latencies, 0.5).toFixed(2)} / ${percentile(latencies, 0.95).toFixed(2)}  rows ${(rows / QUERIES).toFixed(1)}`);
    }
  }
  if (args.anatomy !== 'false') await anatomy(table, vectors, texts);
}

/** Milliseconds of the first plan node named `node` in analyzePlan's text (elapsed=1.2ms / 850µs / 3ns). */
function elapsedOf(plan, node) {
  const line = plan.split('\n').find((l) => l.trimStart().startsWith(node));
  const match = line && /elapsed=([\d.]+)(ms|µs|ns|s)\b/.exec(line);
  if (!match) return NaN;
  return Number(match[1]) * { s: 1000, ms: 1, µs: 0.001, ns: 0.000001 }[match[2]];
}

async function anatomy(table, vectors, texts) {
  const kinds = {
    'vector, no filter': { search: 'ANNSubIndex', build: (i) => table.vectorSearch(vectors[i]).distanceType('cosine').select([...PASSAGE, '_distance']).limit(20) },
    'vector, tag pre-filter': { search: 'ANNSubIndex', build: (i) => table.vectorSearch(vectors[i]).distanceType('cosine').where(TAG).select([...PASSAGE, '_distance']).limit(20) },
    'bm25, no filter': { search: 'MatchQuery', build: (i) => table.query().fullTextSearch(texts[i % texts.length], { columns: 'search_text' }).select([...PASSAGE, '_score']).limit(20) },
  };
  console.log('anatomy, p50 ms: the call from JavaScript = execution (index search + take of the 20 passages + the rest of the plan) + what is outside the plan');
  for (const [label, { search, build }] of Object.entries(kinds)) {
    for (let i = 0; i < 10; i++) await build(i).toArrow();
    const parts = { call: [], executed: [], search: [], take: [] };
    for (let i = 0; i < QUERIES; i++) {
      const started = performance.now();
      await build(i).toArrow();
      parts.call.push(performance.now() - started);
      const plan = await build(i).analyzePlan();
      parts.executed.push(elapsedOf(plan, 'AnalyzeExec'));
      parts.search.push(elapsedOf(plan, search));
      parts.take.push(elapsedOf(plan, 'Take'));
    }
    const p50 = (values) => percentile([...values].sort((a, b) => a - b), 0.5);
    const [call, executed, found, take] = [parts.call, parts.executed, parts.search, parts.take].map(p50);
    console.log(
      `anatomy  ${label.padEnd(24)} call ${call.toFixed(2)} = executed ${executed.toFixed(2)} (${search} ${found.toFixed(2)}, take ${(take - found).toFixed(2)}) + outside ${(call - executed).toFixed(2)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
