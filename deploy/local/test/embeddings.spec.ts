import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Cost, CostEventSchema, Gateway, Inference, Routing, TraceEventSchema, UsageEventSchema } from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { attachGrpcTransport, createGrpcClient, ErrorCode, startGrpcService, type GrpcClient, type GrpcServiceHandle, type PlatformError } from '@llmops/grpc';
import { EventPublisher } from '@llmops/kafka';
import { collectTopic, type FakeOpenAiServer, poll, startFakeOpenAiServer, type TopicCollector } from '@llmops/testing';
import OpenAI from 'openai';
import pino from 'pino';
import { CostModule } from '../../../services/cost/src/cost.module';
import { InferenceModule } from '../../../services/inference/src/inference.module';
import { createRouting, RoutingModule, type RoutingWiring } from '../../../services/routing/src/routing.module';
import { loadGatewayConfig } from '../../../services/gateway/src/config/gateway.config';
import { createGatewayApp } from '../../../services/gateway/src/gateway.app';
import { closeMeshClients, createMeshClients, type MeshClients } from '../../../services/gateway/src/mesh/mesh-clients';

const brokers = process.env.KAFKA_BROKERS;
const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const KEY = 'sk-embeddings-spec-key';
const LIMITED_KEY = 'sk-embeddings-spec-limited';
const BROKE_KEY = 'sk-embeddings-spec-broke';
const UPSTREAM_KEY = 'sk-upstream-embeddings-0000';
const tenant = `emb-${runId}`;
/** A text no event may carry: embeddings inputs never leave the request path. */
const SECRET_TEXT = `confidential memo ${runId}`;


function decodeBase64Vector(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

// The gateway's HTTP application on a socket, in front of the real routing, inference and cost
// services over gRPC; the provider is a local server speaking OpenAI's /v1/embeddings; events go
// through the real Kafka of the jest run.
describe('POST /v1/embeddings', () => {
  let work: string;
  let upstream: FakeOpenAiServer;
  let events: EventPublisher;
  let routing: RoutingWiring;
  const services: GrpcServiceHandle[] = [];
  let mesh: MeshClients;
  let app: NestFastifyApplication;
  let base: string;
  let gateway: GrpcClient<typeof Gateway>;
  let usage: TopicCollector<import('@llmops/contracts').UsageEvent>;
  let costs: TopicCollector<import('@llmops/contracts').CostEvent>;
  let traces: TopicCollector<import('@llmops/contracts').TraceEvent>;

  const post = (path: string, body: unknown, key = KEY) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the root jest config, whose global setup starts Kafka');
    work = await mkdtemp(join(tmpdir(), 'gateway-embeddings-'));
    upstream = await startFakeOpenAiServer({ expectedApiKey: UPSTREAM_KEY });
    const embedding = (id: string, version: string) => ({
      id,
      provider: 'openai',
      version,
      context_window: 8191,
      price: { input_per_mtok: 0.02, output_per_mtok: 0 },
      capabilities: ['embeddings'],
    });
    const config = {
      providers: {
        local: { kind: 'local' },
        openai: { kind: 'openai-compatible', base_url: upstream.url, api_key_env: 'EMBEDDINGS_SPEC_OPENAI_KEY', resilience: { max_retries: 0 } },
        // Its key variable is not set: inference leaves the provider out.
        unkeyed: { kind: 'openai-compatible', base_url: upstream.url, api_key_env: 'EMBEDDINGS_SPEC_UNSET_KEY' },
      },
      models: [
        { id: 'extractive', provider: 'local', version: 'extractive-answerer-1', context_window: 32768, price: { input_per_mtok: 0, output_per_mtok: 0 } },
        { id: 'gpt-4o-mini', provider: 'openai', version: 'gpt-4o-mini-2024-07-18', context_window: 128000, price: { input_per_mtok: 0.15, output_per_mtok: 0.6 }, capabilities: ['tools', 'json'] },
        embedding('text-embedding-3-small', 'text-embedding-3-small'),
        // The upstream answers these versions with OpenAI's error bodies (429, and 400 for a too long input).
        embedding('throttled-embedder', 'fail-429'),
        embedding('short-embedder', 'fail-400-context'),
        embedding('slow-embedder', 'slow-5000'),
        { ...embedding('unkeyed-embedder', 'text-embedding-3-small'), provider: 'unkeyed' },
        // Inference's local provider, from the files deploy/local/embedding-model.sh installs.
        { id: 'all-minilm-l6-v2', provider: 'local', version: 'all-minilm-l6-v2', context_window: 256, price: { input_per_mtok: 0, output_per_mtok: 0 }, capabilities: ['embeddings'] },
      ],
      routes: [{ name: 'default', chain: ['extractive'] }],
      api_keys: [
        { id: 'main', sha256: hashApiKey(KEY), tenant, project: 'p1' },
        { id: 'limited', sha256: hashApiKey(LIMITED_KEY), tenant: `${tenant}-limited`, project: 'p1' },
        { id: 'broke', sha256: hashApiKey(BROKE_KEY), tenant: `${tenant}-broke`, project: 'p1' },
      ],
      // On, so the spec shows embeddings bypass it (the chat cache never holds vectors).
      cache: { enabled: true },
      budgets: [
        { scope: 'tenant', id: `${tenant}-limited`, tpm: 100 },
        { scope: 'tenant', id: `${tenant}-broke`, daily_usd: 0.000001 },
      ],
      guardrails: { max_input_chars: 100000, redact: [] },
      prompts: { dir: 'prompts' },
      retrieval: { data_dir: 'data' },
      analytics: { retention_days: 1 },
    };
    const configFile = join(work, 'llmops.yaml');
    // JSON is YAML: the file is read by the same loader as llmops.yaml.
    await writeFile(configFile, JSON.stringify(config));
    const env: Record<string, string> = {
      LLMOPS_CONFIG: configFile,
      KAFKA_BROKERS: brokers,
      EMBEDDINGS_SPEC_OPENAI_KEY: UPSTREAM_KEY,
      LLMOPS_ROUTING_HEALTH_POLL_MS: '0',
      LLMOPS_ROUTING_WATCH_CONFIG: 'false',
      GATEWAY_DEFAULT_TIMEOUT_MS: '10000',
      // Not on the embeddings path: nothing listens there, so a call would fail loudly.
      LLMOPS_GUARDRAILS_ADDR: '127.0.0.1:1',
      LLMOPS_PROMPTS_ADDR: '127.0.0.1:1',
      LLMOPS_RETRIEVAL_ADDR: '127.0.0.1:1',
    };
    events = new EventPublisher({ brokers: brokers.split(','), clientId: 'llmops-gateway-embeddings-test', outboxDir: join(work, 'outbox'), lingerMs: 1 });
    await events.start();
    const logger = pino({ level: 'warn' }, new Writable({ write: (_chunk, _encoding, done) => done() }));
    routing = await createRouting({ events, logger }, env);
    const routingService = await startGrpcService(RoutingModule.forRoot(routing), { address: '127.0.0.1:0', services: [Routing] });
    const inference = await startGrpcService(InferenceModule.forRoot(env), { address: '127.0.0.1:0', services: [Inference] });
    const cost = await startGrpcService(CostModule.forRoot({ events }, env), { address: '127.0.0.1:0', services: [Cost] });
    services.push(routingService, inference, cost);
    env['LLMOPS_ROUTING_ADDR'] = `127.0.0.1:${routingService.port}`;
    env['LLMOPS_INFERENCE_ADDR'] = `127.0.0.1:${inference.port}`;
    env['LLMOPS_COST_ADDR'] = `127.0.0.1:${cost.port}`;

    const gatewayConfig = loadGatewayConfig(env);
    mesh = createMeshClients(gatewayConfig.environment.mesh);
    app = await createGatewayApp(gatewayConfig, events, mesh, logger);
    const grpcServer = await attachGrpcTransport(app, { address: '127.0.0.1:0', services: [Gateway] });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    gateway = createGrpcClient(Gateway, `127.0.0.1:${grpcServer.boundPort}`);

    const ours = (event: { context?: { tenantId: string } }) => event.context?.tenantId.startsWith(tenant) === true;
    const list = brokers.split(',');
    [usage, costs, traces] = await Promise.all([
      collectTopic({ brokers: list, topic: 'llmops.usage.v1', schema: UsageEventSchema, groupId: `emb-usage-${runId}` }, ours),
      collectTopic({ brokers: list, topic: 'llmops.cost.v1', schema: CostEventSchema, groupId: `emb-cost-${runId}` }, ours),
      collectTopic({ brokers: list, topic: 'llmops.traces.v1', schema: TraceEventSchema, groupId: `emb-traces-${runId}` }, ours),
    ]);
  });

  afterAll(async () => {
    await Promise.all([usage?.stop(), costs?.stop(), traces?.stop()]);
    gateway?.close();
    await app?.close();
    if (mesh) closeMeshClients(mesh);
    for (const service of services) await service.app.close();
    await routing?.close();
    await events?.close();
    await upstream?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('answers in OpenAI’s format, floats and base64 alike, and records usage, cost and a trace without the texts', async () => {
    const input = [SECRET_TEXT, 'the second document is longer than the first one'];
    const floatReply = await post('/v1/embeddings', { model: 'text-embedding-3-small', input, encoding_format: 'float' });
    expect(floatReply.status).toBe(200);
    const traceId = floatReply.headers.get('x-llmops-trace-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const floats = (await floatReply.json()) as { object: string; data: Array<{ object: string; index: number; embedding: number[] }>; model: string; usage: object };
    // The upstream counts words: 3 + 9.
    expect(floats).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: expect.any(Array) },
        { object: 'embedding', index: 1, embedding: expect.any(Array) },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 12, total_tokens: 12 },
    });
    expect(floats.data[0]!.embedding).toHaveLength(16);
    expect(floats.data[0]!.embedding).not.toEqual(floats.data[1]!.embedding);

    const base64Reply = await post('/v1/embeddings', { model: 'text-embedding-3-small', input, encoding_format: 'base64' });
    const base64 = (await base64Reply.json()) as { data: Array<{ embedding: string }> };
    expect(typeof base64.data[0]!.embedding).toBe('string');
    // The same float32s: the JSON numbers carry 9 significant digits, read back as float32.
    expect(base64.data.map((item) => decodeBase64Vector(item.embedding))).toEqual(floats.data.map((item) => item.embedding.map(Math.fround)));
    // The provider was asked for the texts as they came, by the model's pinned version.
    expect(upstream.requests.filter((request) => request.path === '/v1/embeddings').at(-1)!.body).toMatchObject({ model: 'text-embedding-3-small', input });

    const usageEvent = await poll('the usage event', () => usage.events.find((event) => event.traceId === traceId));
    expect(usageEvent).toMatchObject({ context: { tenantId: tenant, projectId: 'p1', apiKeyId: 'main' }, model: { provider: 'openai', model: 'text-embedding-3-small' }, usage: { inputTokens: 12, outputTokens: 0 } });
    const costEvent = await poll('the cost event', () => costs.events.find((event) => event.traceId === traceId));
    expect(costEvent.totalCostUsd).toBeCloseTo((12 * 0.02) / 1e6, 12);
    const traceEvent = await poll('the trace event', () => traces.events.find((event) => event.traceId === traceId));
    expect(traceEvent).toMatchObject({
      endpoint: 'http.embeddings',
      status: 'ok',
      requestedModel: 'text-embedding-3-small',
      route: 'model:text-embedding-3-small',
      model: { provider: 'openai', model: 'text-embedding-3-small' },
      usage: { inputTokens: 12 },
      inputVerdict: 'unchecked',
      cacheStatus: 'bypass',
    });
    expect(traceEvent.costUsd).toBeCloseTo(costEvent.totalCostUsd, 12);
    expect(Object.fromEntries(traceEvent.stages.map((stage) => [stage.stage, stage.status]))).toEqual({
      auth: 'ok',
      'guardrails.input': 'skipped',
      routing: 'ok',
      inference: 'ok',
      cost: 'ok',
    });
    const serialized = JSON.stringify([usageEvent, costEvent, traceEvent], (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    expect(serialized).not.toContain(SECRET_TEXT);
  });

  it('serves the official openai client (base64 by default) with the vectors of a float request, and passes dimensions on', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: KEY, maxRetries: 0 });
    const sdk = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello vector world', dimensions: 8 });
    expect(upstream.requests.filter((request) => request.path === '/v1/embeddings').at(-1)!.body).toMatchObject({ dimensions: 8 });
    const plain = (await (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello vector world', dimensions: 8 })).json()) as { data: Array<{ embedding: number[] }> };
    expect(sdk.data).toHaveLength(1);
    expect(sdk.data[0]!.embedding).toHaveLength(8);
    expect(sdk.data[0]!.embedding).toEqual(plain.data[0]!.embedding.map(Math.fround));
    expect(sdk.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(['text-embedding-3-small', 'gpt-4o-mini', 'default', 'auto']));
  });

  it('serves Gateway.Embed over gRPC with the vectors, usage, cost and trace id of the HTTP answer', async () => {
    const metadata = { authorization: `Bearer ${KEY}` };
    const inputs = ['grpc embeds this', 'and this'];
    const answer = await gateway.embed({ model: 'text-embedding-3-small', inputs }, { metadata, timeoutMs: 5_000 });
    const http = (await (await post('/v1/embeddings', { model: 'text-embedding-3-small', input: inputs })).json()) as { data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } };
    expect(answer.model).toBe('text-embedding-3-small');
    expect(answer.embeddings.map((embedding) => embedding.vector)).toEqual(http.data.map((item) => item.embedding.map(Math.fround)));
    expect(answer.usage).toMatchObject({ inputTokens: http.usage.prompt_tokens, outputTokens: 0 });
    expect(answer.usage!.inputTokens).toBeGreaterThan(0);
    expect(answer.costUsd).toBeCloseTo((answer.usage!.inputTokens * 0.02) / 1e6, 12);
    const traceEvent = await poll('the gRPC trace event', () => traces.events.find((event) => event.traceId === answer.traceId));
    expect(traceEvent).toMatchObject({ endpoint: 'grpc.Embed', status: 'ok', requestedModel: 'text-embedding-3-small' });

    const refused = async (request: Parameters<typeof gateway.embed>[0], options: { metadata?: Record<string, string> } = { metadata }) =>
      (await gateway.embed(request, options).catch((error: unknown) => error)) as PlatformError;
    expect(await refused({ model: 'text-embedding-3-small', inputs: [] })).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('inputs: must hold at least one text') });
    expect(await refused({ model: 'text-embedding-3-small', inputs: ['a', ''] })).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('inputs[1]') });
    expect(await refused({ model: 'gpt-4o-mini', inputs: ['a'] })).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringContaining('does not serve embeddings') });
    expect(await refused({ model: 'nope', inputs: ['a'] })).toMatchObject({ code: ErrorCode.ModelNotFound });
    expect(await refused({ model: 'text-embedding-3-small', inputs: ['a'] }, {})).toMatchObject({ code: ErrorCode.Unauthenticated });
  });

  it('serves the local all-MiniLM-L6-v2 offline, priced at zero', async () => {
    const reply = await post('/v1/embeddings', { model: 'all-minilm-l6-v2', input: ['The cat sits on the mat.', 'A cat is sitting on a rug.'] });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as { data: Array<{ embedding: number[] }>; model: string; usage: { prompt_tokens: number } };
    expect(body.model).toBe('all-minilm-l6-v2');
    expect(body.data.map((item) => item.embedding.length)).toEqual([384, 384]);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    const traceId = reply.headers.get('x-llmops-trace-id')!;
    const traceEvent = await poll('the trace event', () => traces.events.find((event) => event.traceId === traceId));
    expect(traceEvent).toMatchObject({ status: 'ok', costUsd: 0, model: { provider: 'local', model: 'all-minilm-l6-v2' } });
  });

  it('refuses bad input with OpenAI-style 400s before any hop', async () => {
    const before = upstream.requests.length;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ model: 'text-embedding-3-small', input: [] }, 'input', /at least one text/],
      [{ model: 'text-embedding-3-small', input: '' }, 'input', /empty string/],
      [{ model: 'text-embedding-3-small', input: ['ok', ''] }, 'input.1', /empty string/],
      [{ model: 'text-embedding-3-small', input: Array.from({ length: 2049 }, () => 'x') }, 'input', /at most 2048 inputs/],
      [{ model: 'text-embedding-3-small', input: [1, 2, 3] }, 'input', /token arrays are not supported/],
      [{ model: 'text-embedding-3-small', input: [[1, 2]] }, 'input', /token arrays are not supported/],
      [{ model: 'text-embedding-3-small' }, 'input', /input/],
      [{ input: 'hi' }, 'model', /model/],
      [{ model: 'text-embedding-3-small', input: 'hi', encoding_format: 'int8' }, 'encoding_format', /'float' or 'base64'/],
      [{ model: 'text-embedding-3-small', input: 'hi', dimensions: 0 }, 'dimensions', /dimensions/],
      [{ model: 'gpt-4o-mini', input: 'hi' }, 'model', /does not serve embeddings.*Embedding models: text-embedding-3-small, throttled-embedder, short-embedder, slow-embedder, unkeyed-embedder, all-minilm-l6-v2/],
      [{ model: 'default', input: 'hi' }, 'model', /is a route; embeddings need the id of an embedding model/],
    ];
    for (const [body, param, message] of cases) {
      const reply = await post('/v1/embeddings', body);
      const error = ((await reply.json()) as { error: { message: string; type: string; param: string } }).error;
      expect({ status: reply.status, type: error.type, param: error.param }).toEqual({ status: 400, type: 'invalid_request_error', param });
      expect(error.message).toMatch(message);
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('answers an unknown model with 404 model_not_found, and a missing key with 401', async () => {
    const reply = await post('/v1/embeddings', { model: 'text-embedding-9-huge', input: 'hi' });
    expect(reply.status).toBe(404);
    expect(await reply.json()).toEqual({
      error: {
        message: 'Unknown model "text-embedding-9-huge". Embedding models: text-embedding-3-small, throttled-embedder, short-embedder, slow-embedder, unkeyed-embedder, all-minilm-l6-v2.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });

    const anonymous = await fetch(`${base}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }) });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });

  it('refuses a chat completion that names an embedding model with a clear 400, before any hop', async () => {
    const reply = await post('/v1/chat/completions', { model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { error: object }).error).toEqual({
      message: '"text-embedding-3-small" is an embedding model: it serves POST /v1/embeddings, not chat completions.',
      type: 'invalid_request_error',
      param: 'model',
      code: null,
    });
    // The refusal names the trace that recorded it.
    const traceId = reply.headers.get('x-llmops-trace-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const traced = await poll('the refused chat request’s trace', () => traces.events.find((event) => event.traceId === traceId));
    expect(traced).toMatchObject({ endpoint: 'http.chat.completions', status: 'error', errorCode: 'invalid_request' });
  });

  it('maps the provider’s errors: its 429 to a 429 with Retry-After, its context-length 400 to input_too_large', async () => {
    const throttled = await post('/v1/embeddings', { model: 'throttled-embedder', input: 'hi' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    const throttledError = ((await throttled.json()) as { error: { type: string; code: string; message: string } }).error;
    expect(throttledError).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(throttledError.message).not.toContain(UPSTREAM_KEY);

    // A provider whose key is not set says so, rather than claiming it serves no embeddings.
    const unkeyed = await post('/v1/embeddings', { model: 'unkeyed-embedder', input: 'hi' });
    expect(unkeyed.status).toBe(502); // as chat answers a chain whose provider is not configured
    expect(((await unkeyed.json()) as { error: { message: string } }).error.message).toMatch(/provider 'unkeyed' of model 'unkeyed-embedder' is not configured \(not in llmops.yaml, or its api_key_env variable is not set\)/);

    const tooLong = await post('/v1/embeddings', { model: 'short-embedder', input: 'a very long text' });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: object }).error).toMatchObject({ type: 'invalid_request_error', code: 'input_too_large', param: 'input' });

    const traceId = throttled.headers.get('x-llmops-trace-id');
    const failed = await poll('the failed request’s trace', () => traces.events.find((event) => event.requestedModel === 'throttled-embedder'));
    expect(traceId).toBe(failed.traceId); // a failure names its trace too
    expect(failed).toMatchObject({ endpoint: 'http.embeddings', status: 'error', errorCode: 'rate_limited' });
    expect(failed.stages.find((stage) => stage.stage === 'inference')).toMatchObject({ status: 'error' });
  });

  it('gives up at the caller’s deadline with a 504 and cancels the provider call', async () => {
    const reply = await fetch(`${base}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'x-llmops-timeout-ms': '300' },
      body: JSON.stringify({ model: 'slow-embedder', input: 'hi' }),
    });
    expect(reply.status).toBe(504);
    expect(((await reply.json()) as { error: object }).error).toMatchObject({ type: 'timeout_error', code: 'deadline_exceeded' });
    const call = await poll('the cancelled provider call', () => upstream.requests.find((request) => (request.body as { model?: string }).model === 'slow-5000'));
    await poll('the provider call to be cancelled', () => (call.clientClosedEarly ? true : undefined), 5_000);
  });

  it('enforces rate limits through routing, and settles each reservation with the tokens actually used', async () => {
    // tpm 100. Routing estimates ~4 characters a token (+4 a text): 200 characters reserve 54
    // tokens; the upstream reports 10 (one per word). Two such requests fit only once the first
    // reservation was settled down to 10.
    const text = Array.from({ length: 10 }, () => 'abcdefghijklmnopqrs').join(' ');
    expect(text.length).toBe(199);
    const first = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: text }, LIMITED_KEY);
    expect(first.status).toBe(200);
    // Settle is sent after the answer, without holding it up.
    await poll('the second request to fit', async () => ((await post('/v1/embeddings', { model: 'text-embedding-3-small', input: text }, LIMITED_KEY)).status === 200 ? true : undefined), 5_000);
    const big = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: [text, text] }, LIMITED_KEY);
    expect(big.status).toBe(429);
    expect(((await big.json()) as { error: object }).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', message: expect.stringContaining('tokens per minute') });
  });

  it('refuses a request over the spend cap with 429 budget_exceeded and does not call the provider', async () => {
    const before = upstream.requests.length;
    // 1,000 words at $0.02 per million tokens ≈ $0.000005: over the $0.000001 daily cap.
    const reply = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: Array.from({ length: 1000 }, () => 'word').join(' ') }, BROKE_KEY);
    expect(reply.status).toBe(429);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await reply.json()) as { error: object }).error).toMatchObject({ type: 'rate_limit_error', code: 'budget_exceeded', message: expect.stringContaining('Daily spend cap reached') });
    expect(upstream.requests.length).toBe(before);
  });
});
