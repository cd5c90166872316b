import { FakeAnthropicServer, startFakeAnthropicServer } from './fake-anthropic-server';

/** Reads an SSE body into [event, data] pairs. */
async function sseEvents(res: Response): Promise<Array<[string, unknown]>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return [eventLine!.slice('event: '.length), JSON.parse(dataLine!.slice('data: '.length)) as unknown];
    });
}

const post = (server: FakeAnthropicServer, body: unknown, key = 'sk-ant-fake') =>
  fetch(`${server.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });

describe('fake Anthropic server (Messages API wire format)', () => {
  let server: FakeAnthropicServer;
  afterEach(() => server.close());

  it('streams the documented event sequence with usage in message_start and message_delta', async () => {
    server = await startFakeAnthropicServer({ expectedApiKey: 'sk-ant-fake', scenario: { kind: 'ok', answer: 'Hello there', toolUses: [{ id: 'toolu_1', name: 'f', input: { a: 1 } }] } });
    const res = await post(server, { model: 'claude-x', max_tokens: 64, stream: true, system: 'Be brief', messages: [{ role: 'user', content: 'hi you' }] });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await sseEvents(res);
    expect(events.map(([name]) => name)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    // input: "Be brief" (2) + "hi you" (2) + 3 per message; output: 2 streamed pieces.
    expect(events[0]![1]).toMatchObject({ message: { usage: { input_tokens: 7, output_tokens: 1 } } });
    expect(events[6]![1]).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} } });
    // input_json_delta pieces split the JSON anywhere; only joined do they parse.
    expect(events[7]![1]).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":1' } });
    expect(events[8]![1]).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '}' } });
    expect(events[10]![1]).toEqual({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 2 } });
  });

  it('answers errors with the documented body and an error event mid-stream', async () => {
    server = await startFakeAnthropicServer();
    const overloaded = await post(server, { model: 'fail-529', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const limited = await post(server, { model: 'fail-429', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    expect(limited.headers.get('retry-after')).toBe('1');
    const missing = await post(server, { model: 'claude-x', messages: [{ role: 'user', content: 'x' }] });
    expect(missing.status).toBe(400);
    const events = await sseEvents(await post(server, { model: 'error-event-after-1', max_tokens: 8, stream: true, messages: [{ role: 'user', content: 'a b c' }] }));
    expect(events[events.length - 1]).toEqual(['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
  });

  it('rejects a wrong key with authentication_error', async () => {
    server = await startFakeAnthropicServer({ expectedApiKey: 'right' });
    const res = await post(server, { model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }, 'wrong');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});
