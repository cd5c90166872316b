/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI wire format (chat.completions,
 * streaming SSE, models, embeddings) so tests exercise real clients and real sockets.
 * External LLM providers are the only thing our tests replace, and they are replaced by this.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { waitWhileConnected } from './client-wait';
import { AddressInfo } from 'node:net';

export type FakeScenarioKind =
  | 'ok'
  | 'rate-limited'
  | 'server-error'
  | 'context-length-exceeded'
  | 'invalid-api-key'
  | 'slow-first-byte'
  | 'stream-break'
  | 'malformed-json'
  | 'no-usage';

export interface FakeUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export interface FakeScenario {
  kind: FakeScenarioKind;
  /** The assistant's answer; when absent the server echoes the last user message. */
  answer?: string;
  /** Overrides of the reported usage; unset fields use the deterministic word count. */
  usage?: Partial<FakeUsage>;
  /** Delay before the status line is written. 'slow-first-byte' defaults it to 1000 ms. */
  firstByteDelayMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** 'stream-break': content chunks written before the socket is destroyed (default 2). */
  breakAfterChunks?: number;
  /** 'rate-limited': value of the Retry-After header in seconds (default 1). */
  retryAfterSeconds?: number;
  /** finish_reason of a successful answer (default 'stop', or 'tool_calls' with toolCalls). */
  finishReason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
  /**
   * With a failing kind (rate-limited, server-error...): only the first `failFirst` chat requests
   * fail, later ones are answered; for retries that succeed. Unset: every request fails.
   */
  failFirst?: number;
  /** The model calls these tools instead of answering in text (content null, as OpenAI sends it). */
  toolCalls?: FakeToolCall[];
}

export interface FakeToolCall {
  id: string;
  name: string;
  /** The arguments object as JSON text; streamed in pieces of `argumentsChunkChars` characters. */
  arguments: string;
}

/** Tool-call arguments are streamed in pieces this long, as OpenAI splits them mid-token. */
export const FAKE_ARGUMENTS_CHUNK_CHARS = 8;

export interface FakeOpenAiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <expectedApiKey>` or get a real 401. */
  expectedApiKey?: string;
  /** Scenario for requests whose model name does not pick one (default `{ kind: 'ok' }`). */
  scenario?: FakeScenario;
  /** Models listed by GET /v1/models. */
  models?: string[];
  /** Default embedding size when the request does not ask for `dimensions`. */
  embeddingDimensions?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it was not JSON, or undefined without a body. */
  body: unknown;
  /** True when the client closed the connection before the server finished its response. */
  clientClosedEarly: boolean;
}

export interface FakeOpenAiServer {
  /** Base URL to hand to an OpenAI client, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  setScenario(scenario: FakeScenario): void;
  close(): Promise<void>;
}

/**
 * Model names that pick a scenario per request, so one server can play several upstreams:
 * `fail-429`, `fail-500`, `fail-401`, `fail-400-context`, `slow-<ms>`, `break-after-<n>`,
 * `malformed-json`, `no-usage`, and `echo` (answers with the last user message). Any other name
 * uses the server's current scenario. `/v1/embeddings` honours `fail-429`, `fail-400-context` and `slow-<ms>`.
 */
export function scenarioForModel(model: string): FakeScenario | undefined {
  if (model === 'echo') return { kind: 'ok', answer: undefined };
  if (model === 'fail-429') return { kind: 'rate-limited' };
  if (model === 'fail-500') return { kind: 'server-error' };
  if (model === 'fail-401') return { kind: 'invalid-api-key' };
  if (model === 'fail-400-context') return { kind: 'context-length-exceeded' };
  if (model === 'malformed-json') return { kind: 'malformed-json' };
  if (model === 'no-usage') return { kind: 'no-usage' };
  const slow = /^slow-(\d+)$/.exec(model);
  if (slow) return { kind: 'slow-first-byte', firstByteDelayMs: Number(slow[1]) };
  const brk = /^break-after-(\d+)$/.exec(model);
  if (brk) return { kind: 'stream-break', breakAfterChunks: Number(brk[1]) };
  return undefined;
}

/** Splits an answer into the pieces streamed as deltas: one word with its trailing space each. */
export function fakeStreamPieces(answer: string): string[] {
  return answer.length === 0 ? [] : answer.split(/(?<=\s)(?=\S)/);
}

/**
 * The fake's stand-in for a tokenizer, deterministic so tests can assert exact counts:
 * prompt = words of every message + 3 per message; completion = streamed pieces.
 */
export function fakeUsageFor(messages: Array<{ content?: unknown }>, answer: string): FakeUsage {
  const words = (text: string): number => (text.match(/\S+/g) ?? []).length;
  const promptTokens = messages.reduce((sum, m) => sum + words(contentText(m.content)) + 3, 0);
  return { promptTokens, completionTokens: fakeStreamPieces(answer).length, cachedTokens: 0, reasoningTokens: 0 };
}

export async function startFakeOpenAiServer(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
  let serverScenario: FakeScenario = options.scenario ?? { kind: 'ok' };
  const requests: RecordedRequest[] = [];
  const pendingTimers = new Set<NodeJS.Timeout>();
  let chatRequests = 0;

  // Responses that the server itself cut off (stream-break), so they are not counted as client hang-ups.
  const destroyedByServer = new WeakSet<ServerResponse>();
  const destroyFromServer = (res: ServerResponse): void => {
    destroyedByServer.add(res);
    res.socket?.destroy();
    res.destroy();
  };

  const sleep = (ms: number, res: ServerResponse): Promise<boolean> => waitWhileConnected(ms, res, pendingTimers);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(err), 'server_error', null, null));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      clientClosedEarly: false,
    };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished && !destroyedByServer.has(res)) recorded.clientClosedEarly = true;
    });

    if (options.expectedApiKey !== undefined) {
      const auth = req.headers.authorization;
      if (!auth) {
        return sendJson(
          res,
          401,
          errorBody(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            'invalid_request_error',
            null,
            null,
          ),
        );
      }
      if (auth !== `Bearer ${options.expectedApiKey}`) {
        return sendJson(res, 401, invalidApiKeyBody(auth.replace(/^Bearer\s+/i, '')));
      }
    }

    if (req.method === 'GET' && path === '/v1/models') return sendModels(res);
    if (req.method === 'POST' && path === '/v1/embeddings') return sendEmbeddings(res, body);
    if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletions(res, body);
    return sendJson(
      res,
      404,
      errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null, null),
    );
  }

  function sendModels(res: ServerResponse): void {
    const models = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];
    sendJson(res, 200, {
      object: 'list',
      data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
    });
  }

  async function sendEmbeddings(res: ServerResponse, body: unknown): Promise<void> {
    const req = asRecord(body);
    const input = req.input;
    const inputs = Array.isArray(input) ? input : [input];
    if (typeof req.model !== 'string' || inputs.length === 0 || inputs.some((i) => i === undefined)) {
      return sendJson(res, 400, errorBody("'input' and 'model' are required.", 'invalid_request_error', 'input', null));
    }
    // Model-named failures, with the bodies OpenAI's /v1/embeddings sends, and slow answers.
    const byModel = scenarioForModel(req.model);
    const failure = byModel?.kind;
    if (failure === 'slow-first-byte' && !(await sleep(byModel?.firstByteDelayMs ?? 1000, res))) return;
    if (failure === 'rate-limited') {
      res.setHeader('retry-after', '1');
      return sendJson(
        res,
        429,
        errorBody(`Rate limit reached for ${req.model} in organization org-fake on tokens per min (TPM): Limit 1000000, Used 1000000, Requested 8. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.`, 'tokens', 'tokens', 'rate_limit_exceeded'),
      );
    }
    if (failure === 'context-length-exceeded') {
      return sendJson(
        res,
        400,
        errorBody("This model's maximum context length is 8192 tokens, however you requested 9000 tokens (9000 in your prompt; 0 for the completion). Please reduce your prompt; or completion length.", 'invalid_request_error', null, null),
      );
    }
    const dims = typeof req.dimensions === 'number' ? req.dimensions : (options.embeddingDimensions ?? 16);
    let promptTokens = 0;
    const data = inputs.map((item, index) => {
      const text = typeof item === 'string' ? item : JSON.stringify(item);
      promptTokens += (text.match(/\S+/g) ?? []).length;
      const vector = hashEmbedding(text, dims);
      const embedding =
        req.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    sendJson(res, 200, {
      object: 'list',
      data,
      model: req.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  }

  async function chatCompletions(res: ServerResponse, body: unknown): Promise<void> {
    const req = asRecord(body);
    const model = typeof req.model === 'string' ? req.model : '';
    const messages = Array.isArray(req.messages) ? (req.messages as Array<Record<string, unknown>>) : [];
    if (!model || messages.length === 0) {
      return sendJson(
        res,
        400,
        errorBody(
          !model ? 'you must provide a model parameter' : "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
          'invalid_request_error',
          !model ? null : 'messages',
          !model ? null : 'empty_array',
        ),
      );
    }
    // A model-named scenario keeps the server's answer and usage, so only the behaviour changes.
    const byModel = scenarioForModel(model);
    let scenario: FakeScenario = byModel ? { ...serverScenario, ...byModel } : serverScenario;
    chatRequests++;
    if (scenario.failFirst !== undefined && chatRequests > scenario.failFirst) scenario = { ...scenario, kind: 'ok' };
    const delay = scenario.firstByteDelayMs ?? (scenario.kind === 'slow-first-byte' ? 1000 : 0);
    if (!(await sleep(delay, res))) return;

    switch (scenario.kind) {
      case 'rate-limited': {
        const seconds = scenario.retryAfterSeconds ?? 1;
        res.setHeader('retry-after', String(seconds));
        res.setHeader('x-ratelimit-limit-requests', '3');
        res.setHeader('x-ratelimit-remaining-requests', '0');
        res.setHeader('x-ratelimit-reset-requests', `${seconds}s`);
        return sendJson(
          res,
          429,
          errorBody(
            `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'requests',
            'requests',
            'rate_limit_exceeded',
          ),
        );
      }
      case 'server-error':
        return sendJson(
          res,
          500,
          errorBody(
            'The server had an error while processing your request. Sorry about that!',
            'server_error',
            null,
            null,
          ),
        );
      case 'context-length-exceeded':
        return sendJson(
          res,
          400,
          errorBody(
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
            'invalid_request_error',
            'messages',
            'context_length_exceeded',
          ),
        );
      case 'invalid-api-key':
        return sendJson(res, 401, invalidApiKeyBody('sk-fake-invalid-key-0000'));
      case 'malformed-json':
        if (req.stream === true) {
          writeSseHead(res);
          res.end('data: {"id":"chatcmpl-fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"chatcmpl-fake","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
        return;
      case 'ok':
      case 'slow-first-byte':
      case 'stream-break':
      case 'no-usage':
        return answer(res, req, model, messages, scenario);
    }
  }

  async function answer(
    res: ServerResponse,
    req: Record<string, unknown>,
    model: string,
    messages: Array<Record<string, unknown>>,
    scenario: FakeScenario,
  ): Promise<void> {
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const text = scenario.answer ?? contentText(lastUser?.content);
    const counted = { ...fakeUsageFor(messages, text), ...scenario.usage };
    const usage =
      scenario.kind === 'no-usage'
        ? undefined
        : {
            prompt_tokens: counted.promptTokens,
            completion_tokens: counted.completionTokens,
            total_tokens: counted.promptTokens + counted.completionTokens,
            prompt_tokens_details: { cached_tokens: counted.cachedTokens, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: counted.reasoningTokens,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          };
    const id = `chatcmpl-fake${Math.random().toString(36).slice(2, 12)}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = scenario.toolCalls ?? [];
    const finishReason = scenario.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
    const systemFingerprint = 'fp_fake0001';

    if (req.stream !== true) {
      if (scenario.kind === 'stream-break') {
        // Headers and half a body, then the connection dies: the client sees a broken read.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"' + id + '","object":"chat.completion",');
        await sleep(10, res);
        destroyFromServer(res);
        return;
      }
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message:
              toolCalls.length > 0
                ? {
                    role: 'assistant',
                    content: null,
                    refusal: null,
                    annotations: [],
                    tool_calls: toolCalls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: { name: call.name, arguments: call.arguments },
                    })),
                  }
                : { role: 'assistant', content: text, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        ...(usage ? { usage } : {}),
        service_tier: 'default',
        system_fingerprint: systemFingerprint,
      });
    }

    const includeUsage = asRecord(req.stream_options).include_usage === true && usage !== undefined;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: systemFingerprint,
      choices,
      // With include_usage every chunk carries `usage: null` except the last one.
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
    const choice = (delta: Record<string, unknown>, finish: string | null) => ({
      index: 0,
      delta,
      logprobs: null,
      finish_reason: finish,
    });

    writeSseHead(res);
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    send(chunk([choice({ role: 'assistant', content: toolCalls.length > 0 ? null : '', refusal: null }, null)]));
    for (const [index, call] of toolCalls.entries()) {
      if (!(await sleep(scenario.chunkDelayMs ?? 1, res))) return;
      send(chunk([choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null)]));
      for (let at = 0; at < call.arguments.length; at += FAKE_ARGUMENTS_CHUNK_CHARS) {
        const piece = call.arguments.slice(at, at + FAKE_ARGUMENTS_CHUNK_CHARS);
        send(chunk([choice({ tool_calls: [{ index, function: { arguments: piece } }] }, null)]));
      }
    }
    const pieces = toolCalls.length > 0 ? [] : fakeStreamPieces(text);
    let written = 0;
    for (const piece of pieces) {
      if (scenario.kind === 'stream-break' && written >= (scenario.breakAfterChunks ?? 2)) break;
      if (!(await sleep(scenario.chunkDelayMs ?? 1, res))) return;
      send(chunk([choice({ content: piece }, null)]));
      written++;
    }
    if (scenario.kind === 'stream-break') {
      // Let the written chunks reach the client before the socket dies mid-body.
      await sleep(20, res);
      destroyFromServer(res);
      return;
    }
    send(chunk([choice({}, finishReason)]));
    if (includeUsage) send(chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setScenario(scenario: FakeScenario) {
      serverScenario = scenario;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function writeSseHead(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-request-id': `req_fake${Math.random().toString(36).slice(2, 10)}`,
  });
  res.end(text);
}

function errorBody(message: string, type: string, param: string | null, code: string | null) {
  return { error: { message, type, param, code } };
}

/** OpenAI masks the key it was given; we do the same so tests see the real message shape. */
function invalidApiKeyBody(key: string) {
  const masked = key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : '***';
  return errorBody(
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Message content is a string or an array of content parts; only text parts count here. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part?.text === 'string' ? (part.text as string) : ''))
      .join('');
  }
  return '';
}

function hashEmbedding(text: string, dims: number): number[] {
  const vector = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) {
      h ^= word.charCodeAt(i);
      h = Math.imul(h, 16777619) >>> 0;
    }
    vector[h % dims]! += 1;
  }
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}
