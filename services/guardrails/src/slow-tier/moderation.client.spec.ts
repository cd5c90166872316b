import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, PlatformError } from '@llmops/grpc';
import { ModerationClient } from './moderation.client';

/** A local server answering POST /v1/moderations with a fixed status and body, as OpenAI does. */
async function serve(status: number, body: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

describe('ModerationClient', () => {
  const servers: Server[] = [];
  afterAll(async () => Promise.all(servers.map((server) => new Promise((done) => server.close(done)))));

  it('maps flagged OpenAI categories to Llama Guard codes, keeping the highest score per code', async () => {
    const { server, url } = await serve(200, {
      id: 'modr-1',
      model: 'omni-moderation-latest',
      results: [
        {
          flagged: true,
          categories: { violence: true, 'violence/graphic': true, 'sexual/minors': false, 'illicit/violent': true, hate: false },
          category_scores: { violence: 0.7, 'violence/graphic': 0.9, 'sexual/minors': 0.01, 'illicit/violent': 0.6, hate: 0.02 },
        },
      ],
    });
    servers.push(server);
    const findings = await new ModerationClient({ baseUrl: url, model: 'omni-moderation-latest', timeoutMs: 2000 }).moderate('text');
    expect(findings).toEqual([
      { category: 'S1', modelCategory: 'violence/graphic', score: 0.9 },
      { category: 'S9', modelCategory: 'illicit/violent', score: 0.6 },
    ]);
  });

  it('returns nothing when the model did not flag the text', async () => {
    const { server, url } = await serve(200, { results: [{ flagged: false, categories: { violence: false }, category_scores: { violence: 0.01 } }] });
    servers.push(server);
    expect(await new ModerationClient({ baseUrl: url, model: 'm', timeoutMs: 2000 }).moderate('hello')).toEqual([]);
  });

  it('turns an error answer and an unreachable endpoint into platform errors', async () => {
    const { server, url } = await serve(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
    servers.push(server);
    await expect(new ModerationClient({ baseUrl: url, model: 'm', timeoutMs: 2000 }).moderate('x')).rejects.toMatchObject({
      code: ErrorCode.UpstreamError,
      message: 'moderation endpoint answered 429: Rate limit reached',
    });
    const unreachable = new ModerationClient({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs: 2000 }).moderate('x');
    await expect(unreachable).rejects.toBeInstanceOf(PlatformError);
    await expect(unreachable).rejects.toMatchObject({ code: ErrorCode.Unavailable });
  });
});
