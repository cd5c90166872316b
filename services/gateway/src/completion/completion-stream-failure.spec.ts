import { create } from '@bufbuild/protobuf';
import {
  CompleteRequestSchema,
  GenerateResponseSchema,
  GuardrailAction,
  GuardrailVerdictSchema,
  PriceResponseSchema,
  RouteDecisionSchema,
  type CompleteChunk,
  type GenerateChunk,
  type TraceEvent,
  type UsageEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

const KEY = 'sk-unit-test';
const MODEL = { provider: 'anthropic', model: 'claude-sonnet-4', version: 'claude-sonnet-4-20250514' };

/** Inference streams two deltas, then (as the inference service does) a `partial` chunk and an error status. */
function meshWithBreakingStream(priced: Array<{ usage?: { outputTokens: number } }>): MeshClients {
  async function* generateStream(): AsyncGenerator<GenerateChunk> {
    yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value: 'The ' } };
    yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value: 'outbox ' } };
    yield {
      $typeName: 'llmops.v1.GenerateChunk',
      event: {
        case: 'partial',
        value: create(GenerateResponseSchema, { content: 'The outbox ', finishReason: 'error', model: MODEL, usage: { inputTokens: 48, outputTokens: 3, estimated: true } }),
      },
    };
    throw new PlatformError(ErrorCode.UpstreamError, 'the stream from anthropic broke');
  }
  return {
    guardrails: {
      checkInput: async (request: { messages: unknown[] }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, messages: request.messages as never }),
      checkOutput: async (request: { content: string }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content }),
    },
    routing: { route: async () => create(RouteDecisionSchema, { route: 'default', chain: [MODEL] }) },
    prompts: {},
    retrieval: {},
    inference: { generateStream },
    cost: {
      price: async (request: { usage?: { outputTokens: number } }) => {
        priced.push(request);
        return create(PriceResponseSchema, { totalCostUsd: 0.25, priced: true });
      },
    },
  } as unknown as MeshClients;
}

describe('CompletionUseCase: a stream that fails mid-way', () => {
  it('ends with the error, and still records the usage and cost of what was generated', async () => {
    const authenticator = new ApiKeyAuthenticator([{ id: 'k', sha256: hashApiKey(KEY), tenant: 't', project: 'p' }]);
    const published: Array<{ topic: string; message: unknown }> = [];
    const priced: Array<{ usage?: { outputTokens: number } }> = [];
    const useCase = new CompletionUseCase(authenticator, meshWithBreakingStream(priced), { publish: (topic, message) => published.push({ topic, message }) });
    const command: CompletionCommand = {
      endpoint: 'grpc.CompleteStream',
      authorization: `Bearer ${KEY}`,
      request: create(CompleteRequestSchema, { messages: [{ role: 'user', content: 'Where do events go?' }] }),
      stream: true,
      deadlineMs: Date.now() + 10_000,
    };
    const chunks: CompleteChunk[] = [];
    let failure: unknown;
    try {
      for await (const chunk of useCase.completeStream(command)) chunks.push(chunk);
    } catch (error) {
      failure = error;
    }
    expect(chunks.map((c) => c.event.case)).toEqual(['started', 'delta', 'delta']);
    expect(failure).toMatchObject({ code: ErrorCode.UpstreamError });
    expect(priced).toHaveLength(1);
    expect(priced[0]!.usage).toMatchObject({ inputTokens: 48, outputTokens: 3, estimated: true });
    const usage = published.find((e) => e.topic === 'llmops.usage.v1')?.message as UsageEvent | undefined;
    expect(usage).toMatchObject({ model: MODEL, usage: { inputTokens: 48, outputTokens: 3, estimated: true } });
    const trace = published.find((e) => e.topic === 'llmops.traces.v1')!.message as TraceEvent;
    expect(trace).toMatchObject({ status: 'error', errorCode: ErrorCode.UpstreamError, costUsd: 0.25, model: MODEL, usage: { outputTokens: 3 } });
  });
});
