#!/usr/bin/env node
'use strict';
/**
 * Parameters of LanceDB's HNSW-SQ vector index (IVF_HNSW_SQ) at 100k rows: partitions, m and
 * efConstruction at build time, ef / nprobes at query time. Two modes, both on copies of bench
 * tables (the build replaces the copy's vector index):
 *
 *   --mode=build --data-dir=<copy> --index=partitions:4/m:12/efc:150
 *       builds the vector index with those options (the rest LanceDB's defaults) and prints its
 *       build time and the partitions / graph it wrote.
 *   --mode=query --tables=default=<dir>,m12=<dir> [--queries=200] [--settings=default,ef:40,ef:80]
 *       [--synthetic=clustered] [--service-shape=true] [--rounds=2] [--floor=true]
 *       every table (same rows, different index) × every query setting, interleaved query by
 *       query (rotated order, so the shared machine's load falls on all alike): p50 / p95 of the
 *       ids-only query and, with --service-shape, of the service's query (passage columns +
 *       vector + _distance, top 20); recall@20 against the exact top 20 by brute force.
 *       --floor=true adds a plain 20-row read (no vector search): LanceDB's fixed cost per query.
 *       Queries: random unit vectors, or with --synthetic=clustered the clustered generator's
 *       queries (the table must be one retrieval-ann.bench.cjs --synthetic=clustered built).
 *
 * Results and the decision they led to: docs/retrieval.md, "Vector index parameters at 100k".
 */
const os = require('node:os');
process.env.LANCE_CPU_THREADS ??= String(Math.max(4, os.cpus().length));
const { connect, Index } = require('@lancedb/lancedb');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const ann = require('./retrieval-ann.bench.cjs');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=').map((part, i, all) => (i === 1 ? all.slice(1).join('=') : part))));
const K = 20;
const QUERIES = Number(args.queries ?? 200);
const { passageColumnsOf } = require('./lib/lance-passages.cjs');
const load = () => os.loadavg().map((l) => l.toFixed(2)).join('/');
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 95).toFixed(2)}`;
};
const parse = (spec) => Object.fromEntries(spec.split('/').filter((part) => part !== 'default').map((part) => part.split(':')).map(([key, value]) => [key, Number(value)]));

async function openOnly(directory) {
  const db = await connect(directory);
  const [name] = await db.tableNames();
  return { db, table: await db.openTable(name) };
}

/** What the vector index file records: one `lance:hnsw` graph description per IVF partition. */
async function describeIndex(directory, table) {
  const [tableDir] = readdirSync(directory).filter((entry) => entry.endsWith('.lance'));
  const vectorIndex = (await table.listIndices()).filter((index) => index.columns.includes('vector'));
  return vectorIndex.flatMap(({ indexUuid }) => {
    const file = join(directory, tableDir, '_indices', indexUuid, 'index.idx');
    let bytes;
    try {
      bytes = readFileSync(file).subarray(-1_000_000).toString('latin1');
    } catch {
      return [];
    }
    const graphs = [...bytes.matchAll(/\\"params\\":(\{[^}]*\}),\\"level_offsets\\":\[([0-9,]*)\]/g)];
    return graphs.length ? [`${graphs.length === 1 ? 'one graph' : `${graphs.length} graph descriptions`}: ${graphs.map(([, params, levels]) => `${params.replace(/\\/g, '')} level 0 holds ${levels.split(',')[1]} rows`).slice(0, 2).join('; ')}`] : [];
  });
}

async function build() {
  const { db, table } = await openOnly(args['data-dir']);
  const options = parse(args.index ?? 'default');
  const config = Index.hnswSq({
    distanceType: 'cosine',
    ...(options.partitions ? { numPartitions: options.partitions } : {}),
    ...(options.m ? { m: options.m } : {}),
    ...(options.efc ? { efConstruction: options.efc } : {}),
  });
  const loadBefore = load();
  const started = performance.now();
  await table.createIndex('vector', { config, replace: true });
  console.log(`${args['data-dir']}: HNSW-SQ ${args.index ?? 'default'} built on ${await table.countRows()} rows in ${((performance.now() - started) / 1000).toFixed(1)} s (load ${loadBefore} → ${load()})`);
  console.log((await describeIndex(args['data-dir'], table)).join('\n'));
  table.close();
  db.close();
}

async function query() {
  const tables = [];
  for (const spec of args.tables.split(',')) {
    const [label, directory] = spec.split('=');
    const opened = await openOnly(directory);
    tables.push({ label, ...opened, passageColumns: await passageColumnsOf(opened.table) });
    console.log(`${label} (${directory}): ${(await describeIndex(directory, opened.table)).join('; ')}`);
  }
  const settings = (args.settings ?? 'default,ef:40,ef:80').split(',');
  const serviceShape = args['service-shape'] === 'true';

  let queries;
  if (args.synthetic === 'clustered') queries = ann.clusteredVectors(Number(args.rows ?? 100_000), 384).queries.slice(0, QUERIES);
  else queries = Array.from({ length: QUERIES }, () => ann.randomUnitVector(384));
  const all = await tables[0].table.query().select(['chunk_id', 'vector']).toArrow();
  const count = all.numRows;
  const matrix = new Float32Array(count * 384);
  const ids = new Array(count);
  for (let row = 0; row < count; row++) {
    matrix.set(all.getChild('vector').get(row).toArray(), row * 384);
    ids[row] = String(all.getChild('chunk_id').get(row));
  }
  const truth = queries.map((vector) => new Set(ann.exactTop(matrix, count, 384, vector, K).map((row) => ids[row])));
  console.log(`${count} rows, ${queries.length} queries, exact top ${K} computed; load ${load()}`);

  const search = (table, vector, setting) => {
    let search = table.vectorSearch(vector).distanceType('cosine');
    const options = parse(setting);
    if (options.ef) search = search.ef(options.ef);
    if (options.nprobes) search = search.nprobes(options.nprobes);
    if (options.refine) search = search.refineFactor(options.refine);
    return search;
  };
  const cells = tables.flatMap(({ label, table, passageColumns }) =>
    settings.flatMap((setting) => [
      { label, setting, shape: 'ids', run: (v) => search(table, v, setting).select(['chunk_id', '_distance']).limit(K).toArrow() },
      ...(serviceShape ? [{ label, setting, shape: 'service', run: (v) => search(table, v, setting).select([...passageColumns, 'vector', '_distance']).limit(K).toArrow() }] : []),
    ]),
  );
  // The fixed cost of any LanceDB read, for scale: 20 rows' chunk_id by a plain scan, no vector search.
  if (args.floor === 'true') cells.push({ label: 'no index', setting: 'plain query, 20 chunk_ids', shape: 'floor', run: () => tables[0].table.query().select(['chunk_id']).limit(K).toArrow() });
  for (const cell of cells) Object.assign(cell, { latency: [], recall: [] });
  for (const vector of queries.slice(0, 10)) for (const cell of cells) await cell.run(vector);
  const loadBefore = load();
  const rounds = Number(args.rounds ?? 2);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < queries.length; i++) {
      for (let j = 0; j < cells.length; j++) {
        const cell = cells[(i + j + round) % cells.length];
        const t0 = performance.now();
        const result = await cell.run(queries[i]);
        cell.latency.push(performance.now() - t0);
        if (round === 0 && cell.shape === 'ids') {
          const found = result.getChild('chunk_id').toArray().map(String);
          cell.recall.push(found.filter((id) => truth[i].has(id)).length / K);
        }
      }
    }
  }
  console.log(`${rounds} × ${queries.length} queries per cell, interleaved; load ${loadBefore} → ${load()}`);
  console.log('| index | query | ids only p50 / p95 ms | recall@20 |' + (serviceShape ? " service's query p50 / p95 ms |" : ''));
  for (const { label } of tables) {
    for (const setting of settings) {
      const ids = cells.find((c) => c.label === label && c.setting === setting && c.shape === 'ids');
      const service = cells.find((c) => c.label === label && c.setting === setting && c.shape === 'service');
      const recall = ids.recall.reduce((a, b) => a + b, 0) / ids.recall.length;
      console.log(`| ${label} | ${setting} | ${stats(ids.latency)} | ${recall.toFixed(3)} |${service ? ` ${stats(service.latency)} |` : ''}`);
    }
  }
  const floor = cells.find((cell) => cell.shape === 'floor');
  if (floor) console.log(`| ${floor.label} | ${floor.setting} | ${stats(floor.latency)} | |`);
  for (const { table, db } of tables) {
    table.close();
    db.close();
  }
}

(args.mode === 'build' ? build() : query()).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
