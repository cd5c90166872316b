import { simplePdf } from '../../test/factories/simple-pdf';
import { RetrievalErrorCode } from '../store/retrieval.exception';
import { DocumentParser } from './document-parser';
import { HtmlToMarkdown } from './html-to-markdown';
import { PdfTextExtractor } from './pdf-text.extractor';

const ARTICLE_HTML = `<!doctype html><html><head><title>Router Guide | ACME</title></head><body>
<nav><a href="/">Home</a> <a href="/products">Products</a> <a href="/support">Support</a></nav>
<header><div class="banner">ACME Corp: free shipping on all orders</div></header>
<main><article>
<h1>Router Guide</h1>
<p>${'Hold the reset button for ten seconds to restore factory settings; the status light blinks amber while it restarts. '.repeat(3)}</p>
<h2>Models</h2>
<table><thead><tr><th>Model</th><th>Ports</th><th>Wi-Fi</th></tr></thead>
<tbody><tr><td>R100</td><td>4</td><td>6</td></tr><tr><td>R200</td><td>8</td><td>7</td></tr></tbody></table>
<p>${'Firmware updates are installed automatically every night between two and four in the morning. '.repeat(2)}</p>
</article></main>
<footer>Copyright ACME 2025. All rights reserved. Privacy | Terms</footer>
</body></html>`;

describe('DocumentParser (real HTML, PDF and JSONL parsing)', () => {
  const html = new HtmlToMarkdown();
  const parser = new DocumentParser(html, new PdfTextExtractor());
  afterAll(() => html.close());

  it('keeps the article of an HTML page as Markdown with its table, dropping navigation, banner and footer', async () => {
    const [document] = await parser.parse({ source: 'https://acme.example/router', content: ARTICLE_HTML, mediaType: 'text/html' });
    const markdown = document.parts[0].content;
    expect(document.title).toBe('Router Guide | ACME');
    expect(document.parts[0].mediaType).toBe('text/markdown');
    expect(markdown).toMatch(/^# Router Guide/m);
    expect(markdown).toMatch(/^## Models/m);
    expect(markdown).toContain('| Model | Ports | Wi-Fi |');
    expect(markdown).toContain('| R200 | 8 | 7 |');
    expect(markdown).toContain('Hold the reset button');
    for (const boilerplate of ['Products', 'free shipping', 'All rights reserved', 'Privacy']) expect(markdown).not.toContain(boilerplate);
  });

  it('reads the text layer of a PDF page by page, with page numbers and the document title', async () => {
    const bytes = simplePdf(
      [
        ['Installation Manual', 'Unpack the unit and attach the antenna.'],
        [],
        ['Troubleshooting (page three)', 'If the light is red, replace the fuse.'],
      ],
      'Manual X1',
    );
    const [document] = await parser.parse({ source: 'manual.pdf', content: '', bytes });
    expect(document.title).toBe('Manual X1');
    expect(document.parts.map((part) => [part.page, part.content])).toEqual([
      [1, 'Installation Manual\nUnpack the unit and attach the antenna.'],
      [3, 'Troubleshooting (page three)\nIf the light is red, replace the fuse.'],
    ]);
  });

  it('refuses a broken PDF with a clear error', async () => {
    await expect(parser.parse({ source: 'broken.pdf', content: '', bytes: new TextEncoder().encode('%PDF-1.4 nonsense') })).rejects.toMatchObject({
      code: RetrievalErrorCode.InvalidDocument,
      message: expect.stringContaining('broken.pdf'),
    });
  });

  it('turns each JSONL record into a document of its own with its id, title, tags and access', async () => {
    const content = [
      JSON.stringify({ id: 'q1', title: 'Refunds', text: 'Refunds take five days.', tags: ['billing'], updated_at: '2025-02-03T00:00:00Z' }),
      '',
      JSON.stringify({ content: 'No id here.', access: ['group:support'] }),
    ].join('\n');
    const documents = await parser.parse({ source: 'faq.jsonl', content, tags: ['faq'] });
    expect(documents.map((d) => [d.source, d.title, d.tags, d.access, d.parts[0].content])).toEqual([
      ['faq.jsonl#q1', 'Refunds', ['billing', 'faq'], [], 'Refunds take five days.'],
      ['faq.jsonl#3', undefined, ['faq'], ['group:support'], 'No id here.'],
    ]);
    expect(documents[0].updatedAt?.toISOString()).toBe('2025-02-03T00:00:00.000Z');
    await expect(parser.parse({ source: 'bad.jsonl', content: '{"text": 1}' })).rejects.toMatchObject({ message: expect.stringContaining('line 1') });
    await expect(parser.parse({ source: 'bad.jsonl', content: 'not json' })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidDocument });
  });

  it('hashes content and metadata but not the timestamp', async () => {
    const hash = async (extra: Record<string, unknown>) =>
      (await parser.parse({ source: 'a.md', content: '# A\n\ntext', ...extra }))[0].contentHash;
    const base = await hash({});
    expect(await hash({ updatedAt: new Date() })).toBe(base);
    expect(await hash({ tags: ['x'] })).not.toBe(base);
    expect(await hash({ access: ['group:a'] })).not.toBe(base);
    expect(await hash({ content: '# A\n\ntext!' })).not.toBe(base);
  });
});
