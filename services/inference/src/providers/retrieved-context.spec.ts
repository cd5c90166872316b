import { withRetrievedContext } from './retrieved-context';

describe('withRetrievedContext', () => {
  const passages = [
    { index: 1, source: 'docs/a.md', section: 'Intro', text: 'Alpha.' },
    { index: 2, source: 'docs/b.md', section: '', text: 'Beta.' },
  ];

  it('puts the numbered passages after the caller system messages and before the conversation', () => {
    const messages = withRetrievedContext(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is alpha?' },
      ],
      passages,
    );
    expect(messages.map((message) => message.role)).toEqual(['system', 'system', 'user']);
    expect(messages[1]!.content).toContain('[1] docs/a.md › Intro\nAlpha.');
    expect(messages[1]!.content).toContain('[2] docs/b.md\nBeta.');
  });

  it('leaves messages alone without passages', () => {
    const original = [{ role: 'user', content: 'hi' }];
    expect(withRetrievedContext(original, [])).toEqual(original);
  });
});
