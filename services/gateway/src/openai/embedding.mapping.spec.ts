import { ErrorCode } from '@llmops/grpc';
import { parseEmbeddingRequest } from './embedding.request';
import { toBase64Vector, toEmbeddingList } from './embedding.response';

describe('embeddings request and response mapping', () => {
  it('reads a single text or a list, with OpenAI’s defaults', () => {
    expect(parseEmbeddingRequest({ model: 'm', input: 'hello' })).toEqual({ model: 'm', inputs: ['hello'], encodingFormat: 'float', user: '' });
    expect(parseEmbeddingRequest({ model: 'm', input: ['a', 'b'], encoding_format: 'base64', dimensions: 256, user: 'u-1' })).toEqual({
      model: 'm',
      inputs: ['a', 'b'],
      encodingFormat: 'base64',
      dimensions: 256,
      user: 'u-1',
    });
  });

  it('refuses what the provider path cannot carry with a 400 naming the parameter', () => {
    expect(() => parseEmbeddingRequest({ model: 'm', input: [[1, 2]] })).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest, details: { param: 'input' } }));
    expect(() => parseEmbeddingRequest('not an object')).toThrow('The request body must be a JSON object.');
    expect(() => parseEmbeddingRequest({ model: 'm', input: { text: 'hi' } })).toThrow(expect.objectContaining({ details: { param: 'input' } }));
  });

  it('encodes base64 vectors as little-endian float32, as OpenAI and numpy.frombuffer read them', () => {
    // python3: base64.b64encode(struct.pack('<3f', 1.0, -2.5, 0.1))
    expect(toBase64Vector([1, -2.5, 0.1])).toBe('AACAPwAAIMDNzMw9');
  });

  it('writes float vectors with the digits a float32 has, and reads back the same float32s', () => {
    const widened = Array.from(new Float32Array([0.1, -0.012345678, 1 / 3, 3.4e-39, 0]));
    const written = toEmbeddingList({ traceId: 't', model: 'm', vectors: [widened], usage: undefined, costUsd: 0 }, 'float').data[0]!.embedding as number[];
    expect(JSON.stringify(written)).toBe('[0.100000001,-0.0123456782,0.333333343,3.39999989e-39,0]');
    expect(Array.from(new Float32Array(written))).toEqual(widened);
  });

  it('answers in OpenAI’s list shape with prompt tokens only', () => {
    const outcome = { traceId: 't', model: 'm', vectors: [[0.5, 0.25]], usage: { inputTokens: 7 } as never, costUsd: 0 };
    expect(toEmbeddingList(outcome, 'float')).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.5, 0.25] }],
      model: 'm',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(toEmbeddingList(outcome, 'base64').data[0]!.embedding).toBe('AAAAPwAAgD4=');
  });
});
