/**
 * A real HTTP server on 127.0.0.1 speaking Anthropic's Messages API wire format (POST
 * /v1/messages, whole or as SSE with message_start / content_block_* / message_delta /
 * message_stop / ping / error events; error bodies `{"type":"error","error":{...}}`), built from
 * https://docs.anthropic.com/en/api/messages-streaming and /en/api/errors.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { waitWhileConnected } from './client-wait';
import { AddressInfo } from 'node:net';
import { fakeStreamPieces } from './fake-openai-server';

export type FakeAnthropicScenarioKind =
  | 'ok'
  | 'rate-limited'
  | 'overloaded'
  | 'server-error'
  | 'prompt-too-long'
  | 'invalid-api-key'
  | 'slow-first-byte'
  | 'stream-break'
  | 'stream-error-event'
  | 'malformed-json';

export interface FakeAnthropicUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

export interface FakeAnthropicScenario {
  kind: FakeAnthropicScenarioKind;
  /** The answer; when absent the server echoes the last user text. */
  answer?: string;
  /** tool_use blocks sent after the text (stop_reason tool_use). `input` is streamed as input_json_delta pieces. */
  toolUses?: Array<{ id: string; name: string; input: Record<string, unknown> }>;
  usage?: Partial<FakeAnthropicUsage>;
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';
  firstByteDelayMs?: number;
  chunkDelayMs?: number;
  /** 'stream-break' and 'stream-error-event': text deltas sent before the failure (default 2). */
  breakAfterChunks?: number;
  /** 'rate-limited': Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
}

export interface FakeAnthropicRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  clientClosedEarly: boolean;
}

export interface FakeAnthropicServer {
  /** Base URL for the SDK's `baseURL` (no /v1: the SDK adds it). */
  url: string;
  requests: FakeAnthropicRequest[];
  setScenario(scenario: FakeAnthropicScenario): void;
  close(): Promise<void>;
}

/** input_json_delta pieces are this long, split mid-token as the real API does. */
export const FAKE_ANTHROPIC_JSON_CHUNK_CHARS = 6;

/** Model names that pick a scenario: fail-429, fail-529, fail-500, fail-400-context, fail-401, slow-<ms>, break-after-<n>, error-event-after-<n>, malformed-json. */
export function anthropicScenarioForModel(model: string): FakeAnthropicScenario | undefined {
  const fixed: Record<string, FakeAnthropicScenarioKind> = {
    'fail-429': 'rate-limited',
    'fail-529': 'overloaded',
    'fail-500': 'server-error',
    'fail-400-context': 'prompt-too-long',
    'fail-401': 'invalid-api-key',
    'malformed-json': 'malformed-json',
  };
  if (fixed[model]) return { kind: fixed[model]! };
  const slow = /^slow-(\d+)$/.exec(model);
  if (slow) return { kind: 'slow-first-byte', firstByteDelayMs: Number(slow[1]) };
  const brk = /^break-after-(\d+)$/.exec(model);
  if (brk) return { kind: 'stream-break', breakAfterChunks: Number(brk[1]) };
  const evt = /^error-event-after-(\d+)$/.exec(model);
  if (evt) return { kind: 'stream-error-event', breakAfterChunks: Number(evt[1]) };
  return undefined;
}

/** Deterministic usage: input = words of system + messages + 3 per message; output = streamed text pieces. */
export function fakeAnthropicUsageFor(body: Record<string, unknown>, answer: string): FakeAnthropicUsage {
  const words = (text: string): number => (text.match(/\S+/g) ?? []).length;
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Array<Record<string, unknown>>) : [];
  const system = typeof body['system'] === 'string' ? words(body['system']) : 0;
  const inputTokens = messages.reduce((sum, m) => sum + words(textOf(m['content'])) + 3, system);
  return { inputTokens, outputTokens: fakeStreamPieces(answer).length, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
}

export async function startFakeAnthropicServer(options: { expectedApiKey?: string; scenario?: FakeAnthropicScenario } = {}): Promise<FakeAnthropicServer> {
  let serverScenario: FakeAnthropicScenario = options.scenario ?? { kind: 'ok' };
  const requests: FakeAnthropicRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const destroyedByServer = new WeakSet<ServerResponse>();

  const sleep = (ms: number, res: ServerResponse): Promise<boolean> => waitWhileConnected(ms, res, timers);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', String(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'There was an issue with the format or content of your request.');
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const recorded: FakeAnthropicRequest = { path, headers: req.headers, body, clientClosedEarly: false };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished && !destroyedByServer.has(res)) recorded.clientClosedEarly = true;
    });
    if (options.expectedApiKey !== undefined) {
      const key = req.headers['x-api-key'] ?? String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (key !== options.expectedApiKey) return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (req.method !== 'POST' || path !== '/v1/messages') return sendError(res, 404, 'not_found_error', `Not found: ${path}`);
    if (typeof body['model'] !== 'string' || !Array.isArray(body['messages']) || typeof body['max_tokens'] !== 'number') {
      return sendError(res, 400, 'invalid_request_error', 'model, messages and max_tokens: Field required');
    }
    const model = body['model'];
    const byModel = anthropicScenarioForModel(model);
    const scenario: FakeAnthropicScenario = byModel ? { ...serverScenario, ...byModel } : serverScenario;
    const delay = scenario.firstByteDelayMs ?? (scenario.kind === 'slow-first-byte' ? 1000 : 0);
    if (!(await sleep(delay, res))) return;

    switch (scenario.kind) {
      case 'rate-limited':
        res.setHeader('retry-after', String(scenario.retryAfterSeconds ?? 1));
        res.setHeader('anthropic-ratelimit-requests-remaining', '0');
        return sendError(res, 429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.');
      case 'overloaded':
        return sendError(res, 529, 'overloaded_error', 'Overloaded');
      case 'server-error':
        return sendError(res, 500, 'api_error', 'Internal server error');
      case 'prompt-too-long':
        return sendError(res, 400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum');
      case 'invalid-api-key':
        return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
      case 'malformed-json':
        if (body['stream'] === true) {
          writeSseHead(res);
          res.end('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_fake"\n\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"msg_fake","type":"message","content":[{"type":"te');
        return;
      default:
        return answer(res, body, model, scenario);
    }
  }

  async function answer(res: ServerResponse, body: Record<string, unknown>, model: string, scenario: FakeAnthropicScenario): Promise<void> {
    const messages = body['messages'] as Array<Record<string, unknown>>;
    const lastUser = [...messages].reverse().find((m) => m['role'] === 'user');
    const text = scenario.answer ?? textOf(lastUser?.['content']);
    const toolUses = scenario.toolUses ?? [];
    const counted = { ...fakeAnthropicUsageFor(body, text), ...scenario.usage };
    const stopReason = scenario.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn');
    const id = `msg_fake${Math.random().toString(36).slice(2, 12)}`;
    const usage = {
      input_tokens: counted.inputTokens,
      cache_creation_input_tokens: counted.cacheCreationInputTokens,
      cache_read_input_tokens: counted.cacheReadInputTokens,
      output_tokens: counted.outputTokens,
    };

    if (body['stream'] !== true) {
      if (scenario.kind === 'stream-break') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"id":"${id}","type":"message",`);
        await sleep(10, res);
        destroyedByServer.add(res);
        res.socket?.destroy();
        return;
      }
      const content: unknown[] = text ? [{ type: 'text', text }] : [];
      for (const use of toolUses) content.push({ type: 'tool_use', id: use.id, name: use.name, input: use.input });
      return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage });
    }

    writeSseHead(res);
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // message_start carries the input usage and an output count of 1; message_delta the final, cumulative output.
    send('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    let index = 0;
    const pieces = fakeStreamPieces(text);
    if (pieces.length > 0) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      send('ping', { type: 'ping' });
      let written = 0;
      for (const piece of pieces) {
        const failing = scenario.kind === 'stream-break' || scenario.kind === 'stream-error-event';
        if (failing && written >= (scenario.breakAfterChunks ?? 2)) break;
        if (!(await sleep(scenario.chunkDelayMs ?? 1, res))) return;
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
        written++;
      }
      if (scenario.kind === 'stream-break') {
        await sleep(20, res);
        destroyedByServer.add(res);
        res.socket?.destroy();
        return;
      }
      if (scenario.kind === 'stream-error-event') {
        send('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
        res.end();
        return;
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    for (const use of toolUses) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: use.id, name: use.name, input: {} } });
      const json = JSON.stringify(use.input);
      for (let at = 0; at < json.length; at += FAKE_ANTHROPIC_JSON_CHUNK_CHARS) {
        if (!(await sleep(scenario.chunkDelayMs ?? 1, res))) return;
        send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: json.slice(at, at + FAKE_ANTHROPIC_JSON_CHUNK_CHARS) },
        });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: counted.outputTokens },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setScenario(scenario) {
      serverScenario = scenario;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function writeSseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': fakeRequestId() });
  res.flushHeaders();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': fakeRequestId() });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: fakeRequestId() });
}

function fakeRequestId(): string {
  return `req_fake${Math.random().toString(36).slice(2, 12)}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Content is a string or blocks; text and tool_result blocks count. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: Record<string, unknown>) => (typeof block['text'] === 'string' ? block['text'] : typeof block['content'] === 'string' ? block['content'] : ''))
    .join(' ');
}
