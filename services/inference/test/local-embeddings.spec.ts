import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Inference } from '@llmops/contracts';
import { DEFAULT_EMBEDDING_MODEL_DIR, OnnxSentenceEmbedder } from '@llmops/embeddings';
import { createGrpcClient, ErrorCode, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { InferenceModule } from '../src/inference.module';

const MODEL_DIR = resolve(__dirname, '../../..', DEFAULT_EMBEDDING_MODEL_DIR);
const model = { provider: 'local', model: 'all-minilm-l6-v2', version: 'all-minilm-l6-v2' };
const context = { tenantId: 't1', requestId: 'r1' };

const dot = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

// Inference's `local` provider embedding with all-MiniLM-L6-v2 over real gRPC: the model
// deploy/local/embedding-model.sh installs, and a clear error where it is not installed.
describe('local embeddings through Inference.Embed', () => {
  let work: string;
  const handles: GrpcServiceHandle[] = [];
  const clients: Array<GrpcClient<typeof Inference>> = [];

  async function serve(modelDir: string): Promise<GrpcClient<typeof Inference>> {
    const env = { LLMOPS_CONFIG: join(work, 'llmops.yaml'), LLMOPS_INFERENCE_EMBEDDING_MODEL_DIR: modelDir };
    const handle = await startGrpcService(InferenceModule.forRoot(env), { address: '127.0.0.1:0', services: [Inference] });
    handles.push(handle);
    const client = createGrpcClient(Inference, `127.0.0.1:${handle.port}`);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    if (!(await OnnxSentenceEmbedder.isInstalled(MODEL_DIR))) throw new Error(`no model at ${MODEL_DIR}: run bash deploy/local/embedding-model.sh`);
    work = await mkdtemp(join(tmpdir(), 'local-embeddings-'));
    const config = {
      providers: { local: { kind: 'local' } },
      models: [
        { id: 'extractive', provider: 'local', version: 'extractive-answerer-1', context_window: 32768, price: { input_per_mtok: 0, output_per_mtok: 0 } },
        { id: 'all-minilm-l6-v2', provider: 'local', version: 'all-minilm-l6-v2', context_window: 256, price: { input_per_mtok: 0, output_per_mtok: 0 }, capabilities: ['embeddings'] },
      ],
      routes: [{ name: 'default', chain: ['extractive'] }],
      guardrails: { max_input_chars: 100000, redact: [] },
      prompts: { dir: 'prompts' },
      retrieval: { data_dir: 'data' },
      analytics: { retention_days: 1 },
    };
    await writeFile(join(work, 'llmops.yaml'), JSON.stringify(config));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const handle of handles) await handle.app.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('returns one 384-dimension unit vector per text, closer for texts that mean the same', async () => {
    const client = await serve(MODEL_DIR);
    const texts = ['The cat sits on the mat.', 'A cat is sitting on a rug.', 'Quarterly revenue grew by eight percent.'];
    const response = await client.embed({ context, model, inputs: texts }, { timeoutMs: 30_000 });
    const vectors = response.embeddings.map((embedding) => embedding.vector);
    expect(vectors.map((vector) => vector.length)).toEqual([384, 384, 384]);
    for (const vector of vectors) expect(dot(vector, vector)).toBeCloseTo(1, 4);
    expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[2]!) + 0.3);
    expect(response).toMatchObject({ model, responseModel: 'all-minilm-l6-v2', usage: { outputTokens: 0, estimated: true } });
    expect(response.usage!.inputTokens).toBeGreaterThan(10);

    // The same vectors retrieval computes with the same model files.
    const direct = await OnnxSentenceEmbedder.load({ modelDir: MODEL_DIR });
    try {
      const [expected] = await direct.embed([texts[0]!]);
      expect(dot(vectors[0]!, Array.from(expected!))).toBeCloseTo(1, 5);
    } finally {
      await direct.close();
    }

    await expect(client.embed({ context, model, inputs: ['x'], dimensions: 128 }, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: expect.stringContaining('has 384 dimensions and cannot shorten them'),
    });
  });

  it('fails with a clear error when the model files are not installed', async () => {
    const client = await serve(join(work, 'no-model-here'));
    await expect(client.embed({ context, model, inputs: ['hello'] }, { timeoutMs: 30_000 })).rejects.toMatchObject({
      code: ErrorCode.UpstreamError,
      message: expect.stringMatching(/all-minilm-l6-v2 is not installed \(no model\.onnx in .*no-model-here\): run bash deploy\/local\/embedding-model\.sh/),
    });
  });
});
