import { create } from '@bufbuild/protobuf';
import {
  CompleteRequestSchema,
  GenerateResponseSchema,
  GenerationParamsSchema,
  GuardrailAction,
  GuardrailVerdictSchema,
  PriceResponseSchema,
  RouteDecisionSchema,
  type TraceEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';
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

  describe('guardrails', () => {
    const unreachable = async () => {
      throw new PlatformError(ErrorCode.Unavailable, 'no connection to 127.0.0.1:50052');
    };

    it('fails closed by default when the guardrails service cannot be reached', async () => {
      const mesh = fakeMesh();
      Object.assign(mesh.guardrails, { checkInput: unreachable });
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: () => undefined });
      await expect(useCase.complete(command())).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    });

    it('lets the request through unchecked, and says so on the trace, where the policy fails open', async () => {
      const published: Array<{ topic: string; message: unknown }> = [];
      const mesh = fakeMesh();
      Object.assign(mesh.guardrails, { checkInput: unreachable, checkOutput: unreachable });
      const asked: Array<[string, string]> = [];
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: (topic, message) => published.push({ topic, message }) }, Infinity, (tenant, route) => {
        asked.push([tenant, route]);
        return 'open';
      });
      const request = command();
      request.request.model = 'docs-qa';
      await expect(useCase.complete(request)).resolves.toMatchObject({ content: 'answer' });
      expect(asked).toEqual([
        ['t', 'docs-qa'],
        ['t', 'docs-qa'],
      ]);
      const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
      expect(trace).toMatchObject({ status: 'ok', inputVerdict: 'unchecked', outputVerdict: 'unchecked' });
      expect(trace.stages.filter((stage) => stage.stage.startsWith('guardrails.')).map((stage) => stage.status)).toEqual(['unchecked', 'unchecked']);
    });

    it('does not fail open on a guardrail error other than unreachability', async () => {
      const mesh = fakeMesh();
      Object.assign(mesh.guardrails, {
        checkInput: async () => {
          throw new PlatformError(ErrorCode.Internal, 'boom');
        },
      });
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: () => undefined }, Infinity, () => ({ failMode: 'open', streamOutput: 'after' }));
      await expect(useCase.complete(command())).rejects.toMatchObject({ code: ErrorCode.Internal });
    });

    it('sends rewritten input on, and gives the output check the vault id, the passages and the response format', async () => {
      const mesh = fakeMesh();
      const sent: unknown[] = [];
      const outputRequests: Array<Record<string, unknown>> = [];
      Object.assign(mesh.guardrails, {
        checkInput: async () => create(GuardrailVerdictSchema, { action: GuardrailAction.REWRITE, messages: [{ role: 'user', content: 'hi there' }], redactionVaultId: 'vault-1' }),
        checkOutput: async (request: Record<string, unknown>) => {
          outputRequests.push(request);
          return create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: 'answer for ada@example.com' });
        },
      });
      Object.assign(mesh.inference, {
        generate: async (request: { messages: unknown[] }) => {
          sent.push(...request.messages);
          return create(GenerateResponseSchema, { content: 'answer for [EMAIL_1]', finishReason: 'stop', model: { provider: 'local', model: 'm', version: 'm-1' }, usage: { inputTokens: 3, outputTokens: 1 } });
        },
      });
      Object.assign(mesh.routing, { route: async () => create(RouteDecisionSchema, { route: 'docs', chain: [{ provider: 'local', model: 'm', version: 'm-1' }], retrieval: true, collection: 'docs' }) });
      Object.assign(mesh.retrieval, { search: async () => ({ passages: [{ chunkId: 'c1', source: 'a.md', section: 'A', text: 'Ada wrote it.', score: 1 }] }) });
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: () => undefined });
      const request = command();
      request.request.params = create(GenerationParamsSchema, { responseFormat: 'json_object' });
      const response = await useCase.complete(request);
      expect(sent).toMatchObject([{ role: 'user', content: 'hi there' }]);
      expect(outputRequests[0]).toMatchObject({ content: 'answer for [EMAIL_1]', redactionVaultId: 'vault-1', passages: [{ chunkId: 'c1', text: 'Ada wrote it.' }], responseFormat: { type: 'json_object' } });
      expect(response.content).toBe('answer for ada@example.com');
    });
  });

  describe('retrieval', () => {
    const withRetrieval = (search: () => Promise<unknown>) => {
      const mesh = fakeMesh();
      const generated: unknown[] = [];
      Object.assign(mesh.routing, { route: async () => create(RouteDecisionSchema, { route: 'docs', chain: [{ provider: 'local', model: 'm', version: 'm-1' }], retrieval: true, collection: 'docs' }) });
      Object.assign(mesh.retrieval, { search });
      const generate = mesh.inference.generate.bind(mesh.inference);
      Object.assign(mesh.inference, {
        generate: async (request: unknown, options: unknown) => {
          generated.push(request);
          return generate(request as never, options as never);
        },
      });
      return { mesh, generated };
    };

    it('answers "I don\'t know" without asking a model when nothing relevant was found', async () => {
      const published: Array<{ topic: string; message: unknown }> = [];
      const { mesh, generated } = withRetrieval(async () => ({ passages: [], nothingRelevant: true }));
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: (topic, message) => published.push({ topic, message }) });
      const response = await useCase.complete(command());
      expect(response.content).toBe('I don\'t know: the documents in "docs" do not cover this question.');
      expect(response.costUsd).toBe(0);
      expect(generated).toHaveLength(0);
      const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
      expect(trace.stages.find((stage) => stage.stage === 'inference')).toMatchObject({ status: 'skipped', detail: 'nothing relevant' });
      expect(published.map((event) => event.topic)).not.toContain('llmops.usage.v1');
    });

    it('answers without passages, and traces it, when retrieval is unreachable', async () => {
      const published: Array<{ topic: string; message: unknown }> = [];
      const { mesh, generated } = withRetrieval(async () => {
        throw new PlatformError(ErrorCode.Unavailable, 'no connection to 127.0.0.1:50055');
      });
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: (topic, message) => published.push({ topic, message }) });
      await expect(useCase.complete(command())).resolves.toMatchObject({ content: 'answer', citations: [] });
      expect(generated).toHaveLength(1);
      const trace = published.find((event) => event.topic === 'llmops.traces.v1')!.message as TraceEvent;
      expect(trace.stages.find((stage) => stage.stage === 'retrieval')).toMatchObject({ status: 'unavailable' });
    });

    it('passes the caller as the principal, and cites page and title', async () => {
      const searches: Array<Record<string, unknown>> = [];
      const { mesh } = withRetrieval(async (...args: unknown[]) => {
        searches.push(args[0] as Record<string, unknown>);
        return { passages: [{ chunkId: 'c1', source: 'manual.pdf', section: 'Setup', text: 'Plug it in.', score: 0.9, page: 4, title: 'Manual' }], nothingRelevant: false };
      });
      const useCase = new CompletionUseCase(authenticator, mesh, { publish: () => undefined });
      const request = command();
      request.request.user = 'ada';
      const response = await useCase.complete(request);
      expect(searches[0]).toMatchObject({ principals: ['ada'], collection: 'docs' });
      expect(response.citations[0]).toMatchObject({ index: 1, source: 'manual.pdf', page: 4, title: 'Manual' });
    });
  });
});
