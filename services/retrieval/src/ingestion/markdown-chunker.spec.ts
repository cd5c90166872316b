import { MarkdownChunker } from './markdown-chunker';
import { MARKDOWN, PLAIN_TEXT } from './media-type';
import { TokenCounter } from './token-counter';

const tokens = new TokenCounter();
const chunker = new MarkdownChunker(tokens);

const TOPICS = ['replication', 'compaction', 'sharding', 'caching', 'throttling', 'indexing', 'failover', 'retention'];

/** n distinct, numbered sentences so coverage and overlap can be checked exactly. */
function sentences(prefix: string, n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `${prefix} sentence ${i} explains how the ${TOPICS[i % TOPICS.length]} subsystem behaves when ${TOPICS[(i * 3) % TOPICS.length]} is under heavy load.`,
  );
}

describe('MarkdownChunker', () => {
  it('gives each chunk its heading path and the first H1 as title', () => {
    const content = [
      'Intro before any heading.',
      '# Operations Guide',
      'Overview paragraph.',
      '## Install',
      'Run the installer.',
      '### Linux',
      'Use the tarball.',
      '## Upgrade',
      'Stop, replace, start.',
    ].join('\n\n');

    const chunks = chunker.chunk({ source: 'docs/ops.md', mediaType: MARKDOWN, content });

    expect(chunks.map((c) => [c.section, c.text])).toEqual([
      ['', 'Intro before any heading.'],
      ['Operations Guide', 'Overview paragraph.'],
      ['Operations Guide > Install', 'Run the installer.'],
      ['Operations Guide > Install > Linux', 'Use the tarball.'],
      ['Operations Guide > Upgrade', 'Stop, replace, start.'],
    ]);
    expect(new Set(chunks.map((c) => c.title))).toEqual(new Set(['Operations Guide']));
  });

  it('recognises setext headings, ignores headings inside code fences and strips front matter', () => {
    const content = [
      '---',
      'title: ignored front matter',
      '---',
      'Main Title',
      '==========',
      '',
      'Body text.',
      '',
      '```bash',
      '# not a heading, a shell comment',
      'echo hi',
      '```',
      '',
      'Details',
      '-------',
      '',
      'More text.',
    ].join('\n');

    const chunks = chunker.chunk({ source: 'x.md', mediaType: MARKDOWN, content });

    expect(chunks.map((c) => c.section)).toEqual(['Main Title', 'Main Title > Details']);
    expect(chunks[0].text).toContain('# not a heading, a shell comment');
    expect(chunks[0].title).toBe('Main Title');
    expect(chunks.some((c) => c.text.includes('front matter'))).toBe(false);
  });

  it('uses the file name as title when there is no H1, and treats plain text as paragraphs', () => {
    const md = chunker.chunk({ source: 'notes/release-notes.md', mediaType: MARKDOWN, content: '## Only H2\n\nText.' });
    expect(md[0]).toMatchObject({ title: 'release-notes', section: 'Only H2' });

    const txt = chunker.chunk({
      source: 'faq.txt',
      mediaType: PLAIN_TEXT,
      content: '# not a heading in plain text\n\nSecond paragraph.\r\n\r\nThird paragraph.',
    });
    expect(txt).toHaveLength(1);
    expect(txt[0]).toMatchObject({ title: 'faq', section: '' });
    expect(txt[0].text).toBe('# not a heading in plain text\n\nSecond paragraph.\n\nThird paragraph.');
  });

  it('keeps every chunk within the token ceiling, near the target, covering all text with overlap', () => {
    // Paragraphs of ~8 sentences (~150 tokens), one paragraph far longer than the target.
    const paragraphs = Array.from({ length: 12 }, (_, p) => sentences(`P${p}`, p === 5 ? 60 : 8).join(' '));
    const content = `# Long\n\n${paragraphs.join('\n\n')}`;

    const chunks = chunker.chunk({ source: 'long.md', mediaType: MARKDOWN, content });

    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) {
      expect(tokens.count(chunk.text)).toBe(chunk.tokenCount);
      expect(chunk.tokenCount).toBeLessThanOrEqual(512);
      expect(chunk.section).toBe('Long');
    }
    // All but the last chunk are filled close to the 384-token target.
    for (const chunk of chunks.slice(0, -1)) expect(chunk.tokenCount).toBeGreaterThan(200);

    const all = paragraphs.flatMap((p, i) => sentences(`P${i}`, i === 5 ? 60 : 8));
    const joined = chunks.map((c) => c.text).join('\n');
    for (const sentence of all) expect(joined).toContain(sentence);

    // ~15% overlap: each chunk opens with the closing sentences of the previous one.
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    for (let i = 1; i < chunks.length; i++) {
      const previous = flat(chunks[i - 1].text);
      const firstSentence = flat(chunks[i].text).split(/(?<=\.) /)[0];
      const repeated = previous.slice(previous.lastIndexOf(firstSentence));
      expect(previous.includes(firstSentence)).toBe(true);
      expect(flat(chunks[i].text).startsWith(repeated)).toBe(true);
      expect(tokens.count(repeated)).toBeLessThanOrEqual(60);
    }
  });

  it('keeps a code block whole when it fits, and splits an oversized one into fenced pieces', () => {
    const smallCode = ['```ts', ...Array.from({ length: 30 }, (_, i) => `const value${i} = compute(${i}, "x");`), '```'].join('\n');
    const hugeCode = ['```python', ...Array.from({ length: 200 }, (_, i) => `result_${i} = transform(data[${i}], factor=${i})`), '```'].join('\n');
    const content = [
      '# Code',
      sentences('Lead', 12).join(' '),
      smallCode,
      sentences('Mid', 12).join(' '),
      hugeCode,
    ].join('\n\n');
    expect(tokens.count(smallCode)).toBeGreaterThan(200);
    expect(tokens.count(hugeCode)).toBeGreaterThan(512);

    const chunks = chunker.chunk({ source: 'code.md', mediaType: MARKDOWN, content });

    expect(chunks.filter((c) => c.text.includes(smallCode))).toHaveLength(1);
    const hugePieces = chunks.filter((c) => c.text.includes('```python'));
    expect(hugePieces.length).toBeGreaterThan(1);
    for (const piece of hugePieces) {
      expect(piece.tokenCount).toBeLessThanOrEqual(512);
      expect(piece.text.trimEnd().endsWith('```')).toBe(true);
    }
    for (let i = 0; i < 200; i++) {
      expect(hugePieces.some((p) => p.text.includes(`result_${i} = transform(data[${i}], factor=${i})`))).toBe(true);
    }
  });

  it('splits text with no sentence or paragraph boundary and tolerates special-token text', () => {
    const runOn = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunker.chunk({ source: 'runon.txt', mediaType: PLAIN_TEXT, content: `${runOn} <|endoftext|>` });

    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(512);
    expect(chunks.map((c) => c.text).join(' ')).toContain('word1499 <|endoftext|>');
  });

  it('honours custom sizes and rejects inconsistent ones', () => {
    const small = new MarkdownChunker(tokens, { targetTokens: 64, maxTokens: 96, overlapTokens: 8 });
    const chunks = small.chunk({ source: 's.md', mediaType: MARKDOWN, content: sentences('S', 40).join(' ') });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(96);

    expect(() => new MarkdownChunker(tokens, { targetTokens: 600, maxTokens: 512 })).toThrow(/invalid chunking options/);
    expect(() => new MarkdownChunker(tokens, { overlapTokens: 400 })).toThrow(/invalid chunking options/);
  });
});
