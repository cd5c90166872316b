import { fastestRunMs } from '@llmops/testing';
import { GuardrailEngine } from './guardrail.engine';

describe('GuardrailEngine', () => {
  const engine = new GuardrailEngine({ maxInputChars: 200, redact: ['email', 'payment_card'] });

  it('passes clean input unchanged', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is a vector index?\nAnswer in\tone line.' },
    ];
    expect(engine.checkInput(messages)).toEqual({ action: 'PASS', findings: [], messages });
  });

  it('redacts personal data with numbered placeholders, reusing one for a repeated value', () => {
    const verdict = engine.checkInput([
      { role: 'user', content: 'I am ann@example.com, card 4111 1111 1111 1111.', name: 'ann' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: 'Also cc bob@example.org and ann@example.com' },
    ]);
    expect(verdict.action).toBe('REDACT');
    expect(verdict.messages).toEqual([
      { role: 'user', content: 'I am [EMAIL_1], card [CARD_1].', name: 'ann' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: 'Also cc [EMAIL_2] and [EMAIL_1]' },
    ]);
    expect(verdict.findings).toEqual([
      { type: 'email', detector: 'email-recognizer', messageIndex: 0, start: 5, end: 20, score: 0.95 },
      { type: 'payment_card', detector: 'payment-card-recognizer', messageIndex: 0, start: 27, end: 46, score: 0.95 },
      { type: 'email', detector: 'email-recognizer', messageIndex: 2, start: 8, end: 23, score: 0.95 },
      { type: 'email', detector: 'email-recognizer', messageIndex: 2, start: 28, end: 43, score: 0.95 },
    ]);
    const serialized = JSON.stringify(verdict.findings);
    expect(serialized).not.toContain('example');
    expect(serialized).not.toContain('4111');
  });

  it('does not redact a digit string that fails Luhn', () => {
    const verdict = engine.checkInput([{ role: 'user', content: 'Order 4111 1111 1111 1112 is late' }]);
    expect(verdict.action).toBe('PASS');
  });

  it('only redacts the kinds it is configured for', () => {
    const emailsOnly = new GuardrailEngine({ maxInputChars: 200, redact: ['email'] });
    const verdict = emailsOnly.checkInput([{ role: 'user', content: 'a@b.io 4111111111111111' }]);
    expect(verdict.messages[0]!.content).toBe('[EMAIL_1] 4111111111111111');
  });

  it('blocks oversized input with a reason and where the limit was crossed', () => {
    const verdict = engine.checkInput([
      { role: 'system', content: 'x'.repeat(150) },
      { role: 'user', content: 'y'.repeat(100) },
    ]);
    expect(verdict).toEqual({
      action: 'BLOCK',
      findings: [{ type: 'oversized_input', detector: 'input-validator', messageIndex: 1, start: 50, end: 100, score: 1 }],
      messages: [],
      reason: 'The request is too long: 250 characters, the limit is 200.',
    });
  });

  it('accepts input of exactly the limit', () => {
    expect(engine.checkInput([{ role: 'user', content: 'z'.repeat(200) }]).action).toBe('PASS');
  });

  it('blocks lone surrogates, replacement characters and control characters', () => {
    const verdict = engine.checkInput([
      { role: 'user', content: 'ok \u{1F600} emoji' },
      { role: 'user', content: 'broken \ud83d here and \udc00' },
      { role: 'user', content: 'mojibake \ufffd\ufffd' },
      { role: 'user', content: 'nul\u0000\u0000 and escape \u001b[31m' },
    ]);
    expect(verdict.action).toBe('BLOCK');
    expect(verdict.messages).toEqual([]);
    expect(verdict.findings.map(({ type, messageIndex, start, end }) => ({ type, messageIndex, start, end }))).toEqual([
      { type: 'invalid_encoding', messageIndex: 1, start: 7, end: 8 },
      { type: 'invalid_encoding', messageIndex: 1, start: 18, end: 19 },
      { type: 'invalid_encoding', messageIndex: 2, start: 9, end: 11 },
      { type: 'control_character', messageIndex: 3, start: 3, end: 5 },
      { type: 'control_character', messageIndex: 3, start: 17, end: 18 },
    ]);
    expect(verdict.reason).toBe(
      'Message 2, 3, 4 contains characters that are not valid text (control characters, broken Unicode or U+FFFD replacement characters).',
    );
  });

  it('blocks an empty message list and unknown roles', () => {
    expect(engine.checkInput([])).toEqual({
      action: 'BLOCK',
      findings: [{ type: 'empty_messages', detector: 'input-validator', messageIndex: 0, start: 0, end: 0, score: 1 }],
      messages: [],
      reason: 'The request contains no messages.',
    });
    const verdict = engine.checkInput([
      { role: 'user', content: 'hi' },
      { role: 'wizard', content: 'hi' },
    ]);
    expect(verdict.action).toBe('BLOCK');
    expect(verdict.findings).toEqual([{ type: 'invalid_role', detector: 'input-validator', messageIndex: 1, start: 0, end: 0, score: 1 }]);
    expect(verdict.reason).toBe('Unsupported message role "wizard"; allowed roles are system, user, assistant, tool.');
  });

  it('redacts output and never blocks it', () => {
    expect(engine.checkOutput('Your card 5555-5555-5555-4444 is on file for ann@example.com.')).toEqual({
      action: 'REDACT',
      findings: [
        { type: 'payment_card', detector: 'payment-card-recognizer', messageIndex: 0, start: 10, end: 29, score: 0.95 },
        { type: 'email', detector: 'email-recognizer', messageIndex: 0, start: 45, end: 60, score: 0.95 },
      ],
      content: 'Your card [CARD_1] is on file for [EMAIL_1].',
    });
    expect(engine.checkOutput('x'.repeat(1000))).toEqual({ action: 'PASS', findings: [], content: 'x'.repeat(1000) });
  });

  it('checks 100 KB of adversarial input quickly', () => {
    const big = new GuardrailEngine({ maxInputChars: 200_000, redact: ['email', 'payment_card'] });
    const messages = [{ role: 'user', content: 'a@'.repeat(50_000) }];
    expect(fastestRunMs(() => big.checkInput(messages))).toBeLessThan(50);
    expect(big.checkInput(messages).action).toBe('PASS');
  });
});
