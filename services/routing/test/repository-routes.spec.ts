import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';
import { engineFor, request } from './routing-fixtures';

// Routes and rules of the repository's real llmops.yaml, as the routing service resolves them.
describe('routes of llmops.yaml', () => {
  const config = loadPlatformConfig({ env: {}, cwd: path.resolve(__dirname, '..') });
  const { engine } = engineFor(config, { random: () => 0 });

  it('resolves every configured route to models with a provider and a pinned version', async () => {
    for (const route of config.routes) {
      const decision = await engine.route(request('hi', { model: route.name }));
      expect(decision.chain.map((ref) => ref.model).sort()).toEqual([...route.chain].sort());
      for (const ref of decision.chain) {
        const model = config.models.find((candidate) => candidate.id === ref.model)!;
        expect(ref).toEqual({ provider: model.provider, model: model.id, version: model.version });
      }
    }
  });

  it('keeps the default route, no cache and no budget for a request naming "default"', async () => {
    const decision = await engine.route(request('What does the outbox do when Kafka is down?', { model: 'default' }));
    expect(decision).toMatchObject({ route: 'default', chain: [{ model: 'extractive-answerer' }], retrieval: { collection: 'docs' }, cache: { status: 'off' }, budget: { action: 'none' }, settle: false });
    expect((await engine.route(request('hi', { model: 'smart' }))).chain.map((ref) => `${ref.provider}/${ref.version}`)).toEqual([
      'openai/gpt-4o-2024-08-06',
      'openai/gpt-4o-mini-2024-07-18',
      'local/extractive-answerer-1',
    ]);
  });

  it('applies the seed policy to requests naming no model, each route ending with the local model', async () => {
    const cases: Array<[string, string]> = [
      ['What is the capital of France?', 'cheap'],
      ['Fix this:\n```python\ndef f(x): return x +\n```', 'coding'],
      ['Should I move my retirement savings into crypto?', 'aligned'],
      [`Explain how the gateway sheds load under pressure. ${'Give details and trade-offs. '.repeat(30)}`, 'generalist'],
    ];
    for (const [content, route] of cases) {
      const decision = await engine.route(request(content));
      expect(decision.route).toBe(route);
      expect(decision.chain.map((ref) => ref.model)).toContain('extractive-answerer');
    }
  });
});
