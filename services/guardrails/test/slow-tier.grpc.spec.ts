import 'reflect-metadata';
import { create } from '@bufbuild/protobuf';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GuardrailAction, GuardrailEventSchema, Guardrails, RequestContextSchema, type GuardrailEvent } from '@llmops/contracts';
import { createGrpcClient, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { EventPublisher } from '@llmops/kafka';
import { collectTopic, type TopicCollector } from '@llmops/testing';
import { parse, stringify } from 'yaml';
import { GuardrailsModule } from '../src/guardrails.module';

const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

interface ModerationCall {
  authorization: string | undefined;
  body: { model: string; input: string };
}

/**
 * A local server speaking OpenAI's POST /v1/moderations wire format. It holds every answer until
 * the test releases it, so "CheckInput does not wait for the model" is shown by order, not by time.
 */
async function startModerationServer(): Promise<{ server: Server; url: string; calls: ModerationCall[]; release: () => void }> {
  const calls: ModerationCall[] = [];
  const held: (() => void)[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ModerationCall['body'];
      calls.push({ authorization: request.headers.authorization, body });
      held.push(() => {
        if (request.url !== '/v1/moderations') {
          response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
          return;
        }
        const selfHarm = /nothing matters|want it to stop/i.test(body.input);
        const categories = { sexual: false, hate: false, harassment: false, 'self-harm': selfHarm, 'self-harm/intent': selfHarm, violence: false, illicit: false };
        const scores = { sexual: 0.001, hate: 0.001, harassment: 0.002, 'self-harm': selfHarm ? 0.81 : 0.001, 'self-harm/intent': selfHarm ? 0.93 : 0.001, violence: 0.003, illicit: 0.001 };
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: `modr-${calls.length}`, model: body.model, results: [{ flagged: selfHarm, categories, category_scores: scores }] }));
      });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const release = () => held.splice(0).forEach((answer) => answer());
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, calls, release };
}

// The slow tier as it runs: a moderation model over HTTP beside the request, never in front of it.
describe('guardrails slow tier over gRPC', () => {
  let work: string;
  let moderation: Awaited<ReturnType<typeof startModerationServer>>;
  let events: EventPublisher;
  let handle: GrpcServiceHandle;
  let client: GrpcClient<typeof Guardrails>;
  let collector: TopicCollector<GuardrailEvent>;
  let received: GuardrailEvent[] = [];
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const context = (requestId: string) =>
    create(RequestContextSchema, { tenantId: 'acme', projectId: 'p1', userId: 'ann', apiKeyId: 'k1', requestId: `${runId}-${requestId}`, traceId: `${runId}-${requestId}` });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'guardrails-slow-'));
    moderation = await startModerationServer();
    const document = parse(await readFile(resolve(__dirname, '../../../llmops.yaml'), 'utf8'));
    document.guardrails = {
      max_input_chars: 10_000,
      redact: ['email'],
      policies: [{ name: 'default', slow_tier: { enabled: true, base_url: moderation.url, model: 'omni-moderation-latest', api_key_env: 'TEST_MODERATION_KEY', timeout_ms: 5000 } }],
    };
    const configFile = join(work, 'llmops.yaml');
    await writeFile(configFile, stringify(document));
    events = new EventPublisher({ brokers, clientId: 'llmops-guardrails-slow-test', outboxDir: join(work, 'outbox') });
    await events.start();
    handle = await startGrpcService(GuardrailsModule.forRoot({ events }, { LLMOPS_CONFIG: configFile, TEST_MODERATION_KEY: 'mod-key' }), { address: '127.0.0.1:0', services: [Guardrails] });
    client = createGrpcClient(Guardrails, `127.0.0.1:${handle.port}`);
    collector = await collectTopic({ brokers, topic: 'llmops.guardrails.v1', schema: GuardrailEventSchema, groupId: `guardrails-slow-${runId}` }, (event) =>
      event.traceId.startsWith(runId),
    );
    received = collector.events;
  });

  afterAll(async () => {
    await collector?.stop();
    client?.close();
    await handle?.app.close();
    await events?.close();
    await new Promise((done) => moderation?.server.close(done));
    await rm(work, { recursive: true, force: true });
  });

  const until = async (what: string, probe: () => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  };

  it('answers CheckInput without waiting for the model, then blocks the answer once the model flagged the input', async () => {
    // The model has not answered (the server holds it) when the fast verdict arrives.
    const input = await client.checkInput({ context: context('sad'), messages: [{ role: 'user', content: 'Honestly nothing matters anymore and I want it to stop.' }] });
    expect(input.action).toBe(GuardrailAction.PASS);
    await until('the moderation call', () => moderation.calls.length >= 1);
    moderation.release();
    expect(moderation.calls[0]).toEqual({ authorization: 'Bearer mod-key', body: { model: 'omni-moderation-latest', input: 'Honestly nothing matters anymore and I want it to stop.' } });
    await until('the slow verdict event', () => received.some((event) => event.traceId === `${runId}-sad` && event.direction === 'input_slow'));
    const slow = received.find((event) => event.traceId === `${runId}-sad` && event.direction === 'input_slow')!;
    expect(slow.findings.map((finding) => [finding.type, finding.detector, finding.label, finding.score])).toEqual([['harmful_content', 'moderation-model', 'S11', 0.93]]);

    const output = await client.checkOutput({ context: context('sad'), content: 'Here is a plan for your week.' });
    expect(output.action).toBe(GuardrailAction.BLOCK);
    expect(output.reason).toBe('The content was refused as suicide and self-harm (S11).');
  }, 30_000);

  it('lets the answer through when the model has not answered yet, and when it found nothing', async () => {
    await client.checkInput({ context: context('early'), messages: [{ role: 'user', content: 'Nothing matters anymore.' }] });
    await until('the moderation call', () => moderation.calls.some((call) => call.body.input === 'Nothing matters anymore.'));
    const early = await client.checkOutput({ context: context('early'), content: 'Here is a plan for your week.' });
    expect(early.action).toBe(GuardrailAction.PASS);
    moderation.release();

    await client.checkInput({ context: context('fine'), messages: [{ role: 'user', content: 'Plan my week, please.' }] });
    await until('the moderation call', () => moderation.calls.some((call) => call.body.input === 'Plan my week, please.'));
    moderation.release();
    await until('the clean verdict event', () => received.some((event) => event.traceId === `${runId}-fine` && event.direction === 'input_slow'));
    expect((await client.checkOutput({ context: context('fine'), content: 'Monday: gym.' })).action).toBe(GuardrailAction.PASS);
  }, 30_000);
});
