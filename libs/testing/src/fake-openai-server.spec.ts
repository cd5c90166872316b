import { FakeOpenAiServer, startFakeOpenAiServer } from './fake-openai-server';

/** Reads an SSE body into its `data:` payloads. */
async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

// Response bodies are checked field by field below, so they are read untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

const post = (server: FakeOpenAiServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('fake OpenAI server', () => {
  let server: FakeOpenAiServer;
  afterEach(() => server.close());

  it('answers chat.completions in the OpenAI shape, echoing the last user message', async () => {
    server = await startFakeOpenAiServer();
    const res = await post(server, '/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      system_fingerprint: expect.any(String),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'hello there', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      // (2 words + 3) + (2 words + 3) prompt, 2 pieces of answer
      usage: {
        prompt_tokens: 10,
        completion_tokens: 2,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(typeof body.created).toBe('number');
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
  });

  it('streams chunks with the role first, a usage-only chunk last, then [DONE]', async () => {
    server = await startFakeOpenAiServer({ scenario: { kind: 'ok', answer: 'one two three' } });
    const res = await post(server, '/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'count' }],
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const data = await sseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('one two three');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('picks error scenarios from the model name, with the real error bodies and headers', async () => {
    server = await startFakeOpenAiServer();
    const messages = [{ role: 'user', content: 'hi' }];
    const limited = await post(server, '/chat/completions', { model: 'fail-429', messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await json(limited)).error).toMatchObject({ code: 'rate_limit_exceeded', param: 'requests' });
    const failed = await post(server, '/chat/completions', { model: 'fail-500', messages });
    expect(failed.status).toBe(500);
    expect((await json(failed)).error.type).toBe('server_error');
    const tooLong = await post(server, '/chat/completions', { model: 'fail-400-context', messages });
    expect(tooLong.status).toBe(400);
    expect((await json(tooLong)).error.code).toBe('context_length_exceeded');
  });

  it('rejects a wrong or missing key when one is expected', async () => {
    server = await startFakeOpenAiServer({ expectedApiKey: 'sk-test-secret-1234' });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    const wrong = await post(server, '/chat/completions', body, { authorization: 'Bearer sk-wrong-key-99999' });
    expect(wrong.status).toBe(401);
    const error = (await json(wrong)).error;
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).not.toContain('sk-wrong-key-99999');
    expect((await post(server, '/chat/completions', body)).status).toBe(401);
    const right = await post(server, '/chat/completions', body, { authorization: 'Bearer sk-test-secret-1234' });
    expect(right.status).toBe(200);
  });

  it('lists models and returns embeddings as floats or base64', async () => {
    server = await startFakeOpenAiServer({ models: ['m1'] });
    const models = await json(await fetch(`${server.url}/models`));
    expect(models).toEqual({ object: 'list', data: [{ id: 'm1', object: 'model', created: expect.any(Number), owned_by: 'system' }] });
    const floats = await json(await post(server, '/embeddings', { model: 'e', input: ['a b', 'c'], dimensions: 4 }));
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(4);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const b64 = await json(await post(server, '/embeddings', { model: 'e', input: 'a b', dimensions: 4, encoding_format: 'base64' }));
    const decoded = Array.from(new Float32Array(Uint8Array.from(Buffer.from(b64.data[0].embedding, 'base64')).buffer));
    expect(decoded.map((v) => v.toFixed(5))).toEqual(floats.data[0].embedding.map((v: number) => v.toFixed(5)));
  });

  it('records a client that hangs up while the first byte is delayed', async () => {
    server = await startFakeOpenAiServer({ scenario: { kind: 'slow-first-byte', firstByteDelayMs: 5_000 } });
    const controller = new AbortController();
    // A patient client too, so the record shows only the one that left.
    void post(server, '/chat/completions', { model: 'x', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
    const aborting = fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => server.requests.length === 2);
    controller.abort();
    await aborting;
    await waitFor(() => server.requests.some((r) => r.clientClosedEarly));
    expect(server.requests.filter((r) => r.clientClosedEarly)).toHaveLength(1);
  });

  it('streams tool calls as OpenAI does: id and name first, then argument pieces, finish_reason tool_calls', async () => {
    server = await startFakeOpenAiServer({ scenario: { kind: 'ok', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"query":"outbox"}' }] } });
    const res = await post(server, '/chat/completions', { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const chunks = (await sseData(res)).filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    const calls = chunks.flatMap((c) => c.choices.flatMap((choice: { delta: { tool_calls?: unknown[] } }) => choice.delta.tool_calls ?? []));
    expect(calls[0]).toEqual({ index: 0, id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '' } });
    expect(calls.slice(1).map((c: { function: { arguments: string } }) => c.function.arguments).join('')).toBe('{"query":"outbox"}');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it('fails only the first failFirst requests of a failing scenario', async () => {
    server = await startFakeOpenAiServer({ scenario: { kind: 'server-error', failFirst: 1 } });
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] };
    expect((await post(server, '/chat/completions', body)).status).toBe(500);
    expect((await post(server, '/chat/completions', body)).status).toBe(200);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
