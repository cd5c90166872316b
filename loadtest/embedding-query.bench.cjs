#!/usr/bin/env node
'use strict';
/**
 * Query-embedding cost of two ONNX graphs of the default embedder (all-MiniLM-L6-v2), head to
 * head: session.run for one query of 8–40 tokens, run as libs/embeddings' worker runs it
 * (onnxruntime-node, 1 intra-op thread, 1 inter-op thread, graphOptimizationLevel 'all', int64
 * input_ids / attention_mask / token_type_ids, output `sentence_embedding`).
 *
 * The two sessions are interleaved: every query runs on both, and which goes first alternates,
 * so load from other processes on the shared cores hits both alike. The load average is printed
 * with the numbers; compare only runs made side by side.
 *
 * Then the quality of each graph against the fp32 model.onnx: cosine of the vectors over
 * --texts varied texts (questions and passages of 4–256 tokens from the retrieval eval corpus,
 * docs/ and multilingual guardrails prose), min / p01 / mean; and a right-padded batch of 16
 * against the same texts one by one, since ingestion embeds padded batches.
 *
 * Usage: node loadtest/embedding-query.bench.cjs [--a=PATH] [--b=PATH] [--fp32=PATH]
 *        [--queries=600] [--warmup=40] [--texts=600] [--threads=1] [--out=loadtest/results/x.json]
 * Defaults: a = model.int8.onnx, fp32 = model.onnx of .cache/embedding-model/all-minilm-l6-v2;
 * b defaults to a (a graph against itself shows the noise floor). The tokenizer is read from the
 * directory of --a. Needs the model: bash deploy/local/embedding-model.sh.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { basename, dirname, join, resolve } = require('node:path');
const ort = require('onnxruntime-node');
const { Tokenizer } = require('@huggingface/tokenizers');
const { summarize, round, percentile } = require('./lib/latency-stats.cjs');
const { SENTENCES } = require('./lib/guardrails-corpus.cjs');

const ROOT = resolve(__dirname, '..');
const MODEL_DIR = join(ROOT, '.cache/embedding-model/all-minilm-l6-v2');
const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const GRAPH_A = resolve(args.a ?? join(MODEL_DIR, 'model.int8.onnx'));
const GRAPH_B = resolve(args.b ?? GRAPH_A);
const GRAPH_FP32 = resolve(args.fp32 ?? join(MODEL_DIR, 'model.onnx'));
const QUERIES = Number(args.queries ?? 600);
const WARMUP = Number(args.warmup ?? 40);
const TEXTS = Number(args.texts ?? 600);
const THREADS = Number(args.threads ?? 1);
const BATCH = 16;

// A deterministic generator, so that runs are comparable.
let seed = 7;
const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const between = (low, high) => low + Math.floor(random() * (high - low + 1));

const loadAverage = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');
const uptime = () => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadAverage()}`;
  }
};

/** Sentences and paragraphs of the text this repository ships, in a fixed order. */
function sourceTexts() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(md|txt|jsonl|html)$/.test(entry.name)) files.push(path);
    }
  };
  walk(join(ROOT, 'services/retrieval/eval/corpus'));
  walk(join(ROOT, 'docs'));
  const paragraphs = [];
  const sentences = [];
  const questions = readFileSync(join(ROOT, 'services/retrieval/eval/questions.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).question);
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/<[^>]+>/g, ' ');
    for (const paragraph of text.split(/\n\s*\n/)) {
      const clean = paragraph.replace(/\s+/g, ' ').trim();
      if (clean.length < 20) continue;
      paragraphs.push(clean);
      for (const sentence of clean.split(/(?<=[.!?])\s+/)) if (sentence.length >= 20) sentences.push(sentence);
    }
  }
  return { questions, sentences: [...sentences, ...SENTENCES], paragraphs };
}

function loadTokenizer(dir) {
  const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const sepId = tokenizer.encode('').ids.at(-1);
  // As the worker truncates: keep [CLS] and the first tokens, end with [SEP].
  return (text, maxTokens) => {
    const ids = tokenizer.encode(text).ids;
    return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), sepId];
  };
}

async function openSession(path) {
  if (!existsSync(path)) throw new Error(`no graph at ${path}: run deploy/local/embedding-model.sh`);
  return ort.InferenceSession.create(path, { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
}

/** Rows of token ids, right-padded as the worker pads them; returns the vectors and the run time. */
async function embed(session, rows) {
  const length = Math.max(...rows.map((ids) => ids.length));
  const size = rows.length * length;
  const ids = new BigInt64Array(size);
  const mask = new BigInt64Array(size);
  rows.forEach((row, r) => row.forEach((id, c) => { ids[r * length + c] = BigInt(id); mask[r * length + c] = 1n; }));
  const shape = [rows.length, length];
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, shape),
    attention_mask: new ort.Tensor('int64', mask, shape),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(size), shape),
  };
  const started = performance.now();
  const output = await session.run(feeds);
  const ms = performance.now() - started;
  const vector = output.sentence_embedding;
  if (!vector || vector.dims.length !== 2 || vector.dims[0] !== rows.length) throw new Error('the graph has no sentence_embedding [batch, hidden] output');
  const hidden = vector.dims[1];
  return { ms, vectors: rows.map((_, r) => vector.data.slice(r * hidden, (r + 1) * hidden)) };
}

const dot = (x, y) => x.reduce((sum, value, i) => sum + value * y[i], 0);

function cosineStats(values) {
  const sorted = Float64Array.from(values).sort();
  return { min: round(sorted[0], 4), p01: round(percentile(sorted, 1), 4), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 4) };
}

async function main() {
  const encode = loadTokenizer(dirname(GRAPH_A));
  const { questions, sentences, paragraphs } = sourceTexts();
  const [a, b] = [await openSession(GRAPH_A), await openSession(GRAPH_B)];
  const label = (path) => `${basename(dirname(path))}/${basename(path)}`;
  console.log(`A = ${label(GRAPH_A)}, B = ${label(GRAPH_B)}; ${THREADS} intra-op thread(s), ${os.cpus().length} cores`);

  // 1. Latency: one query at a time, 8–40 tokens ([CLS] and [SEP] included).
  const pool = [...questions, ...sentences];
  const queries = Array.from({ length: WARMUP + QUERIES }, (_, i) => {
    const target = between(8, 40);
    let text = pool[i % pool.length];
    while (encode(text, 512).length < target) text += ` ${pool[between(0, pool.length - 1)]}`;
    return encode(text, target);
  });
  const loadBefore = uptime();
  const times = { a: [], b: [] };
  for (let i = 0; i < queries.length; i++) {
    const order = i % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const key of order) {
      const { ms } = await embed(key === 'a' ? a : b, [queries[i]]);
      if (i >= WARMUP) times[key].push(ms);
    }
  }
  const loadAfter = uptime();
  const latency = Object.fromEntries(
    Object.entries(times).map(([key, list]) => {
      const s = summarize(list);
      return [key, { count: s.count, p50: round(s.p50, 3), p95: round(percentile(Float64Array.from(list).sort(), 95), 3), p99: round(s.p99, 3), mean: round(s.mean, 3) }];
    }),
  );
  const tokens = queries.slice(WARMUP).map((ids) => ids.length);
  console.log(`\nsession.run, 1 query of ${Math.min(...tokens)}–${Math.max(...tokens)} tokens (mean ${round(tokens.reduce((x, y) => x + y, 0) / tokens.length, 1)}), ${QUERIES} queries after ${WARMUP} warm-up, interleaved`);
  console.log(`  before: ${loadBefore}\n  after:  ${loadAfter}`);
  console.log('  graph   p50 ms   p95 ms   p99 ms   mean ms');
  for (const key of ['a', 'b']) {
    const s = latency[key];
    console.log(`  ${key.toUpperCase()}     ${String(s.p50).padStart(7)}  ${String(s.p95).padStart(7)}  ${String(s.p99).padStart(7)}  ${String(s.mean).padStart(8)}`);
  }
  const gain = (key) => round((1 - latency.b[key] / latency.a[key]) * 100, 1);
  // The per-query ratio pairs each query's two runs, made back to back: the steadiest measure on a busy machine.
  const ratios = Float64Array.from(times.b.map((ms, i) => ms / times.a[i])).sort();
  latency.pairedRatioP50 = round(percentile(ratios, 50), 3);
  console.log(`  B vs A: p50 ${gain('p50')} % faster, p95 ${gain('p95')} % faster; median per-query B/A time ${latency.pairedRatioP50}`);

  // 2. Quality against the fp32 graph: single texts, then right-padded batches (--texts=0 skips it).
  const quality = {};
  if (TEXTS > 0) await measureQuality(a, b, encode, { questions, sentences, paragraphs }, quality, label);
  if (args.out) {
    mkdirSync(dirname(resolve(args.out)), { recursive: true });
    const result = { graphs: { a: GRAPH_A, b: GRAPH_B, fp32: GRAPH_FP32 }, threads: THREADS, loadBefore, loadAfter, latency, quality };
    writeFileSync(resolve(args.out), `${JSON.stringify(result, null, 2)}\n`);
  }
}

async function measureQuality(a, b, encode, { questions, sentences, paragraphs }, quality, label) {
  const fp32 = await openSession(GRAPH_FP32);
  seed = 11; // the same texts whatever --queries was
  const texts = Array.from({ length: TEXTS }, (_, i) => {
    const kind = i % 3;
    if (kind === 0) return encode(questions[i % questions.length], 256);
    if (kind === 1) return encode(sentences[(i * 7) % sentences.length], 256);
    // Passages of a random length up to the 256-token ceiling, as chunks are embedded.
    const start = (i * 13) % paragraphs.length;
    const passage = [paragraphs[start], paragraphs[(start + 1) % paragraphs.length], paragraphs[(start + 2) % paragraphs.length]].join(' ');
    return encode(passage, between(4, 256));
  });
  const cosines = { a: [], b: [] };
  const reference = [];
  for (const ids of texts) {
    const [truth] = (await embed(fp32, [ids])).vectors;
    reference.push(truth);
    for (const key of ['a', 'b']) {
      const [vector] = (await embed(key === 'a' ? a : b, [ids])).vectors;
      cosines[key].push(dot(vector, truth));
    }
  }
  const norms = { a: [], b: [] };
  const padded = { a: [], b: [] };
  for (let start = 0; start < texts.length; start += BATCH) {
    const rows = texts.slice(start, start + BATCH);
    for (const key of ['a', 'b']) {
      const { vectors } = await embed(key === 'a' ? a : b, rows);
      vectors.forEach((vector, r) => {
        norms[key].push(Math.sqrt(dot(vector, vector)));
        padded[key].push(dot(vector, reference[start + r]));
      });
    }
  }
  const lengths = texts.map((ids) => ids.length);
  console.log(`\ncosine to ${label(GRAPH_FP32)} over ${texts.length} texts of ${Math.min(...lengths)}–${Math.max(...lengths)} tokens (questions, sentences, passages)`);
  for (const key of ['a', 'b']) {
    const worstNorm = Math.max(...norms[key].map((norm) => Math.abs(norm - 1)));
    quality[key] = { single: cosineStats(cosines[key]), paddedBatches: cosineStats(padded[key]), maxNormError: Number(worstNorm.toExponential(2)) };
    quality[key].single.worstTokens = lengths[cosines[key].indexOf(Math.min(...cosines[key]))];
    const { single, paddedBatches } = quality[key];
    console.log(`  ${key.toUpperCase()}  one by one: min ${single.min} (${single.worstTokens} tokens)  p01 ${single.p01}  mean ${single.mean}   padded batches of ${BATCH}: min ${paddedBatches.min}  mean ${paddedBatches.mean}   | |v|-1 | ≤ ${quality[key].maxNormError}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
