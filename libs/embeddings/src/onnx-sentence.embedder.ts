import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { TextEmbedder } from './text-embedder';

/** Where deploy/local/embedding-model.sh installs all-MiniLM-L6-v2, relative to the repository root. */
export const DEFAULT_EMBEDDING_MODEL_DIR = '.cache/embedding-model/all-minilm-l6-v2';

/**
 * Which graph of the model directory runs: `fp32` is model.onnx as converted; `int8` is
 * model.int8.onnx, the same graph with its MatMul weights quantised per channel (ONNX Runtime
 * dynamic quantisation, built by deploy/local/embedding-model.sh): ~40 % less CPU per query,
 * vectors at cosine ~0.99 to the fp32 ones (docs/retrieval.md has the measurements).
 */
export type EmbeddingModelVariant = 'fp32' | 'int8';

const MODEL_FILES: Readonly<Record<EmbeddingModelVariant, string>> = { fp32: 'model.onnx', int8: 'model.int8.onnx' };

export interface OnnxSentenceEmbedderOptions {
  /** Directory holding model.onnx (output `sentence_embedding`), tokenizer.json, tokenizer_config.json and config.json. */
  readonly modelDir: string;
  /** Token ceiling per text, [CLS] and [SEP] included; all-MiniLM-L6-v2 was trained at 256. */
  readonly maxTokens?: number;
  readonly batchSize?: number;
  /** ONNX Runtime intra-op threads; the machine is shared, so one by default. */
  readonly threads?: number;
  /** Default fp32. The two give slightly different vectors, so the variant is part of `id`. */
  readonly variant?: EmbeddingModelVariant;
}

// The model runs in a worker thread: ONNX Runtime's native addon hands back typed arrays of
// Node's own realm, which module-sandboxing runners (jest) reject, and tokenising is CPU work
// better kept off the gRPC event loop. Texts are sorted by length so batches pad little.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ort = require(workerData.ortPath);
const { Tokenizer } = require(workerData.tokenizersPath);
(async () => {
  const dir = workerData.modelDir;
  const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const hidden = Number(read('config.json').hidden_size);
  const sepId = tokenizer.encode('').ids.at(-1);
  const session = await ort.InferenceSession.create(join(dir, workerData.modelFile), {
    intraOpNumThreads: workerData.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const encode = (text) => {
    const ids = tokenizer.encode(text).ids;
    return ids.length <= workerData.maxTokens ? ids : [...ids.slice(0, workerData.maxTokens - 1), sepId];
  };
  async function run(batch) {
    const length = Math.max(...batch.map((ids) => ids.length));
    const size = batch.length * length;
    const ids = new BigInt64Array(size), mask = new BigInt64Array(size);
    batch.forEach((row, r) => row.forEach((id, c) => { ids[r * length + c] = BigInt(id); mask[r * length + c] = 1n; }));
    const shape = [batch.length, length];
    const output = await session.run({
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(size), shape),
    });
    return output.sentence_embedding.data;
  }
  parentPort.on('message', async ({ id, texts }) => {
    try {
      const encoded = texts.map(encode);
      const order = encoded.map((_, i) => i).sort((a, b) => encoded[a].length - encoded[b].length);
      const out = new Float32Array(texts.length * hidden);
      for (let start = 0; start < order.length; start += workerData.batchSize) {
        const batch = order.slice(start, start + workerData.batchSize);
        const data = await run(batch.map((i) => encoded[i]));
        batch.forEach((i, row) => out.set(data.subarray(row * hidden, (row + 1) * hidden), i * hidden));
      }
      parentPort.postMessage({ id, vectors: out }, [out.buffer]);
    } catch (error) {
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    }
  });
  parentPort.postMessage({ ready: true, hidden });
})().catch((error) => parentPort.postMessage({ ready: false, error: String((error && error.message) || error) }));
`;

/** Every failure of the model is the same to a caller: the embedder cannot answer now. */
function unavailable(message: string): PlatformError {
  return new PlatformError(ErrorCode.Unavailable, message, { reason: 'EMBEDDER_UNAVAILABLE' });
}

interface Pending {
  readonly resolve: (vectors: Float32Array[]) => void;
  readonly reject: (error: Error) => void;
  readonly count: number;
}

/**
 * A BERT-style sentence encoder (all-MiniLM-L6-v2 by default) run in-process with ONNX Runtime.
 * The model directory is produced once by deploy/local/embedding-model.sh; nothing is ever
 * downloaded here. The graph pools and normalises itself, so outputs are unit vectors.
 */
export class OnnxSentenceEmbedder implements TextEmbedder {
  readonly id: string;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    private readonly hidden: number,
    options: OnnxSentenceEmbedderOptions,
  ) {
    // fp32 keeps the id it always had; any other variant names itself.
    const variant = options.variant === undefined || options.variant === 'fp32' ? '' : `+${options.variant}`;
    this.id = `onnx:${options.modelDir.split(/[\\/]/).filter(Boolean).pop()}${variant}:${options.maxTokens ?? 256}`;
    worker.on('message', (message: { id: number; vectors?: Float32Array; error?: string }) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.error !== undefined || !message.vectors) {
        waiting.reject(unavailable(`the embedding model failed: ${message.error}`));
        return;
      }
      const vectors = message.vectors;
      waiting.resolve(Array.from({ length: waiting.count }, (_, i) => vectors.slice(i * this.hidden, (i + 1) * this.hidden)));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the embedding worker exited')));
  }

  static async isInstalled(modelDir: string, variant: EmbeddingModelVariant = 'fp32'): Promise<boolean> {
    const info = await stat(join(modelDir, MODEL_FILES[variant])).catch(() => undefined);
    return info?.isFile() ?? false;
  }

  static async load(options: OnnxSentenceEmbedderOptions): Promise<OnnxSentenceEmbedder> {
    const variant = options.variant ?? 'fp32';
    if (!(await OnnxSentenceEmbedder.isInstalled(options.modelDir, variant))) {
      throw unavailable(`no ${MODEL_FILES[variant]} in ${options.modelDir}: run deploy/local/embedding-model.sh, or set retrieval.embedder in llmops.yaml`);
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modelDir: options.modelDir,
        modelFile: MODEL_FILES[variant],
        maxTokens: options.maxTokens ?? 256,
        batchSize: options.batchSize ?? 16,
        threads: options.threads ?? 1,
        ortPath: require.resolve('onnxruntime-node'),
        tokenizersPath: require.resolve('@huggingface/tokenizers'),
      },
    });
    type Ready = { ready: boolean; hidden?: number; error?: string };
    const ready = await new Promise<Ready>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).catch((error: Error): Ready => ({ ready: false, error: error.message }));
    if (!ready.ready || !ready.hidden) {
      await worker.terminate();
      throw unavailable(`cannot load the embedding model in ${options.modelDir}: ${ready.error}`);
    }
    worker.unref();
    return new OnnxSentenceEmbedder(worker, ready.hidden, options);
  }

  dimensions(): Promise<number> {
    return Promise.resolve(this.hidden);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    if (this.failure) return Promise.reject(unavailable(this.failure.message));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, count: texts.length });
      this.worker.ref();
      this.worker.postMessage({ id, texts: [...texts] });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the embedder is closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(unavailable(`the embedding model failed: ${error.message}`));
    this.pending.clear();
  }
}
