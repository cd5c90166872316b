import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';
import { RouteResolver } from '../src/routes/route.resolver';

// Routes of the repository's real llmops.yaml, as the routing service resolves them.
describe('routes of llmops.yaml', () => {
  const config = loadPlatformConfig({ env: {}, cwd: path.resolve(__dirname, '..') });
  const resolver = new RouteResolver(config);

  it('resolves every configured route to models with a provider and a pinned version', () => {
    for (const route of config.routes) {
      const decision = resolver.resolve(route.name);
      expect(decision.chain.map((ref) => ref.model)).toEqual(route.chain);
      for (const ref of decision.chain) {
        const model = config.models.find((candidate) => candidate.id === ref.model)!;
        expect(ref).toEqual({ provider: model.provider, model: model.id, version: model.version });
      }
    }
  });

  it('falls back from gpt-4o through gpt-4o-mini to the local model on the smart route', () => {
    expect(resolver.resolve('smart').chain.map((ref) => `${ref.provider}/${ref.version}`)).toEqual([
      'openai/gpt-4o-2024-08-06',
      'openai/gpt-4o-mini-2024-07-18',
      'local/extractive-answerer-1',
    ]);
    expect(resolver.resolve('').route).toBe('default');
  });
});
