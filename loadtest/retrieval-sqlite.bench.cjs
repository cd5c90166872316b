#!/usr/bin/env node
'use strict';
/**
 * Would a store with passages + keyword index in SQLite (FTS5 bm25, better-sqlite3) and vectors in
 * an in-process usearch HNSW (i8) bring hybrid search at 100k chunks under 15 ms p95, and does
 * FTS5's BM25 rank like LanceDB's? A measurement, not a store: nothing in the service changes.
 *
 * Parts (--parts=build,keyword,dense,hybrid,quality; default all):
 * build    SQLite file from the 100k bench table (--data-dir, read only): `chunks` (the passage
 *          columns the service returns, tags/access as JSON, the f32 vector as a BLOB, rowid =
 *          usearch key) and two FTS5 indexes over title + section + text (the store's search_text):
 *          `chunks_fts` detail=full, contentless (contentless_delete=1), and `chunks_fts_none`
 *          detail=none over an external-content copy of search_text. Build time, sizes, RSS.
 * keyword  FTS5 bm25() top 20 with passage columns (both indexes) against LanceDB's FTS query as
 *          the service runs it (LanceChunkStore.searchText), interleaved query by query, on the
 *          distinct queries of retrieval-search.bench.cjs; and how much the top 20 / top 5 agree.
 * dense    usearch i8 top 20 (expansion_search 64) + those rows' passage columns and vectors by
 *          rowid from SQLite, against LanceChunkStore.searchVector, interleaved.
 * hybrid   SearchService's hybrid search (int8 query embedding in the timed path, BM25 beside
 *          embedding + dense, RRF k=60, top 5), the real SearchService over each store, rotated
 *          query by query: LanceDB (today), and SQLite + usearch with FTS5 run (serial) first on
 *          the main thread, (deferred) after the embedding was handed to its worker, (worker) in a
 *          worker_thread with its own connection; FTS5 with all query terms only with
 *          --exact-fts-hybrid=true (see DocumentFrequencies: too slow); LanceDB's BM25 beside a
 *          usearch + SQLite dense side, once as the service runs it and once returning chunk ids
 *          only (passages and vectors then from SQLite); and no keyword side (the dense floor).
 * quality  the labelled set of services/retrieval/eval, ingested keyword-only by the service's
 *          pipeline into LanceDB; keyword-only recall@5 / MRR@10 / nDCG@10 of LanceDB's BM25 and
 *          of FTS5 over the same chunks' search_text, with a few tokenizer choices.
 *
 * Usage: npx tsc -b tsconfig.build.json && node loadtest/retrieval-sqlite.bench.cjs \
 *          --data-dir=/tmp/r100k-q --usearch=/tmp/r100k-ann/ann-bench/usearch-i8.usearch \
 *          --usearch-table=/tmp/r100k-ann --out-dir=/tmp/r100k-sqlite [--parts=...] [--queries=300]
 *          [--sqlite-module=/tmp/sq/node_modules/better-sqlite3] [--max-df=0.1] [--exact-fts-hybrid=true]
 *          [--rebuild=true] [--out=results.json]
 * The usearch file is the one retrieval-ann.bench.cjs builds: key = row number in the scan order
 * of --usearch-table's (chunk_id, vector) columns; the build maps every chunk to that key and
 * checks it (the stored vector must find its own key). Needs the model (deploy/local/embedding-model.sh).
 */
require('reflect-metadata');
const { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { textColumnNameOf, textsOf } = require('./lib/lance-passages.cjs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const SQLITE_MODULE = (isMainThread ? args['sqlite-module'] : workerData.sqliteModule) ?? '/tmp/sq/node_modules/better-sqlite3';
const Database = require(SQLITE_MODULE);

/** The LanceDB store's analyser is simple + lowercase + English stemmer + English stop words + ASCII folding; FTS5's nearest. */
const TOKENIZER = 'porter unicode61 remove_diacritics 2';
const K = 20;
/**
 * LanceDB's `removeStopWords` (tantivy's English StopWordFilter) drops Lucene's 33 English stop
 * words, and only those: checked on LanceDB 0.31 ("the" finds nothing; "which", "how" are kept).
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(' '),
);
/** Snowball's longer English list (174 words), for comparison in the quality part. */
const SNOWBALL_STOP_WORDS = new Set(
  ('i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having ' +
    'do does did doing would should could ought a an the and but if or because as until while of at by for with about against between ' +
    'into through during before after above below to from up down in out on off over under again further then once here there when where ' +
    'why how all any both each few more most other some such no nor not only own same so than too very s t can will just don now')
    .split(' '),
);

const queryTerms = (text, stopWords = STOP_WORDS) => [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((t) => t && !stopWords.has(t)))];
/** Query text → FTS5 MATCH expression with LanceDB's semantics: any term (OR), stop words dropped, every term quoted (no FTS5 syntax). */
function ftsQuery(text, stopWords = STOP_WORDS, keep = () => true) {
  const terms = queryTerms(text, stopWords).filter(keep);
  return terms.length === 0 ? undefined : terms.map((t) => `"${t}"`).join(' OR ');
}

/**
 * FTS5 scores every row that matches any term (no WAND / MaxScore pruning as in LanceDB's index),
 * ~2.5 µs a row here, and a query with one common term matches most of the table. Pruned: terms
 * in more than `maxShare` of the rows are left out (their idf is small; FTS5's own idf is ~0
 * above half the rows). Document frequencies come from a cache (a store would keep one per
 * table and drop it on writes); the cache is filled before timing.
 */
class DocumentFrequencies {
  constructor(db, fts, maxShare) {
    this.count = db.prepare(`SELECT count(*) AS n FROM ${fts} WHERE ${fts} MATCH ?`);
    this.limit = maxShare * db.prepare(`SELECT count(*) AS n FROM chunks`).get().n;
    this.known = new Map();
  }

  of(term) {
    if (!this.known.has(term)) this.known.set(term, this.count.get(`"${term}"`).n);
    return this.known.get(term);
  }

  match(text) {
    return ftsQuery(text, STOP_WORDS, (term) => this.of(term) <= this.limit);
  }
}

const PASSAGE_SELECT = 'c.id, c.chunk_id, c.source, c.title, c.section, c.text, c.page, c.tags, c.updated_at, c.is_public';
/** FTS5 sorts by bm25 and stops at the limit first; the join then reads only those rows. `rank` is bm25(): lower is better. */
const keywordSql = (fts, withVectors) =>
  `SELECT ${PASSAGE_SELECT}${withVectors ? ', c.vector' : ''}, -f.rank AS score ` +
  `FROM (SELECT rowid, rank FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rank LIMIT ?) f JOIN chunks c ON c.id = f.rowid ORDER BY f.rank`;
const byIdsSql = (n) => `SELECT ${PASSAGE_SELECT}, c.vector FROM chunks c WHERE c.id IN (${Array(n).fill('?').join(',')})`;

function openSqlite(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('cache_size = -262144'); // 256 MB of page cache: the whole file stays in process memory once read
  db.pragma('mmap_size = 1073741824');
  return db;
}

// ---- worker_thread: FTS5 on its own connection ------------------------------------------------
if (!isMainThread) {
  const db = openSqlite(workerData.file);
  const statements = new Map();
  parentPort.on('message', ({ id, fts, match, limit, withVectors }) => {
    const key = `${fts}/${withVectors}`;
    if (!statements.has(key)) statements.set(key, db.prepare(keywordSql(fts, withVectors)));
    try {
      parentPort.postMessage({ id, rows: match ? statements.get(key).all(match, limit) : [] });
    } catch (error) {
      parentPort.postMessage({ id, error: String(error) });
    }
  });
  return;
}

const ROOT = resolve(__dirname, '..');
const dist = (path) => require(join(ROOT, 'services/retrieval/dist', path));
const { LanceChunkStore, tableName } = dist('store/lance-chunk.store');
const { SearchService } = dist('search/search.service');
const { SearchCache } = dist('search/search-cache');
const { ContextAssembler } = dist('search/context-assembler');
const { TokenCounter } = dist('ingestion/token-counter');
const { OnnxSentenceEmbedder } = require(join(ROOT, 'libs/embeddings/dist/onnx-sentence.embedder'));
const { dot } = require(join(ROOT, 'libs/embeddings/dist/index'));

const DATA_DIR = args['data-dir'] ?? '/tmp/r100k-q';
const USEARCH_FILE = args.usearch ?? '/tmp/r100k-ann/ann-bench/usearch-i8.usearch';
const USEARCH_TABLE = args['usearch-table'] ?? '/tmp/r100k-ann';
const OUT_DIR = args['out-dir'] ?? '/tmp/r100k-sqlite';
const SQLITE_FILE = join(OUT_DIR, 'chunks.sqlite');
const QUERIES = Number(args.queries ?? 300);
const PARTS = new Set((args.parts ?? 'build,keyword,dense,hybrid,quality').split(','));
const MODEL_DIR = join(ROOT, '.cache/embedding-model/all-minilm-l6-v2');
/** --max-df=0.1: the pruned FTS5 variants leave out query terms found in more than this share of the rows. */
const MAX_DF_SHARE = Number(args['max-df'] ?? 0.1);
const results = {};

const load = () => os.loadavg().map((l) => l.toFixed(2)).join('/');
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}
const show = (s) => `p50 ${s.p50.toFixed(2)} / p95 ${s.p95.toFixed(2)} / p99 ${s.p99.toFixed(2)} ms`;
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

/** Runs each variant once per query, in an order rotated every query (no variant always follows another). */
async function interleaved(label, queries, variants, after) {
  const names = Object.keys(variants);
  for (const query of queries.slice(0, 20)) for (const name of names) await variants[name](query);
  const latency = Object.fromEntries(names.map((name) => [name, []]));
  const loadBefore = load();
  for (let i = 0; i < queries.length; i++) {
    const outputs = {};
    for (const name of names.map((_, j) => names[(i + j) % names.length])) {
      const t0 = performance.now();
      outputs[name] = await variants[name](queries[i]);
      latency[name].push(performance.now() - t0);
    }
    after?.(names.map((name) => outputs[name]), i);
  }
  console.log(`${label}: ${queries.length} queries, rotated (load ${loadBefore} → ${load()})`);
  const summary = {};
  for (const name of names) {
    summary[name] = stats(latency[name]);
    console.log(`  ${name}: ${show(summary[name])}`);
  }
  return summary;
}

// ---- the queries of retrieval-search.bench.cjs (same generator, same seed, same order) ------------
function benchQueries(count) {
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const vocabulary = Array.from({ length: 30_000 }, (_, r) => {
    const letters = 'etaoinshrdlcumwfgypbvkjxqz';
    let word = '';
    for (let n = r + 1; n > 0; n = Math.floor(n / 26)) word += letters[n % 26];
    return word.length < 3 ? word + 'en' : word;
  });
  const weights = vocabulary.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const cdf = weights.map((w) => (sum += w / total));
  const zipfWord = () => {
    const u = random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo];
  };
  const sentence = (n) => {
    const words = Array.from({ length: n }, zipfWord);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return `${words.join(' ')}.`;
  };
  // With --skip-ingest that bench draws nothing before its queries, so these are its queries exactly.
  return Array.from({ length: count }, (_, i) => `${sentence(3 + (i % 5))} marker${i % 200}x${i % 500}`);
}

// ---- 1. build ---------------------------------------------------------------------------------
async function build() {
  const { connect } = require('@lancedb/lancedb');
  const rss0 = process.memoryUsage().rss;
  let t0 = performance.now();
  // usearch keys: the row number in the scan order retrieval-ann.bench.cjs read its vectors in.
  const annDb = await connect(USEARCH_TABLE);
  const annTable = await annDb.openTable((await annDb.tableNames())[0]);
  const annIds = (await annTable.query().select(['chunk_id']).toArrow()).getChild('chunk_id');
  const keyOf = new Map(Array.from({ length: annIds.length }, (_, row) => [String(annIds.get(row)), row]));
  annTable.close();
  annDb.close();

  const db0 = await connect(DATA_DIR);
  const table = await db0.openTable((await db0.tableNames())[0]);
  const textColumn = await textColumnNameOf(table);
  const columns = ['chunk_id', 'source', 'title', 'section', textColumn, 'search_text', 'page', 'tags', 'access', 'is_public', 'updated_at', 'vector'];
  const rows = await table.query().select(columns).toArrow();
  table.close();
  db0.close();
  const readSeconds = (performance.now() - t0) / 1000;
  const rssRead = process.memoryUsage().rss;

  mkdirSync(OUT_DIR, { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(SQLITE_FILE + suffix, { force: true });
  const db = new Database(SQLITE_FILE);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE chunks (
      id INTEGER PRIMARY KEY,        -- the usearch key
      chunk_id TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL, title TEXT NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL,
      page INTEGER NOT NULL, tags TEXT NOT NULL, access TEXT NOT NULL, is_public INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      vector BLOB NOT NULL           -- f32: exact cosine for relevance, threshold and MMR, as now
    );
    CREATE INDEX chunks_source ON chunks(source);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(search_text, content='', contentless_delete=1, tokenize='${TOKENIZER}');
    CREATE TABLE chunks_search (id INTEGER PRIMARY KEY, search_text TEXT NOT NULL);
    CREATE VIRTUAL TABLE chunks_fts_none USING fts5(search_text, content='chunks_search', content_rowid='id', detail=none, tokenize='${TOKENIZER}');
  `);
  const insertChunk = db.prepare('INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  const insertFts = db.prepare('INSERT INTO chunks_fts(rowid, search_text) VALUES (?, ?)');
  const insertSearch = db.prepare('INSERT INTO chunks_search(id, search_text) VALUES (?, ?)');
  const insertFtsNone = db.prepare('INSERT INTO chunks_fts_none(rowid, search_text) VALUES (?, ?)');
  const col = (name) => rows.getChild(name);
  const [ids, sources, titles, sections, , searchTexts, pages, tags, access, isPublic, updated, vectors] = columns.map(col);
  const texts = textsOf(rows);
  const list = (value) => JSON.stringify(value ? [...value.toArray()] : []);
  const split = { chunks: 0, ftsFull: 0, ftsNone: 0 };
  const BATCH = 10_000;
  for (let start = 0; start < rows.numRows; start += BATCH) {
    const end = Math.min(rows.numRows, start + BATCH);
    let t = performance.now();
    db.transaction(() => {
      for (let r = start; r < end; r++) {
        const key = keyOf.get(String(ids.get(r)));
        if (key === undefined) throw new Error(`chunk ${ids.get(r)} is not in ${USEARCH_TABLE}`);
        const vector = vectors.get(r).toArray();
        insertChunk.run(key, String(ids.get(r)), String(sources.get(r)), String(titles.get(r)), String(sections.get(r)), String(texts.get(r)),
          Number(pages.get(r)), list(tags.get(r)), list(access.get(r)), isPublic.get(r) ? 1 : 0, Number(updated.get(r)),
          Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
      }
    })();
    split.chunks += performance.now() - t;
    t = performance.now();
    db.transaction(() => {
      for (let r = start; r < end; r++) insertFts.run(keyOf.get(String(ids.get(r))), String(searchTexts.get(r)));
    })();
    split.ftsFull += performance.now() - t;
    t = performance.now();
    db.transaction(() => {
      for (let r = start; r < end; r++) {
        insertSearch.run(keyOf.get(String(ids.get(r))), String(searchTexts.get(r)));
        insertFtsNone.run(keyOf.get(String(ids.get(r))), String(searchTexts.get(r)));
      }
    })();
    split.ftsNone += performance.now() - t;
  }
  let t = performance.now();
  db.exec("INSERT INTO chunks_fts(chunks_fts) VALUES('optimize'); INSERT INTO chunks_fts_none(chunks_fts_none) VALUES('optimize');");
  const optimizeMs = performance.now() - t;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sizes = Object.fromEntries(
    db.prepare("SELECT CASE WHEN name LIKE 'chunks_fts_none%' THEN 'fts detail=none' WHEN name LIKE 'chunks_fts%' THEN 'fts detail=full' WHEN name LIKE 'chunks_search%' THEN 'search_text copy (detail=none content)' WHEN name LIKE 'sqlite_autoindex_chunks%' OR name = 'chunks_source' THEN 'chunks indexes' ELSE name END AS what, SUM(pgsize) AS bytes FROM dbstat GROUP BY what").all().map((r) => [r.what, r.bytes]),
  );
  db.close();
  const seconds = (performance.now() - t0) / 1000;
  results.build = {
    rows: rows.numRows, readFromLanceSeconds: readSeconds, seconds, splitSeconds: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, v / 1000])),
    optimizeSeconds: optimizeMs / 1000, fileBytes: statSync(SQLITE_FILE).size, sizes, rssBeforeMb: rss0 / 2 ** 20, rssAfterReadMb: rssRead / 2 ** 20, rssPeakMb: process.memoryUsage().rss / 2 ** 20,
  };
  console.log(`build: ${rows.numRows} rows read from LanceDB in ${readSeconds.toFixed(1)} s; SQLite written in ${(seconds - readSeconds).toFixed(1)} s ` +
    `(chunks ${(split.chunks / 1000).toFixed(1)} s, FTS5 full ${(split.ftsFull / 1000).toFixed(1)} s, FTS5 none + its content ${(split.ftsNone / 1000).toFixed(1)} s, optimize ${(optimizeMs / 1000).toFixed(1)} s); ` +
    `file ${mb(results.build.fileBytes)}: ${Object.entries(sizes).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}; RSS ${mb(rss0)} → ${mb(rssRead)} after the Lance read → ${mb(process.memoryUsage().rss)}`);
}

// ---- the SQLite + usearch store, as much of ChunkStore as SearchService uses ----------------------
const vectorOf = (blob) => new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
function passageOf(row, score) {
  const vector = row.vector ? vectorOf(row.vector) : undefined;
  return {
    chunkId: row.chunk_id, source: row.source, title: row.title, section: row.section, text: row.text, page: row.page,
    tags: JSON.parse(row.tags), updatedAt: new Date(row.updated_at), score, ...(vector ? { vector } : {}),
  };
}

/**
 * fts: 'serial' runs FTS5 synchronously when called (SearchService calls the keyword side first, so
 * it finishes before the embedding even starts); 'deferred' first yields one microtask, so
 * SearchService hands the query to the embedding worker before FTS5 occupies the main thread;
 * 'worker' runs it on a worker_thread's own connection.
 */
class SqliteUsearchStore {
  constructor({ db, index, fts = 'chunks_fts', mode = 'serial', worker, frequencies }) {
    Object.assign(this, { db, index, fts, mode, worker, frequencies });
    this.keyword = { true: db.prepare(keywordSql(fts, true)), false: db.prepare(keywordSql(fts, false)) };
    this.byIds = db.prepare(byIdsSql(K));
    this.pending = new Map();
    this.nextId = 0;
    worker?.on('message', ({ id, rows, error }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (error) waiting.reject(new Error(error));
      else waiting.resolve(rows);
    });
  }

  async searchText(_tenant, _collection, query, options) {
    const match = this.frequencies ? this.frequencies.match(query) : ftsQuery(query);
    const withVectors = Boolean(options.withVectors);
    let rows;
    if (this.mode === 'worker') {
      rows = await new Promise((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ id, fts: this.fts, match, limit: options.limit, withVectors });
      });
    } else {
      if (this.mode === 'deferred') await undefined;
      rows = match ? this.keyword[withVectors].all(match, options.limit) : [];
    }
    return rows.map((row) => passageOf(row, row.score));
  }

  async searchVector(_tenant, _collection, vector, options) {
    const keys = Array.from(this.index.search(vector, Math.min(options.limit, K), 1).keys, Number);
    const rows = this.byIds.all(...keys, ...Array(K - keys.length).fill(-1));
    const rank = new Map(keys.map((key, i) => [key, i]));
    rows.sort((a, b) => rank.get(a.id) - rank.get(b.id));
    return rows.map((row) => {
      const passage = passageOf(row, 0);
      return { ...passage, score: dot(vector, passage.vector) };
    });
  }
}

/**
 * LanceDB as the BM25 index only: its FTS query returns chunk ids and scores (no passage columns,
 * no vectors), the passages and vectors of those ids come from SQLite.
 */
class LanceKeywordSqlitePassages {
  constructor({ table, db, dense }) {
    Object.assign(this, { table, dense });
    this.byChunkIds = db.prepare(`SELECT ${PASSAGE_SELECT}, c.vector FROM chunks c WHERE c.chunk_id IN (${Array(K).fill('?').join(',')})`);
  }

  async searchText(_tenant, _collection, query, options) {
    if (query.trim() === '') return [];
    const hits = await this.table.query().fullTextSearch(query, { columns: 'search_text' }).select(['chunk_id', '_score']).limit(Math.min(options.limit, K)).toArrow();
    const ids = Array.from({ length: hits.numRows }, (_, r) => String(hits.getChild('chunk_id').get(r)));
    const scores = new Map(ids.map((id, r) => [id, Number(hits.getChild('_score').get(r))]));
    const rows = this.byChunkIds.all(...ids, ...Array(K - ids.length).fill(''));
    return rows.map((row) => passageOf(row, scores.get(row.chunk_id))).sort((a, b) => b.score - a.score);
  }

  searchVector(...args) {
    return this.dense.searchVector(...args);
  }
}

async function openLanceTable() {
  const { connect } = require('@lancedb/lancedb');
  const connection = await connect(DATA_DIR);
  return connection.openTable((await connection.tableNames())[0]);
}

function loadUsearch() {
  const usearch = require('usearch');
  const index = new usearch.Index({ dimensions: 384, metric: 'cos', quantization: 'i8', connectivity: 16, expansion_add: 128, expansion_search: 64 });
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  index.load(USEARCH_FILE);
  const loaded = { ms: performance.now() - t0, rssDeltaMb: (process.memoryUsage().rss - rss0) / 2 ** 20, fileMb: statSync(USEARCH_FILE).size / 2 ** 20 };
  console.log(`usearch i8: ${index.size()} keys loaded in ${loaded.ms.toFixed(0)} ms, file ${loaded.fileMb.toFixed(0)} MB, RSS +${loaded.rssDeltaMb.toFixed(0)} MB`);
  return { index, loaded };
}

/**
 * The keys are the SQLite ids: stored vectors must find their own id (a wrong mapping finds ~none).
 * Not all do: on the bench's random vectors the graph misses some (ef 64 recall@20 is 0.07 there).
 */
function checkKeys(db, index) {
  const rows = db.prepare('SELECT id, vector FROM chunks WHERE id % 500 = 7').all();
  const found = rows.filter((row) => Array.from(index.search(vectorOf(row.vector), 3, 1).keys, Number).includes(row.id)).length;
  console.log(`usearch keys = SQLite ids: ${found} of ${rows.length} stored vectors find their own id in the top 3`);
  if (found < rows.length * 0.5) throw new Error('the usearch file does not match the SQLite ids');
  return found / rows.length;
}

async function openLance() {
  const store = new LanceChunkStore({ directory: DATA_DIR, vectorDimensions: 384 });
  await store.searchText('bench', 'big', 'warm up', { limit: K, filter: {} });
  return store;
}

// ---- 2. keyword ---------------------------------------------------------------------------------
async function keyword(db, lance, queries) {
  const rss0 = process.memoryUsage().rss;
  const lanceIds = new LanceKeywordSqlitePassages({ table: await openLanceTable(), db });
  const full = db.prepare(keywordSql('chunks_fts', false));
  const none = db.prepare(keywordSql('chunks_fts_none', false));
  const frequencies = new DocumentFrequencies(db, 'chunks_fts', MAX_DF_SHARE);
  for (const q of queries) frequencies.match(q);
  const overlap = { top20: [], top5: [], noneTop20: [], prunedTop20: [], prunedTop5: [] };
  const ids = (list, n) => new Set(list.slice(0, n).map((p) => p.chunkId ?? p.chunk_id));
  const common = (a, b) => [...a].filter((x) => b.has(x)).length;
  results.keyword = await interleaved('keyword, top 20 with passage columns', queries, {
    'LanceDB BM25 (LanceChunkStore.searchText)': (q) => lance.searchText('bench', 'big', q, { limit: K, filter: {} }),
    'FTS5 bm25 detail=full, contentless': (q) => full.all(ftsQuery(q), K).map((row) => passageOf(row, row.score)),
    'FTS5 bm25 detail=none, external content': (q) => none.all(ftsQuery(q), K).map((row) => passageOf(row, row.score)),
    [`FTS5 bm25 detail=full, terms in > ${MAX_DF_SHARE * 100} % of rows left out`]: (q) => {
      const match = frequencies.match(q);
      return match ? full.all(match, K).map((row) => passageOf(row, row.score)) : [];
    },
    'LanceDB BM25 chunk ids only + their passages from SQLite': (q) => lanceIds.searchText('bench', 'big', q, { limit: K, filter: {} }),
  }, ([lanceHits, fullHits, noneHits, prunedHits]) => {
    overlap.prunedTop20.push(common(ids(lanceHits, 20), ids(prunedHits, 20)) / Math.max(1, Math.min(20, lanceHits.length)));
    overlap.prunedTop5.push(common(ids(lanceHits, 5), ids(prunedHits, 5)) / Math.max(1, Math.min(5, lanceHits.length)));
    overlap.top20.push(common(ids(lanceHits, 20), ids(fullHits, 20)) / Math.max(1, Math.min(20, lanceHits.length)));
    overlap.top5.push(common(ids(lanceHits, 5), ids(fullHits, 5)) / Math.max(1, Math.min(5, lanceHits.length)));
    overlap.noneTop20.push(common(ids(fullHits, 20), ids(noneHits, 20)) / Math.max(1, Math.min(20, fullHits.length)));
  });
  results.keyword.agreement = Object.fromEntries(Object.entries(overlap).map(([k, v]) => [k, mean(v)]));
  const matchCounts = queries.slice(0, 50).map((q) => db.prepare('SELECT count(*) n FROM chunks_fts WHERE chunks_fts MATCH ?').get(ftsQuery(q)).n);
  results.keyword.meanMatchingRows = mean(matchCounts);
  console.log(`  agreement with LanceDB: top 20 ${mean(overlap.top20).toFixed(3)}, top 5 ${mean(overlap.top5).toFixed(3)}; pruned: ${mean(overlap.prunedTop20).toFixed(3)} / ${mean(overlap.prunedTop5).toFixed(3)}; FTS5 full vs none top 20 ${mean(overlap.noneTop20).toFixed(3)}; ` +
    `rows matching a query (OR of its terms), mean of 50: ${results.keyword.meanMatchingRows.toFixed(0)}; RSS +${mb(process.memoryUsage().rss - rss0)} (SQLite page cache)`);
}

// ---- 3. dense -----------------------------------------------------------------------------------
async function dense(db, index, lance, embedder, queries) {
  const vectors = [];
  for (const q of queries) vectors.push((await embedder.embed([q]))[0]);
  const store = new SqliteUsearchStore({ db, index });
  const byIds = db.prepare(byIdsSql(K));
  const keysOf = new Map(vectors.map((v) => [v, Array.from(index.search(v, K, 1).keys, Number)]));
  results.dense = await interleaved('dense, top 20 with passage columns + vectors (query vectors embedded beforehand)', vectors, {
    'LanceDB HNSW-SQ (LanceChunkStore.searchVector)': (v) => lance.searchVector('bench', 'big', v, { limit: K, filter: {}, withVectors: true }),
    'usearch i8 ef 64 + 20 rows by id from SQLite': (v) => store.searchVector('bench', 'big', v, { limit: K, filter: {}, withVectors: true }),
    'usearch i8 ef 64 alone': (v) => index.search(v, K, 1),
    '20 rows by id from SQLite alone': (v) => byIds.all(...keysOf.get(v)).map((row) => passageOf(row, 0)),
  });
}

// ---- 4. hybrid ----------------------------------------------------------------------------------
async function hybrid(db, index, lance, embedder, queries) {
  const service = (store) => new SearchService(store, new ContextAssembler(new TokenCounter()), embedder, undefined, { cache: new SearchCache(0) });
  const worker = new Worker(__filename, { workerData: { file: SQLITE_FILE, sqliteModule: SQLITE_MODULE } });
  const frequencies = new DocumentFrequencies(db, 'chunks_fts', MAX_DF_SHARE);
  for (const q of queries) frequencies.match(q);
  const pruned = `terms > ${MAX_DF_SHARE * 100} % of rows left out`;
  const prunedDeferred = new SqliteUsearchStore({ db, index, mode: 'deferred', frequencies });
  const stores = {
    'LanceDB one-phase (today)': lance,
    // Opt-in: ~230 ms a search here, and its long main-thread stalls disturb the variants around it.
    ...(args['exact-fts-hybrid'] === 'true'
      ? { 'SQLite + usearch, FTS5 all terms (LanceDB semantics), deferred past the embedding hand-off': new SqliteUsearchStore({ db, index, mode: 'deferred' }) }
      : {}),
    'LanceDB BM25 (with vectors, as today) + usearch / SQLite dense side': {
      searchText: (...a) => lance.searchText(...a),
      searchVector: (...a) => prunedDeferred.searchVector(...a),
    },
    [`SQLite + usearch, FTS5 ${pruned}, serial on the main thread`]: new SqliteUsearchStore({ db, index, mode: 'serial', frequencies }),
    [`SQLite + usearch, FTS5 ${pruned}, deferred past the embedding hand-off`]: prunedDeferred,
    [`SQLite + usearch, FTS5 ${pruned}, in a worker_thread`]: new SqliteUsearchStore({ db, index, mode: 'worker', worker, frequencies }),
    'LanceDB BM25 chunk ids only + passages, vectors and dense side from SQLite / usearch': new LanceKeywordSqlitePassages({ table: await openLanceTable(), db, dense: prunedDeferred }),
    'SQLite + usearch, no keyword side at all (the floor of the dense side)': { searchText: async () => [], searchVector: (...a) => prunedDeferred.searchVector(...a) },
  };
  const variants = Object.fromEntries(Object.entries(stores).map(([name, store]) => {
    const searches = service(store);
    return [name, (q) => searches.search({ tenantId: 'bench', collection: 'big', query: q, topK: 5, mode: 'hybrid', scoreThreshold: -1 })];
  }));
  results.hybrid = await interleaved('hybrid (SearchService, int8 embedding timed, RRF k=60, top 5)', queries, variants);
  await worker.terminate();
}

// ---- 5. quality ---------------------------------------------------------------------------------
async function quality() {
  const { createRetrievalComponents } = dist('retrieval.module');
  const { connect } = require('@lancedb/lancedb');
  const evalDir = join(ROOT, 'services/retrieval/eval');
  const questions = readFileSync(join(evalDir, 'questions.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)).filter((q) => q.relevant.length > 0);
  const normalize = (text) => text.replace(/\s+/g, ' ').trim().toLowerCase();
  // As services/retrieval/eval/evaluate.cjs judges: binary gains, relevant = labelled source containing the phrase.
  const judge = (question, passages) => {
    const matched = new Set();
    const gains = passages.map((p) => {
      const i = question.relevant.findIndex((item, j) => !matched.has(j) && p.source === item.source && normalize(p.text).includes(normalize(item.contains)));
      if (i < 0) return 0;
      matched.add(i);
      return 1;
    });
    const first = gains.findIndex((g) => g > 0);
    let ideal = 0;
    for (let i = 0; i < Math.min(question.relevant.length, 10); i++) ideal += 1 / Math.log2(i + 2);
    return {
      recall5: gains.slice(0, 5).reduce((a, b) => a + b, 0) / question.relevant.length,
      mrr: first >= 0 && first < 10 ? 1 / (first + 1) : 0,
      ndcg10: gains.slice(0, 10).reduce((s, g, i) => s + g / Math.log2(i + 2), 0) / ideal,
    };
  };
  const score = (rankings) => {
    const sum = { recall5: 0, mrr: 0, ndcg10: 0 };
    questions.forEach((q, i) => Object.entries(judge(q, rankings[i])).forEach(([k, v]) => (sum[k] += v)));
    return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / questions.length]));
  };

  const work = mkdtempSync(join(os.tmpdir(), 'retrieval-sqlite-eval-'));
  const store = new LanceChunkStore({ directory: work });
  try {
    const { ingestDocuments, searches } = createRetrievalComponents(
      { ingestRoot: join(evalDir, 'corpus'), collection: () => ({ chunking: { targetTokens: 384, maxTokens: 512, overlapTokens: 58 }, pii: 'off' }) },
      { store },
    );
    await ingestDocuments.ingest({ tenantId: 'eval', collection: 'eval', documents: [], paths: ['.'] });
    const lanceRankings = [];
    for (const q of questions) lanceRankings.push((await searches.search({ tenantId: 'eval', collection: 'eval', query: q.question, topK: 10, mode: 'keyword' })).passages);
    const lanceDb = await connect(work);
    const table = await lanceDb.openTable(tableName('eval', 'eval'));
    const arrow = await table.query().select(['chunk_id', 'source', 'title', 'section', await textColumnNameOf(table), 'search_text']).toArrow();
    const texts = textsOf(arrow);
    const chunks = Array.from({ length: arrow.numRows }, (_, r) => ({
      ...Object.fromEntries(['chunk_id', 'source', 'title', 'section', 'search_text'].map((name) => [name, String(arrow.getChild(name).get(r))])),
      text: String(texts.get(r)),
    }));
    table.close();
    lanceDb.close();

    const rows = [{ name: 'LanceDB BM25 (the service, keyword mode)', ...score(lanceRankings) }];
    const withoutStopWords = (text) => text.split(/([^\p{L}\p{N}]+)/u).filter((t) => !STOP_WORDS.has(t.toLowerCase())).join('');
    const variants = [
      { name: `FTS5 '${TOKENIZER}', Lucene's 33 stop words dropped from the query (the bench's choice)`, tokenizer: TOKENIZER },
      { name: 'same, and dropped from the indexed text too (JS, before FTS5)', tokenizer: TOKENIZER, indexText: withoutStopWords },
      { name: 'same as the first, no stop words dropped', tokenizer: TOKENIZER, stopWords: new Set() },
      { name: "same as the first, Snowball's 174 stop words dropped from the query", tokenizer: TOKENIZER, stopWords: SNOWBALL_STOP_WORDS },
      { name: "FTS5 'unicode61 remove_diacritics 2' (no stemming), Lucene's stop words dropped", tokenizer: 'unicode61 remove_diacritics 2' },
    ];
    const agreement = [];
    const matched = [];
    for (const variant of variants) {
      const db = new Database(':memory:');
      db.exec(`CREATE TABLE chunks (id INTEGER PRIMARY KEY, chunk_id TEXT, source TEXT, title TEXT, section TEXT, text TEXT, page INTEGER DEFAULT 0, tags TEXT DEFAULT '[]', updated_at INTEGER DEFAULT 0, is_public INTEGER DEFAULT 1);
        CREATE VIRTUAL TABLE chunks_fts USING fts5(search_text, content='', contentless_delete=1, tokenize='${variant.tokenizer}');`);
      const insert = db.prepare('INSERT INTO chunks (id, chunk_id, source, title, section, text) VALUES (?,?,?,?,?,?)');
      const insertFts = db.prepare('INSERT INTO chunks_fts (rowid, search_text) VALUES (?,?)');
      chunks.forEach((c, i) => {
        insert.run(i + 1, c.chunk_id, c.source, c.title, c.section, c.text);
        insertFts.run(i + 1, (variant.indexText ?? ((t) => t))(c.search_text));
      });
      const statement = db.prepare(keywordSql('chunks_fts', false));
      const rankings = questions.map((q) => {
        const match = ftsQuery(q.question, variant.stopWords);
        return match ? statement.all(match, 10).map((row) => passageOf(row, row.score)) : [];
      });
      rows.push({ name: variant.name, ...score(rankings) });
      // How much of the corpus an OR query touches: what FTS5 has to score (see DocumentFrequencies).
      const count = db.prepare('SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?');
      const shares = questions.map((q) => ftsQuery(q.question, variant.stopWords)).map((m) => (m ? count.get(m).n : 0) / chunks.length);
      matched.push(stats(shares));
      agreement.push(mean(rankings.map((r, i) => {
        const lanceTop = new Set(lanceRankings[i].slice(0, 5).map((p) => p.chunkId));
        return r.slice(0, 5).filter((p) => lanceTop.has(p.chunkId)).length / Math.max(1, Math.min(5, lanceTop.size));
      })));
      db.close();
    }
    console.log(`quality, keyword only: ${questions.length} answerable questions, ${chunks.length} chunks (top 10)`);
    console.log('| ranking | recall@5 | MRR@10 | nDCG@10 | top-5 overlap with LanceDB | share of chunks a question matches, p50 / p95 |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    rows.forEach((r, i) => console.log(`| ${r.name} | ${r.recall5.toFixed(3)} | ${r.mrr.toFixed(3)} | ${r.ndcg10.toFixed(3)} | ` +
      (i === 0 ? '| |' : `${agreement[i - 1].toFixed(3)} | ${matched[i - 1].p50.toFixed(2)} / ${matched[i - 1].p95.toFixed(2)} |`)));
    results.quality = { chunks: chunks.length, questions: questions.length, rows, agreementTop5: agreement, matchedShare: matched };
  } finally {
    await store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`load at start ${load()} (uptime: ${os.uptime().toFixed(0)} s), node ${process.version}, ${os.cpus().length} cpus, SQLite ${new Database(':memory:').prepare('select sqlite_version() v').get().v}`);
  results.machine = { loadAtStart: os.loadavg(), cpus: os.cpus().length, node: process.version };
  if (PARTS.has('build') && (args.rebuild === 'true' || !existsSync(SQLITE_FILE))) await build();
  if (['keyword', 'dense', 'hybrid'].some((p) => PARTS.has(p))) {
    process.env.LANCE_CPU_THREADS ??= String(Math.max(4, os.cpus().length));
    const rss0 = process.memoryUsage().rss;
    const db = openSqlite(SQLITE_FILE);
    const { index, loaded } = loadUsearch();
    results.usearch = { ...loaded, keyCheck: checkKeys(db, index) };
    const lance = await openLance();
    const queries = benchQueries(QUERIES);
    const embedder = PARTS.has('dense') || PARTS.has('hybrid') ? await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR, threads: 1, variant: 'int8' }) : undefined;
    if (PARTS.has('keyword')) await keyword(db, lance, queries);
    if (PARTS.has('dense')) await dense(db, index, lance, embedder, queries);
    if (PARTS.has('hybrid')) await hybrid(db, index, lance, embedder, queries);
    results.rssMb = { start: rss0 / 2 ** 20, end: process.memoryUsage().rss / 2 ** 20 };
    console.log(`RSS ${mb(rss0)} at the start of the search parts → ${mb(process.memoryUsage().rss)} (SQLite cache + mmap, usearch, LanceDB, the ONNX worker)`);
    await embedder?.close();
    await lance.close();
    db.close();
  }
  if (PARTS.has('quality')) await quality();
  results.machine.loadAtEnd = os.loadavg();
  console.log(`load at end ${load()}`);
  if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
