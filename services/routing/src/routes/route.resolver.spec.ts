import { parsePlatformConfig } from '@llmops/config';
import { RouteResolver } from './route.resolver';
import { RoutingException, RoutingExceptionCode } from './routing.exception';

const config = parsePlatformConfig(
  {
    providers: { local: { kind: 'local' }, openai: { kind: 'openai-compatible', base_url: 'https://api.openai.com/v1' } },
    models: [
      { id: 'tiny', provider: 'local', version: 'tiny-1', context_window: 4096, price: { input_per_mtok: 0, output_per_mtok: 0 } },
      { id: 'big', provider: 'openai', version: 'big-2024-01-01', context_window: 128000, price: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
    routes: [
      { name: 'default', chain: ['tiny'], retrieval: { collection: 'docs' } },
      { name: 'smart', chain: ['big', 'tiny'], prompt: 'docs-qa' },
    ],
    guardrails: { max_input_chars: 100, redact: [] },
    prompts: { dir: 'prompts' },
    retrieval: { data_dir: 'data' },
    analytics: { retention_days: 1 },
  },
  { baseDir: '/srv' },
);

describe('RouteResolver', () => {
  const resolver = new RouteResolver(config);

  it('sends a request naming no model to the default route', () => {
    const expected = {
      route: 'default',
      chain: [{ provider: 'local', model: 'tiny', version: 'tiny-1' }],
      reason: 'the request named no model, so the default route serves it; uses tiny',
      retrieval: { collection: 'docs' },
    };
    expect(resolver.resolve('')).toEqual(expected);
    expect(resolver.resolve(undefined)).toEqual(expected);
    expect(resolver.resolve('  ')).toEqual(expected);
  });

  it('gives a named route its whole chain, prompt and retrieval', () => {
    expect(resolver.resolve('smart')).toEqual({
      route: 'smart',
      chain: [
        { provider: 'openai', model: 'big', version: 'big-2024-01-01' },
        { provider: 'local', model: 'tiny', version: 'tiny-1' },
      ],
      reason: 'the request named route "smart"; tries big → tiny in order',
      prompt: 'docs-qa',
    });
  });

  it('gives a named model a chain of that model alone', () => {
    expect(resolver.resolve('big')).toEqual({
      route: 'model:big',
      chain: [{ provider: 'openai', model: 'big', version: 'big-2024-01-01' }],
      reason: 'the request named model "big" directly, so it is tried alone, without fallback',
    });
  });

  it('rejects an unknown name, listing what is available', () => {
    let error: RoutingException | undefined;
    try {
      resolver.resolve('gpt-5');
    } catch (caught) {
      error = caught as RoutingException;
    }
    expect(error).toBeInstanceOf(RoutingException);
    expect(error!.code).toBe(RoutingExceptionCode.UNKNOWN_MODEL);
    expect(error!.message).toBe('Unknown model "gpt-5". Use a route (default, smart) or a model (tiny, big).');
    expect(error!.details).toEqual({ requested: 'gpt-5', routes: ['default', 'smart'], models: ['tiny', 'big'] });
  });

  it('matches names exactly', () => {
    expect(() => resolver.resolve('Smart')).toThrow(RoutingException);
  });

  it('returns decisions the caller may change without affecting later ones', () => {
    const first = resolver.resolve('smart');
    first.chain.pop();
    expect(resolver.resolve('smart').chain).toHaveLength(2);
  });

  it('refuses a configuration without a default route', () => {
    expect(() => new RouteResolver({ models: config.models, routes: [{ name: 'smart', chain: ['big'] }] })).toThrow(
      'routing needs a route named "default"',
    );
  });
});
