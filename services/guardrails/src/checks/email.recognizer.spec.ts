import { fastestRunMs } from '@llmops/testing';
import { EmailRecognizer } from './email.recognizer';

describe('EmailRecognizer', () => {
  const recognizer = new EmailRecognizer();
  const found = (text: string) => recognizer.find(text).map((span) => text.slice(span.start, span.end));

  it.each([
    ['john.doe@example.com', 'john.doe@example.com'],
    ['Write to Jane+news@mail.example.co.uk today', 'Jane+news@mail.example.co.uk'],
    ['USER_1@Example.ORG', 'USER_1@Example.ORG'],
    ['Contact: <ops-team@acme-corp.io>', 'ops-team@acme-corp.io'],
    ['mailto:x@y.dev', 'x@y.dev'],
    ['send it to a@b.io.', 'a@b.io'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['josé@exämple.de', 'josé@exämple.de'],
    ['(billing@sub.domain.example)', 'billing@sub.domain.example'],
  ])('finds the address in %j', (text, address) => {
    expect(found(text)).toEqual([address]);
  });

  it('reports offsets into the original text', () => {
    const text = 'me: ann@example.com, you: bob@example.org';
    expect(recognizer.find(text)).toEqual([
      { start: 4, end: 19, score: 0.95 },
      { start: 26, end: 41, score: 0.95 },
    ]);
  });

  it.each(['@example.com', 'user@localhost', 'a@b.c', 'foo@.com', 'user.@example.com', 'name at example dot com', 'x@y.123', 'a@-b.com'])(
    'finds nothing in %j',
    (text) => {
      expect(found(text)).toEqual([]);
    },
  );

  it('finishes quickly on adversarial input', () => {
    const inputs = [
      'a@'.repeat(50_000),
      'a'.repeat(100_000) + '@',
      '@'.repeat(100_000),
      'a.'.repeat(50_000) + '@x',
      'a@' + 'b.'.repeat(50_000),
      'x@y.io '.repeat(14_000),
    ];
    for (const input of inputs) {
      expect(fastestRunMs(() => recognizer.find(input))).toBeLessThan(50);
    }
  });
});
