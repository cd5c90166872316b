import { create } from '@bufbuild/protobuf';
import { CompleteResponseSchema, ToolCallDeltaSchema } from '@llmops/contracts';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { parseChatCompletionRequest, toCompleteRequest } from './chat-completion.request';
import { toChatCompletion, toChunk, toToolCallDelta } from './chat-completion.response';

const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('OpenAI chat.completions mapping: tools, tool_choice, response_format', () => {
  it('carries tools, a forced tool choice, JSON schema format and a tool round-trip into the CompleteRequest', () => {
    const request = toCompleteRequest(
      parseChatCompletionRequest({
        model: 'smart',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        ],
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
      }),
    );
    expect(request.params?.tools).toEqual([
      expect.objectContaining({ name: 'get_weather', description: 'Weather in a city', parametersJson: JSON.stringify(weather.function.parameters) }),
    ]);
    expect(request.params?.toolChoice).toBe('get_weather');
    expect(request.params).toMatchObject({ responseFormat: 'json_schema', responseSchemaName: 'answer', responseSchemaJson: '{"type":"object"}' });
    expect(request.messages[1]!.toolCalls).toEqual([expect.objectContaining({ id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Paris"}' })]);
    expect(request.messages[2]).toMatchObject({ role: 'tool', toolCallId: 'call_1', content: '18C' });
  });

  it('passes "required" and JSON mode as they are', () => {
    const request = toCompleteRequest(
      parseChatCompletionRequest({ messages: [{ role: 'user', content: 'hi' }], tools: [weather], tool_choice: 'required', response_format: { type: 'json_object' } }),
    );
    expect(request.params).toMatchObject({ toolChoice: 'required', responseFormat: 'json_object' });
  });

  it('rejects a malformed tool or response_format with a clear invalid-request error', () => {
    const bad = (body: unknown) => {
      try {
        parseChatCompletionRequest(body);
      } catch (error) {
        expect(error).toBeInstanceOf(PlatformError);
        expect((error as PlatformError).code).toBe(ErrorCode.InvalidRequest);
        return (error as PlatformError).message;
      }
      throw new Error('expected a rejection');
    };
    expect(bad({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'has space' } }] })).toContain('tools.0.function.name');
    expect(bad({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } })).toContain('response_format');
  });

  it('returns tool calls in OpenAI shape: content null, tool_calls, finish_reason tool_calls', () => {
    const response = create(CompleteResponseSchema, {
      id: 'chatcmpl-1',
      content: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'call_1', name: 'get_weather', argumentsJson: '{"city":"Paris"}' }],
    });
    const body = toChatCompletion(response, 1_700_000_000);
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    });
  });

  it('streams tool-call pieces as OpenAI does: id, type and name on the first piece only', () => {
    const first = toChunk('c', 1, 'm', toToolCallDelta(create(ToolCallDeltaSchema, { index: 0, id: 'call_1', name: 'get_weather', argumentsDelta: '' })), null);
    const next = toChunk('c', 1, 'm', toToolCallDelta(create(ToolCallDeltaSchema, { index: 0, argumentsDelta: '{"city"' })), null);
    expect(first.choices[0]!.delta).toEqual({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    expect(next.choices[0]!.delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] });
  });
});
