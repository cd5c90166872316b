import { create } from '@bufbuild/protobuf';
import {
  CompleteRequestSchema,
  GenerateResponseSchema,
  GuardrailAction,
  GuardrailVerdictSchema,
  PriceResponseSchema,
  RouteDecisionSchema,
  type TraceEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode } from '@llmops/grpc';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

const KEY = 'sk-unit-test';

/** Ports of the use-case, answering at once unless `gate` holds inference back. */
function fakeMesh(gate?: Promise<void>): MeshClients {
  return {
    guardrails: {
      checkInput: async (request: { messages: unknown[] }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, messages: request.messages as never }),
      checkOutput: async (request: { content: string }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content }),
    },
    routing: { route: async () => create(RouteDecisionSchema, { route: 'default', chain: [{ provider: 'local', model: 'm', version: 'm-1' }] }) },
    prompts: {},
    retrieval: {},
    inference: {
      generate: async () => {
        await gate;
        return create(GenerateResponseSchema, { content: 'answer', finishReason: 'stop', model: { provider: 'local', model: 'm', version: 'm-1' }, usage: { inputTokens: 3, outputTokens: 1 } });
      },
    },
    cost: { price: async () => create(PriceResponseSchema, { totalCostUsd: 0.5, priced: true }) },
  } as unknown as MeshClients;
}

function command(authorization = `Bearer ${KEY}`): CompletionCommand {
  return {
    endpoint: 'grpc.Complete',
    authorization,
    request: create(CompleteRequestSchema, { messages: [{ role: 'user', content: 'hi' }] }),
    stream: false,
    deadlineMs: Date.now() + 10_000,
  };
}

describe('CompletionUseCase', () => {
  const authenticator = new ApiKeyAuthenticator([{ id: 'k', sha256: hashApiKey(KEY), tenant: 't', project: 'p' }]);

  it('walks the request path and publishes usage and a trace with every stage', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const useCase = new CompletionUseCase(authenticator, fakeMesh(), { publish: (topic, message) => published.push({ topic, message }) });
    const response = await useCase.complete(command());
    expect(response).toMatchObject({ content: 'answer', costUsd: 0.5 });
    const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
    expect(trace.stages.map((stage) => stage.stage)).toEqual(
      expect.arrayContaining(['auth', 'guardrails.input', 'routing', 'prompts', 'retrieval', 'inference', 'guardrails.output', 'cost']),
    );
    expect(trace).toMatchObject({ status: 'ok', traceId: response.traceId, context: { tenantId: 't', projectId: 'p', apiKeyId: 'k' } });
    expect(published.map((event) => event.topic)).toContain('llmops.usage.v1');
  });

  it('traces a refused API key without its value', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const useCase = new CompletionUseCase(authenticator, fakeMesh(), { publish: (topic, message) => published.push({ topic, message }) });
    await expect(useCase.complete(command('Bearer sk-wrong-secret'))).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    const trace = published[0]!.message as TraceEvent;
    expect(trace).toMatchObject({ status: 'error', errorCode: 'unauthenticated' });
    expect(JSON.stringify(trace, (_key, value) => (typeof value === 'bigint' ? String(value) : value))).not.toContain('sk-wrong-secret');
  });

  it('sheds load past its in-flight limit instead of queueing, and recovers', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const useCase = new CompletionUseCase(authenticator, fakeMesh(gate), { publish: () => undefined }, 1);
    const first = useCase.complete(command());
    await expect(useCase.complete(command())).rejects.toMatchObject({ code: ErrorCode.Unavailable, details: { retry_after_ms: '1000' } });
    open();
    await expect(first).resolves.toMatchObject({ content: 'answer' });
    await expect(useCase.complete(command())).resolves.toMatchObject({ content: 'answer' });
  });
});
