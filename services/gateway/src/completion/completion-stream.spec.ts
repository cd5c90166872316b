import { create } from '@bufbuild/protobuf';
import {
  CompleteRequestSchema,
  GenerateResponseSchema,
  GuardrailAction,
  GuardrailVerdictSchema,
  PriceResponseSchema,
  RouteDecisionSchema,
  type CheckOutputRequest,
  type CompleteChunk,
  type GenerateChunk,
  type GuardrailVerdict,
  type TraceEvent,
  type UsageEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { CompletionUseCase, type CompletionCommand, type GuardrailPolicyLookup } from './completion.use-case';

const KEY = 'sk-unit-test';
const MODEL = { provider: 'anthropic', model: 'claude-sonnet-4', version: 'claude-sonnet-4-20250514' };

/** The gateway's ports around a streaming model: inference streams `generateStream`, the output check answers `checkOutput`. */
function streamingMesh(options: {
  generateStream: () => AsyncGenerator<GenerateChunk>;
  checkOutput?: (request: CheckOutputRequest) => GuardrailVerdict;
  priced?: Array<{ usage?: { outputTokens: number } }>;
}): MeshClients {
  return {
    guardrails: {
      checkInput: async (request: { messages: unknown[] }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, messages: request.messages as never }),
      checkOutput: async (request: CheckOutputRequest) =>
        options.checkOutput?.(request) ?? create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content }),
    },
    routing: { route: async () => create(RouteDecisionSchema, { route: 'default', chain: [MODEL] }) },
    prompts: {},
    retrieval: {},
    inference: { generateStream: options.generateStream },
    cost: {
      price: async (request: { usage?: { outputTokens: number } }) => {
        options.priced?.push(request);
        return create(PriceResponseSchema, { totalCostUsd: 0.25, priced: true });
      },
    },
  } as unknown as MeshClients;
}

const delta = (value: string): GenerateChunk => ({ $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value } });

/** Streams one request through the use-case: what reached the client, how it ended, and the events published. */
async function streamOnce(mesh: MeshClients, policy?: GuardrailPolicyLookup) {
  const authenticator = new ApiKeyAuthenticator([{ id: 'k', sha256: hashApiKey(KEY), tenant: 't', project: 'p' }]);
  const published: Array<{ topic: string; message: unknown }> = [];
  const useCase = new CompletionUseCase(authenticator, mesh, { publish: (topic, message) => published.push({ topic, message }) }, Infinity, policy);
  const command: CompletionCommand = {
    endpoint: 'grpc.CompleteStream',
    authorization: `Bearer ${KEY}`,
    request: create(CompleteRequestSchema, { messages: [{ role: 'user', content: 'Where do events go?' }] }),
    stream: true,
    deadlineMs: Date.now() + 10_000,
  };
  const chunks: CompleteChunk[] = [];
  const failure = await (async () => {
    for await (const chunk of useCase.completeStream(command)) chunks.push(chunk);
  })().catch((error: unknown) => error);
  const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
  return { chunks, failure, published, trace };
}

describe('CompletionUseCase: a stream that fails mid-way', () => {
  it('ends with the error, and still records the usage and cost of what was generated', async () => {
    const priced: Array<{ usage?: { outputTokens: number } }> = [];
    // Inference streams two deltas, then (as the inference service does) a `partial` chunk and an error status.
    async function* generateStream(): AsyncGenerator<GenerateChunk> {
      yield delta('The ');
      yield delta('outbox ');
      yield {
        $typeName: 'llmops.v1.GenerateChunk',
        event: {
          case: 'partial',
          value: create(GenerateResponseSchema, { content: 'The outbox ', finishReason: 'error', model: MODEL, usage: { inputTokens: 48, outputTokens: 3, estimated: true } }),
        },
      };
      throw new PlatformError(ErrorCode.UpstreamError, 'the stream from anthropic broke');
    }
    const { chunks, failure, published, trace } = await streamOnce(streamingMesh({ generateStream, priced }));
    expect(chunks.map((c) => c.event.case)).toEqual(['started', 'delta', 'delta']);
    expect(failure).toMatchObject({ code: ErrorCode.UpstreamError });
    expect(priced).toHaveLength(1);
    expect(priced[0]!.usage).toMatchObject({ inputTokens: 48, outputTokens: 3, estimated: true });
    const usage = published.find((e) => e.topic === 'llmops.usage.v1')?.message as UsageEvent | undefined;
    expect(usage).toMatchObject({ model: MODEL, usage: { inputTokens: 48, outputTokens: 3, estimated: true } });
    expect(trace).toMatchObject({ status: 'error', errorCode: ErrorCode.UpstreamError, costUsd: 0.25, model: MODEL, usage: { outputTokens: 3 } });
  });
});

describe('CompletionUseCase: a stream checked before it is sent (stream_output: buffered)', () => {
  it('sends whole sentences once checked, redacted where needed, and stops at a blocked one', async () => {
    const deltas = ['Write to ', 'jana@example', '.com today. ', 'Then wait. ', 'Here is how to make ', 'a weapon. ', 'Never sent.'];
    const stream = { closedEarly: false };
    async function* generateStream(): AsyncGenerator<GenerateChunk> {
      let finished = false;
      try {
        for (const value of deltas) yield delta(value);
        yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'done', value: create(GenerateResponseSchema, { content: deltas.join(''), finishReason: 'stop', model: MODEL }) } };
        finished = true;
      } finally {
        stream.closedEarly = !finished;
      }
    }
    // The output check redacts e-mail addresses and blocks weapons.
    const checked: string[] = [];
    const checkOutput = (request: CheckOutputRequest) => {
      checked.push(request.content);
      if (request.content.includes('weapon')) return create(GuardrailVerdictSchema, { action: GuardrailAction.BLOCK, reason: 'harmful content (S9)', findings: [{ type: 'harmful' }] });
      if (request.content.includes('@')) return create(GuardrailVerdictSchema, { action: GuardrailAction.REDACT, content: request.content.replace(/\S+@\S+\.com/, '[EMAIL]'), findings: [{ type: 'email' }] });
      return create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content });
    };
    const { chunks, failure, trace } = await streamOnce(streamingMesh({ generateStream, checkOutput }), () => ({ failMode: 'closed', streamOutput: 'buffered' }));

    const sent = chunks.filter((chunk) => chunk.event.case === 'delta').map((chunk) => chunk.event.value);
    expect(sent).toEqual(['Write to [EMAIL] today. ', 'Then wait. ']);
    expect(checked).toEqual(['Write to jana@example.com today. ', 'Then wait. ', 'Here is how to make a weapon. ']);
    expect(failure).toMatchObject({ code: ErrorCode.BlockedByGuardrail, message: 'harmful content (S9)' });
    expect(stream.closedEarly).toBe(true);
    expect(trace).toMatchObject({ status: 'blocked', errorCode: ErrorCode.BlockedByGuardrail, outputVerdict: 'block' });
    expect(trace.stages.find((stage) => stage.stage === 'inference')).toMatchObject({ status: 'cancelled', detail: 'stopped by the output check' });
  });
});
