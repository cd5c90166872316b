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
  type TraceEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode } from '@llmops/grpc';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

const KEY = 'sk-stream-guard-test';
const MODEL = { provider: 'openai', model: 'gpt-4o-mini', version: 'gpt-4o-mini-2024-07-18' };
const DELTAS = ['Write to ', 'jana@example', '.com today. ', 'Then wait. ', 'Here is how to make ', 'a weapon. ', 'Never sent.'];

/** Inference streams DELTAS; the output check redacts e-mail addresses and blocks weapons. */
function meshFor(checked: string[], stream: { closedEarly: boolean }): MeshClients {
  async function* generateStream(): AsyncGenerator<GenerateChunk> {
    let finished = false;
    try {
      for (const value of DELTAS) yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'delta', value } };
      yield { $typeName: 'llmops.v1.GenerateChunk', event: { case: 'done', value: create(GenerateResponseSchema, { content: DELTAS.join(''), finishReason: 'stop', model: MODEL, usage: { inputTokens: 9, outputTokens: 20 } }) } };
      finished = true;
    } finally {
      stream.closedEarly = !finished;
    }
  }
  return {
    guardrails: {
      checkInput: async (request: { messages: unknown[] }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, messages: request.messages as never }),
      checkOutput: async (request: CheckOutputRequest) => {
        checked.push(request.content);
        if (request.content.includes('weapon')) return create(GuardrailVerdictSchema, { action: GuardrailAction.BLOCK, reason: 'harmful content (S9)', findings: [{ type: 'harmful' }] });
        if (request.content.includes('@')) return create(GuardrailVerdictSchema, { action: GuardrailAction.REDACT, content: request.content.replace(/\S+@\S+\.com/, '[EMAIL]'), findings: [{ type: 'email' }] });
        return create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content });
      },
    },
    routing: { route: async () => create(RouteDecisionSchema, { route: 'default', chain: [MODEL] }) },
    prompts: {},
    retrieval: {},
    inference: { generateStream },
    cost: { price: async () => create(PriceResponseSchema, { totalCostUsd: 0.001, priced: true }) },
  } as unknown as MeshClients;
}

describe('CompletionUseCase: a stream checked before it is sent (stream_output: buffered)', () => {
  it('sends whole sentences once checked, redacted where needed, and stops at a blocked one', async () => {
    const authenticator = new ApiKeyAuthenticator([{ id: 'k', sha256: hashApiKey(KEY), tenant: 't', project: 'p' }]);
    const published: Array<{ topic: string; message: unknown }> = [];
    const checked: string[] = [];
    const stream = { closedEarly: false };
    const useCase = new CompletionUseCase(authenticator, meshFor(checked, stream), { publish: (topic, message) => published.push({ topic, message }) }, Infinity, () => ({
      failMode: 'closed',
      streamOutput: 'buffered',
    }));
    const command: CompletionCommand = {
      endpoint: 'grpc.CompleteStream',
      authorization: `Bearer ${KEY}`,
      request: create(CompleteRequestSchema, { messages: [{ role: 'user', content: 'Tell me.' }] }),
      stream: true,
      deadlineMs: Date.now() + 10_000,
    };
    const chunks: CompleteChunk[] = [];
    const failure = await (async () => {
      for await (const chunk of useCase.completeStream(command)) chunks.push(chunk);
    })().catch((error: unknown) => error);

    const sent = chunks.filter((chunk) => chunk.event.case === 'delta').map((chunk) => chunk.event.value);
    expect(sent).toEqual(['Write to [EMAIL] today. ', 'Then wait. ']);
    expect(checked).toEqual(['Write to jana@example.com today. ', 'Then wait. ', 'Here is how to make a weapon. ']);
    expect(failure).toMatchObject({ code: ErrorCode.BlockedByGuardrail, message: 'harmful content (S9)' });
    expect(stream.closedEarly).toBe(true);
    const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
    expect(trace).toMatchObject({ status: 'blocked', errorCode: ErrorCode.BlockedByGuardrail, outputVerdict: 'block' });
    expect(trace.stages.find((stage) => stage.stage === 'inference')).toMatchObject({ status: 'cancelled', detail: 'stopped by the output check' });
  });
});
