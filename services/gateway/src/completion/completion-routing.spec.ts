import { create } from '@bufbuild/protobuf';
import {
  CacheStoreResponseSchema,
  CompleteRequestSchema,
  GenerateResponseSchema,
  GuardrailAction,
  GuardrailVerdictSchema,
  PriceResponseSchema,
  RouteDecisionSchema,
  SettleResponseSchema,
  type CacheStoreRequest,
  type CompleteChunk,
  type GenerateRequest,
  type RouteDecision,
  type RouteRequest,
  type SettleRequest,
  type TraceEvent,
} from '@llmops/contracts';
import { hashApiKey } from '@llmops/config';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ApiKeyAuthenticator } from '../auth/api-key.authenticator';
import type { MeshClients } from '../mesh/mesh-clients';
import { toHttpError } from '../openai/openai-error.mapping';
import { CompletionUseCase, type CompletionCommand } from './completion.use-case';

const KEY = 'sk-routing-test';
const model = { provider: 'local', model: 'm', version: 'm-1' };

interface Calls {
  route: RouteRequest[];
  generate: GenerateRequest[];
  settle: SettleRequest[];
  store: CacheStoreRequest[];
}

/** The gateway's ports, with routing answering `decision` (or failing with `routeError`). */
function mesh(decision: Partial<RouteDecision>, routeError?: PlatformError): { mesh: MeshClients; calls: Calls } {
  const calls: Calls = { route: [], generate: [], settle: [], store: [] };
  const clients = {
    guardrails: {
      checkInput: async (request: { messages: unknown[] }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, messages: request.messages as never }),
      checkOutput: async (request: { content: string }) => create(GuardrailVerdictSchema, { action: GuardrailAction.PASS, content: request.content }),
    },
    routing: {
      route: async (request: RouteRequest) => {
        calls.route.push(request);
        if (routeError) throw routeError;
        return create(RouteDecisionSchema, { route: 'default', chain: [model], ...decision } as never);
      },
      settle: async (request: SettleRequest) => {
        calls.settle.push(request);
        return create(SettleResponseSchema);
      },
      store: async (request: CacheStoreRequest) => {
        calls.store.push(request);
        return create(CacheStoreResponseSchema, { stored: true });
      },
    },
    prompts: {},
    retrieval: {},
    inference: {
      generate: async (request: GenerateRequest) => {
        calls.generate.push(request);
        const answering = request.chain[0]!;
        return create(GenerateResponseSchema, { content: `answer from ${answering.model}`, finishReason: 'stop', model: answering, usage: { inputTokens: 3, outputTokens: 4 } });
      },
    },
    cost: { price: async () => create(PriceResponseSchema, { totalCostUsd: 0.25, priced: true }) },
  };
  return { mesh: clients as unknown as MeshClients, calls };
}

function command(overrides: Partial<Parameters<typeof create<typeof CompleteRequestSchema>>[1]> = {}, stream = false): CompletionCommand {
  return {
    endpoint: stream ? 'grpc.CompleteStream' : 'grpc.Complete',
    authorization: `Bearer ${KEY}`,
    request: create(CompleteRequestSchema, { messages: [{ role: 'user', content: 'What is the capital of France?' }], params: { temperature: 0 }, ...overrides }),
    stream,
    deadlineMs: Date.now() + 10_000,
  };
}

const settleTick = () => new Promise((resolve) => setImmediate(resolve));

describe('CompletionUseCase with routing decisions', () => {
  const authenticator = new ApiKeyAuthenticator([{ id: 'k', sha256: hashApiKey(KEY), tenant: 't', project: 'p' }]);
  const traces = (published: Array<{ topic: string; message: unknown }>) => published.filter((event) => event.topic === 'llmops.traces.v1').map((event) => event.message as TraceEvent);

  it('answers a cache hit at once, without prompts, retrieval, inference or pricing, and still traces it', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const { mesh: clients, calls } = mesh({
      reason: 'the request named route "smart"; cache hit: same normalised messages and parameters',
      prompt: 'docs-qa',
      retrieval: true,
      collection: 'docs',
      cache: { status: 'hit', kind: 'exact', content: 'Paris.', model, usage: { inputTokens: 9, outputTokens: 2 }, finishReason: 'stop' } as never,
      budget: { action: 'allow', reservationId: 'r1.res' } as never,
      settle: true,
    });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: (topic, message) => published.push({ topic, message }) });
    const response = await useCase.complete(command());
    expect(response).toMatchObject({ content: 'Paris.', costUsd: 0, model, usage: { inputTokens: 9, outputTokens: 2 } });
    expect(calls.generate).toHaveLength(0);
    expect(calls.store).toHaveLength(0);
    const [trace] = traces(published);
    expect(trace).toMatchObject({ status: 'ok', cacheStatus: 'hit', routeReason: expect.stringContaining('cache hit'), budgetAction: 'allow' });
    expect(Object.fromEntries(trace!.stages.map((stage) => [stage.stage, `${stage.status}:${stage.detail}`]))).toMatchObject({
      prompts: 'skipped:cache hit',
      retrieval: 'skipped:cache hit',
      inference: 'skipped:cache hit',
      'guardrails.output': 'skipped:cache hit',
      cost: 'skipped:cache hit',
    });
    expect(published.map((event) => event.topic)).not.toContain('llmops.usage.v1');
    await settleTick();
    expect(calls.settle).toEqual([expect.objectContaining({ reservationId: 'r1.res', ok: true })]);
  });

  it('reuses a hit for the same caller and bytes while routing allows it, without a hop, and asks again afterwards', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const { mesh: clients, calls } = mesh({ reason: 'cache hit: same normalised messages and parameters', cache: { status: 'hit', kind: 'exact', content: 'Paris.', model, reuseMs: 200 } as never });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: (topic, message) => published.push({ topic, message }) });
    const first = await useCase.complete(command());
    const second = await useCase.complete(command());
    expect([first.content, second.content]).toEqual(['Paris.', 'Paris.']);
    expect(calls.route).toHaveLength(1);
    const reused = traces(published)[1]!;
    expect(reused).toMatchObject({ status: 'ok', cacheStatus: 'hit', inputVerdict: 'pass', routeReason: expect.stringMatching(/^hit reused by the gateway \(within 200 ms of routing's\); cache hit/) });
    expect(Object.fromEntries(reused.stages.map((stage) => [stage.stage, `${stage.status}:${stage.detail}`]))).toMatchObject({
      'guardrails.input': 'skipped:the same input passed moments ago',
      routing: 'skipped:hit reused by the gateway',
    });
    // Another caller, other bytes, or the same request once the time is up: routing is asked.
    await useCase.complete(command({ user: 'someone-else' }));
    await useCase.complete(command({ messages: [{ role: 'user', content: 'What is the capital of Italy?' }] }));
    expect(calls.route).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await useCase.complete(command());
    expect(calls.route).toHaveLength(4);
  });

  it('never reuses a hit routing did not allow, nor one whose input the guardrails changed', async () => {
    const { mesh: clients, calls } = mesh({ cache: { status: 'hit', content: 'Paris.', model, reuseMs: 0 } as never });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: () => undefined });
    await useCase.complete(command());
    await useCase.complete(command());
    expect(calls.route).toHaveLength(2);

    const redacting = mesh({ cache: { status: 'hit', content: 'Paris.', model, reuseMs: 5000 } as never });
    redacting.mesh.guardrails.checkInput = (async (request: { messages: unknown[] }) =>
      create(GuardrailVerdictSchema, { action: GuardrailAction.REDACT, messages: request.messages as never, findings: [{ type: 'email' }] })) as never;
    const redacted = new CompletionUseCase(authenticator, redacting.mesh, { publish: () => undefined });
    await redacted.complete(command());
    await redacted.complete(command());
    expect(redacting.calls.route).toHaveLength(2);
  });

  it('streams a cache hit as one delta and a done message', async () => {
    const { mesh: clients, calls } = mesh({ cache: { status: 'hit', content: 'Paris.', model } as never });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: () => undefined });
    const chunks: CompleteChunk[] = [];
    for await (const chunk of useCase.completeStream(command({}, true))) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.event.case)).toEqual(['started', 'delta', 'done']);
    expect(chunks[1]!.event.value).toBe('Paris.');
    expect(calls.generate).toHaveLength(0);
  });

  it('asks routing with parameters, opt-out and needs; settles the priced cost and stores the answer after the call', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const { mesh: clients, calls } = mesh({
      route: 'smart',
      rule: 'simple',
      reason: 'rule "simple" matched',
      cache: { status: 'miss', storable: true, variant: 'b|7' } as never,
      budget: { action: 'allow', reservationId: 'r1.abc' } as never,
      experiment: { name: 'exp', arm: 'b', kind: 'ab', shadowChain: [], shadowArm: '' } as never,
      settle: true,
    });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: (topic, message) => published.push({ topic, message }) });
    await useCase.complete(command({ tags: { feature: 'faq' } }));
    expect(calls.route[0]).toMatchObject({ noCache: false, needs: [], params: { temperature: 0 }, context: { tenantId: 't', tags: { feature: 'faq' } } });
    await settleTick();
    expect(calls.settle).toHaveLength(1);
    expect(calls.settle[0]).toMatchObject({ reservationId: 'r1.abc', costUsd: 0.25, ok: true, model, usage: { inputTokens: 3, outputTokens: 4 } });
    expect(calls.store).toHaveLength(1);
    expect(calls.store[0]).toMatchObject({ route: 'smart', variant: 'b|7', content: 'answer from m', model, params: { temperature: 0 } });
    expect(traces(published)[0]).toMatchObject({ route: 'smart', routeRule: 'simple', routeReason: 'rule "simple" matched', experiment: 'exp', experimentArm: 'b', cacheStatus: 'miss' });

    await useCase.complete(command({ tags: { cache: 'off' }, params: { temperature: 0, tools: [{ name: 'lookup', parametersJson: '{}' }], responseFormat: 'json_object' } }));
    expect(calls.route[1]).toMatchObject({ noCache: true, needs: ['tools', 'json'] });
  });

  it('sends a shadow copy to the candidate chain, records it, and never returns it', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const candidate = { provider: 'local', model: 'candidate', version: 'c-1' };
    const { mesh: clients, calls } = mesh({ experiment: { name: 'exp', arm: 'stable', kind: 'canary', shadowChain: [candidate], shadowArm: 'shadow' } as never });
    const useCase = new CompletionUseCase(authenticator, clients, { publish: (topic, message) => published.push({ topic, message }) });
    const response = await useCase.complete(command());
    expect(response.content).toBe('answer from m');
    await settleTick();
    expect(calls.generate.map((request) => request.chain[0]!.model).sort()).toEqual(['candidate', 'm']);
    const [main, shadow] = [traces(published).find((trace) => !trace.shadow)!, traces(published).find((trace) => trace.shadow)!];
    expect(main).toMatchObject({ experiment: 'exp', experimentArm: 'stable' });
    expect(shadow).toMatchObject({ shadow: true, shadowOf: main.traceId, experimentArm: 'shadow', model: candidate, status: 'ok', endpoint: 'shadow.grpc.Complete' });
  });

  it('turns a budget rejection into a traced 429 with an OpenAI-style body, and settles nothing', async () => {
    const published: Array<{ topic: string; message: unknown }> = [];
    const rejection = new PlatformError(ErrorCode.RateLimited, 'Daily spend cap reached for tenant "t": $1.0000 of $1.00 used today (UTC).', { reason: 'budget_exceeded', retry_after_ms: '3600500' });
    const { mesh: clients, calls } = mesh({}, rejection);
    const useCase = new CompletionUseCase(authenticator, clients, { publish: (topic, message) => published.push({ topic, message }) });
    const error = await useCase.complete(command()).catch((caught: unknown) => caught);
    expect(toHttpError(error)).toMatchObject({
      status: 429,
      body: { error: { message: 'Daily spend cap reached for tenant "t": $1.0000 of $1.00 used today (UTC).', type: 'rate_limit_error', code: 'budget_exceeded' } },
      retryAfterSeconds: 3601,
    });
    expect(traces(published)[0]).toMatchObject({ status: 'error', errorCode: 'rate_limited' });
    expect(calls.generate).toHaveLength(0);
    await settleTick();
    expect(calls.settle).toHaveLength(0);
  });

  it('settles a failed call as not ok, releasing its reservation', async () => {
    const { mesh: clients, calls } = mesh({ budget: { action: 'allow', reservationId: 'r1.fail' } as never, settle: true });
    (clients.inference as unknown as { generate: () => Promise<never> }).generate = async () => {
      throw new PlatformError(ErrorCode.UpstreamError, 'every model failed');
    };
    const useCase = new CompletionUseCase(authenticator, clients, { publish: () => undefined });
    await expect(useCase.complete(command())).rejects.toMatchObject({ code: ErrorCode.UpstreamError });
    await settleTick();
    expect(calls.settle).toEqual([expect.objectContaining({ reservationId: 'r1.fail', ok: false })]);
    expect(calls.settle[0]!.costUsd).toBeUndefined();
  });
});
