import { ApiKeyResolver, hashApiKey } from './api-key.resolver';

describe('hashApiKey', () => {
  it('is the lower-case hex sha256 of the key', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('ApiKeyResolver', () => {
  const resolver = new ApiKeyResolver([
    { id: 'k-acme', sha256: hashApiKey('sk-acme-1'), tenant: 'acme', project: 'web', user: 'ada' },
    { id: 'k-globex', sha256: hashApiKey('sk-globex-1').toUpperCase(), tenant: 'globex', project: 'batch' },
  ]);

  it('resolves a known key to its owner and the key id', () => {
    expect(resolver.resolve('sk-acme-1')).toEqual({ keyId: 'k-acme', tenant: 'acme', project: 'web', user: 'ada' });
    expect(resolver.resolve('sk-globex-1')).toEqual({ keyId: 'k-globex', tenant: 'globex', project: 'batch' });
    expect(resolver.size).toBe(2);
  });

  it('returns undefined for unknown, empty or missing keys', () => {
    expect(resolver.resolve('sk-acme-2')).toBeUndefined();
    expect(resolver.resolve(hashApiKey('sk-acme-1'))).toBeUndefined();
    expect(resolver.resolve('')).toBeUndefined();
    expect(resolver.resolve(undefined)).toBeUndefined();
  });

  it('hands out copies, so a caller cannot change the stored identity', () => {
    const first = resolver.resolve('sk-acme-1')!;
    first.tenant = 'mallory';
    expect(resolver.resolve('sk-acme-1')!.tenant).toBe('acme');
  });
});
