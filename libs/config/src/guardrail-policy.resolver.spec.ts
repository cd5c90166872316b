import { guardrailPolicyFor, resolveGuardrailPolicies } from './guardrail-policy.resolver';
import type { GuardrailsConfig } from './platform-config.schema';

describe('guardrail policies', () => {
  const config: GuardrailsConfig = {
    maxInputChars: 1000,
    redact: ['email'],
    policies: [
      { name: 'acme-support', tenants: ['acme'], routes: ['support'], reversibleRedaction: true, thresholds: { injection: 0.7 } },
      { name: 'acme', tenants: ['acme'], failMode: 'open', denyTopics: [{ name: 'competitors', terms: ['OtherCorp'] }] },
      { name: 'default', input: ['validation', 'pii'], actions: { email: 'block' }, thresholds: { pii: 0.6 } },
    ],
  };
  const policies = resolveGuardrailPolicies(config);

  it('puts default last and lets every policy inherit what it leaves out from it', () => {
    expect(policies.map((policy) => policy.name)).toEqual(['acme-support', 'acme', 'default']);
    const support = policies[0]!;
    expect([...support.input]).toEqual(['validation', 'pii']);
    expect(support.thresholds).toEqual({ pii: 0.6, injection: 0.7, harmful: 0.5, groundedness: 0.5 });
    expect(support.actions).toEqual({ email: 'block' });
    expect(support.reversibleRedaction).toBe(true);
    expect(support.failMode).toBe('closed');
    expect(support.pii).toEqual(['email']);
    expect(support.maxInputChars).toBe(1000);
  });

  it('picks the first policy whose tenants and routes match', () => {
    expect(guardrailPolicyFor(policies, config, 'acme', 'support').name).toBe('acme-support');
    expect(guardrailPolicyFor(policies, config, 'acme', 'other').name).toBe('acme');
    expect(guardrailPolicyFor(policies, config, 'acme', 'other').failMode).toBe('open');
    expect(guardrailPolicyFor(policies, config, 'globex', 'support').name).toBe('default');
  });

  it('gives the built-in defaults when no policy is written', () => {
    const bare: GuardrailsConfig = { maxInputChars: 10, redact: ['email', 'phone'], policies: [] };
    const [only] = resolveGuardrailPolicies(bare);
    expect(only!.name).toBe('default');
    expect(only!.failMode).toBe('closed');
    expect(only!.input.has('injection')).toBe(true);
    expect(only!.output.has('groundedness')).toBe(true);
    expect(only!.harmfulCategories.size).toBe(14);
    expect(only!.pii).toEqual(['email', 'phone']);
  });

  it('turns the slow tier on where a policy asks for it, with a default timeout, and off where it says so', () => {
    const withTier: GuardrailsConfig = {
      maxInputChars: 10,
      redact: [],
      policies: [
        { name: 'quiet', tenants: ['quiet'], slowTier: { enabled: false } },
        { name: 'default', slowTier: { enabled: true, baseUrl: 'http://127.0.0.1:9/v1', model: 'llama-guard-3' } },
      ],
    };
    const [quiet, fallback] = resolveGuardrailPolicies(withTier);
    expect(fallback!.slowTier).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'llama-guard-3', timeoutMs: 5000 });
    expect(quiet!.slowTier).toBeUndefined();
  });
});
