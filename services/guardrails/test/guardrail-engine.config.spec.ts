import * as path from 'node:path';
import { loadPlatformConfig } from '@llmops/config';
import { GuardrailEngine } from '../src/checks/guardrail.engine';

// The engine as the service builds it: from the repository's real llmops.yaml.
describe('GuardrailEngine from llmops.yaml', () => {
  const config = loadPlatformConfig({ env: {}, cwd: path.resolve(__dirname, '..') });
  const engine = GuardrailEngine.fromConfig(config.guardrails);

  it('applies the configured size limit', () => {
    const limit = config.guardrails.maxInputChars;
    expect(engine.checkInput([{ role: 'user', content: 'a'.repeat(limit) }]).action).toBe('PASS');
    const verdict = engine.checkInput([{ role: 'user', content: 'a'.repeat(limit + 1) }]);
    expect(verdict.action).toBe('BLOCK');
    expect(verdict.reason).toContain(`the limit is ${limit.toLocaleString('en-US')}`);
  });

  it('redacts the configured kinds of personal data', () => {
    const verdict = engine.checkInput([{ role: 'user', content: 'mail ann@example.com, pay with 4242 4242 4242 4242' }]);
    expect(verdict.action).toBe('REDACT');
    expect(verdict.messages[0]!.content).toBe('mail [EMAIL_1], pay with [CARD_1]');
  });
});
