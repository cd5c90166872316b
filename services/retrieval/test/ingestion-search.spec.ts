import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DocumentLoader } from '../src/ingestion/document-loader';
import { IngestionService, type IngestProgress } from '../src/ingestion/ingestion.service';
import { MarkdownChunker } from '../src/ingestion/markdown-chunker';
import { TokenCounter } from '../src/ingestion/token-counter';
import { DocumentParser } from '../src/ingestion/document-parser';
import { HtmlToMarkdown } from '../src/ingestion/html-to-markdown';
import { PdfTextExtractor } from '../src/ingestion/pdf-text.extractor';
import { ContextAssembler } from '../src/search/context-assembler';
import { SearchService, type SearchHit } from '../src/search/search.service';
import { simplePdf } from './factories/simple-pdf';
import { LanceChunkStore } from '../src/store/lance-chunk.store';
import { RetrievalErrorCode } from '../src/store/retrieval.exception';

const CORPUS: Record<string, string> = {
  'runbooks/database-failover.md': `# Database Failover

When the primary PostgreSQL node stops answering, promote the replica.

## Promote the replica

Run \`pg_ctl promote\` on the standby and repoint PgBouncer at it.

\`\`\`bash
pg_ctl promote -D /var/lib/postgresql/data
\`\`\`

## Verify replication lag

Check that replication lag is below five seconds before sending writes.
`,
  'runbooks/certificate-rotation.md': `# Certificate Rotation

TLS certificates expire every ninety days. Renew them with certbot and reload nginx.

## Staging first

Rotate staging certificates a week before production.
`,
  'guides/onboarding.markdown': `Welcome aboard! This guide has no H1 so its title comes from the file name.

## Laptop setup

Install Homebrew, then the VPN client, then request access to the monorepo.
`,
  'guides/billing/invoices.md': `# Invoices

Invoices are generated on the first business day of each month and emailed as PDF.
`,
  'faq.txt': `Why is my build slow?

Builds are slow when the remote cache is cold. Warm it by running the nightly pipeline.
`,
  // Never ingested: dependency, build output, hidden, and unsupported files.
  'node_modules/pkg/readme.md': '# Vendored\n\nflamingo vendored text',
  'dist/out.md': '# Built\n\nflamingo build output',
  '.git/notes.md': '# Hidden\n\nflamingo hidden text',
  'guides/.drafts/secret.md': '# Draft\n\nflamingo draft text',
  'guides/data.json': '{"flamingo": true}',
};

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('ingestion and search over files on disk (real LanceDB)', () => {
  const tokens = new TokenCounter();
  let work: string;
  let corpus: string;
  let store: LanceChunkStore;
  let loader: DocumentLoader;
  let ingestion: IngestionService;
  let searches: SearchService;
  const search = {
    search: async (tenantId: string, collection: string, query: string, topK: number): Promise<SearchHit[]> =>
      (await searches.search({ tenantId, collection, query, topK })).passages,
  };

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'retrieval-e2e-'));
    corpus = join(work, 'corpus');
    await writeTree(corpus, CORPUS);
    store = new LanceChunkStore({ directory: join(work, 'lancedb') });
    loader = new DocumentLoader({ root: corpus });
    searches = new SearchService(store, new ContextAssembler(tokens), undefined, undefined);
    const chunker = new MarkdownChunker(tokens);
    ingestion = new IngestionService({
      store,
      parser: new DocumentParser(new HtmlToMarkdown(), new PdfTextExtractor()),
      chunkerFor: () => chunker,
      tokens,
      onCollectionChanged: (tenantId, collection) => searches.invalidate(tenantId, collection),
    });
  });

  afterEach(async () => {
    await store.close();
    await rm(work, { recursive: true, force: true });
  });

  it('loads only supported files, skipping node_modules, dist and hidden entries, with root-relative sources', async () => {
    const documents = await loader.load(['.']);

    expect(documents.map((d) => [d.source, d.mediaType])).toEqual([
      ['faq.txt', 'text/plain'],
      ['guides/billing/invoices.md', 'text/markdown'],
      ['guides/onboarding.markdown', 'text/markdown'],
      ['runbooks/certificate-rotation.md', 'text/markdown'],
      ['runbooks/database-failover.md', 'text/markdown'],
    ]);
    expect(documents[0].content).toBe(CORPUS['faq.txt']);
    expect((await loader.load(['runbooks', 'runbooks/database-failover.md'])).map((d) => d.source)).toEqual([
      'runbooks/certificate-rotation.md',
      'runbooks/database-failover.md',
    ]);
  });

  it('refuses paths outside the root (also through symbolic links), missing paths and unsupported files', async () => {
    await writeFile(join(work, 'outside.md'), '# Outside');
    await symlink(join(work, 'outside.md'), join(corpus, 'link.md'));

    await expect(loader.load(['../outside.md'])).rejects.toMatchObject({ code: RetrievalErrorCode.PathOutsideRoot });
    await expect(loader.load([join(work, 'outside.md')])).rejects.toMatchObject({ code: RetrievalErrorCode.PathOutsideRoot });
    await expect(loader.load(['link.md'])).rejects.toMatchObject({ code: RetrievalErrorCode.PathOutsideRoot });
    await expect(loader.load(['missing.md'])).rejects.toMatchObject({ code: RetrievalErrorCode.PathNotFound });
    await expect(loader.load(['guides/data.json'])).rejects.toMatchObject({ code: RetrievalErrorCode.UnsupportedMediaType });
    // Walking a directory silently leaves the escaping link out.
    expect((await loader.load(['.'])).map((d) => d.source)).not.toContain('link.md');
  });

  it('ingests a directory and finds the right source for each question', async () => {
    const progress = await ingestion.ingest('acme', 'handbook', await loader.load(['.']));
    expect(progress).toMatchObject({ documentsDone: 5, documentsTotal: 5, documentsSkipped: 0, done: true });
    expect(progress.chunksWritten).toBeGreaterThanOrEqual(5);

    const expectations: [string, string, string][] = [
      ['how do I promote the postgres replica', 'runbooks/database-failover.md', 'Database Failover > Promote the replica'],
      ['replication lag', 'runbooks/database-failover.md', 'Database Failover > Verify replication lag'],
      ['when do TLS certificates expire', 'runbooks/certificate-rotation.md', 'Certificate Rotation'],
      ['monthly invoice PDF', 'guides/billing/invoices.md', 'Invoices'],
      ['VPN client on my laptop', 'guides/onboarding.markdown', 'Laptop setup'],
      ['remote cache cold build slow', 'faq.txt', ''],
    ];
    for (const [query, source, section] of expectations) {
      const [best] = await search.search('acme', 'handbook', query, 3);
      expect({ query, source: best?.source, section: best?.section }).toEqual({ query, source, section });
      expect(best.score).toBeGreaterThan(0);
      expect(best.chunkId).toMatch(/^[0-9a-f]{32}$/);
    }
    // Each chunk's token count is stored with it, so context assembly need not count it again.
    const stored = await store.searchText('acme', 'handbook', 'replica', { limit: 5, filter: {} });
    expect(stored.length).toBeGreaterThan(0);
    for (const passage of stored) expect(passage.tokens).toBe(tokens.count(passage.text.trim()));
    expect(await search.search('acme', 'handbook', 'flamingo', 5)).toEqual([]);
  });

  it('reports progress once per document and once when done', async () => {
    const events: IngestProgress[] = [];
    const documents = await loader.load(['.']);
    await ingestion.ingest('acme', 'handbook', documents, (p) => {
      events.push(p);
    });

    expect(events).toHaveLength(documents.length + 1);
    expect(events.slice(0, -1).map((e) => [e.documentsDone, e.currentSource, e.done])).toEqual(
      documents.map((d, i) => [i + 1, d.source, false]),
    );
    expect(events.every((e) => e.documentsTotal === documents.length)).toBe(true);
    const chunkCounts = events.map((e) => e.chunksWritten);
    expect(chunkCounts).toEqual([...chunkCounts].sort((a, b) => a - b));
    expect(events[events.length - 1]).toMatchObject({ done: true, documentsDone: documents.length, chunksWritten: chunkCounts[chunkCounts.length - 1] });
  });

  it('skips unchanged documents and replaces the chunks of changed ones, leaving no stale text', async () => {
    await ingestion.ingest('acme', 'handbook', await loader.load(['.']));

    const again = await ingestion.ingest('acme', 'handbook', await loader.load(['.']));
    expect(again).toMatchObject({ documentsDone: 5, documentsSkipped: 5, chunksWritten: 0 });

    await writeFile(
      join(corpus, 'runbooks/certificate-rotation.md'),
      '# Certificate Rotation\n\nCertificates are now issued by the internal Vault PKI and renewed automatically.\n',
    );
    const changed = await ingestion.ingest('acme', 'handbook', await loader.load(['.']));
    expect(changed).toMatchObject({ documentsSkipped: 4, chunksWritten: 1 });

    expect(await search.search('acme', 'handbook', 'certbot nginx ninety', 5)).toEqual([]);
    const [vault] = await search.search('acme', 'handbook', 'vault PKI', 5);
    expect(vault).toMatchObject({ source: 'runbooks/certificate-rotation.md', section: 'Certificate Rotation' });
    expect(vault.text).toContain('Vault PKI');
  });

  it('deletes a document so that it is no longer found', async () => {
    await ingestion.ingest('acme', 'handbook', await loader.load(['.']));

    expect(await ingestion.deleteDocument('acme', 'handbook', 'guides/billing/invoices.md')).toBe(1);
    expect(await search.search('acme', 'handbook', 'monthly invoice PDF', 5)).toEqual([]);
    // Deleted documents are ingested again on the next run (no stale hash remains).
    const next = await ingestion.ingest('acme', 'handbook', await loader.load(['guides/billing']));
    expect(next).toMatchObject({ documentsSkipped: 0, chunksWritten: 1 });
  });

  it('prunes the documents of a directory that are no longer in it, and nothing outside the prefix', async () => {
    await ingestion.ingest('acme', 'handbook', await loader.load(['.']));
    await rm(join(corpus, 'runbooks/certificate-rotation.md'));
    const run = await ingestion.ingest('acme', 'handbook', await loader.load(['runbooks']), undefined, undefined, { prunePrefix: 'runbooks/' });
    expect(run).toMatchObject({ documentsSkipped: 1, documentsPruned: 1, done: true });
    expect(await store.listSources('acme', 'handbook', '')).toEqual(['faq.txt', 'guides/billing/invoices.md', 'guides/onboarding.markdown', 'runbooks/database-failover.md']);
    expect(await search.search('acme', 'handbook', 'renew TLS certificates with certbot', 5)).not.toContainEqual(expect.objectContaining({ source: 'runbooks/certificate-rotation.md' }));
    // Without a prefix nothing is pruned; a run that fails half-way prunes nothing either.
    expect(await ingestion.ingest('acme', 'handbook', await loader.load(['guides']))).toMatchObject({ documentsPruned: 0 });
    const aborted = new AbortController();
    aborted.abort();
    await expect(ingestion.ingest('acme', 'handbook', await loader.load(['guides']), undefined, aborted.signal, { prunePrefix: '' })).rejects.toThrow();
    expect(await store.listSources('acme', 'handbook', '')).toHaveLength(4);
  });

  it('keeps tenants apart: tenant B finds nothing of tenant A in the same collection', async () => {
    await ingestion.ingest('tenant-a', 'handbook', await loader.load(['.']));
    await ingestion.ingest('tenant-b', 'handbook', [
      { source: 'b.md', mediaType: 'text/markdown', content: '# B\n\nTenant B keeps its own notes about espresso machines.' },
    ]);

    for (const query of ['postgres replica', 'certificates', 'invoice', 'remote cache']) {
      expect(await search.search('tenant-b', 'handbook', query, 10)).toEqual([]);
    }
    expect((await search.search('tenant-b', 'handbook', 'espresso', 10)).map((h) => h.source)).toEqual(['b.md']);
    expect(await search.search('tenant-a', 'handbook', 'espresso', 10)).toEqual([]);
    // Same content for the same source in another tenant is not "unchanged" for that tenant.
    const copy = await ingestion.ingest('tenant-b', 'handbook', await loader.load(['faq.txt']));
    expect(copy).toMatchObject({ documentsSkipped: 0, chunksWritten: 1 });
  });

  it('validates the whole request before writing anything', async () => {
    const good = { source: 'ok.md', mediaType: 'text/markdown', content: '# Ok\n\nzeppelin' };
    await expect(
      ingestion.ingest('acme', 'handbook', [good, { source: 'page.doc', mediaType: 'application/msword', content: 'x' }]),
    ).rejects.toMatchObject({ code: RetrievalErrorCode.UnsupportedMediaType });
    await expect(ingestion.ingest('acme', 'handbook', [good, good])).rejects.toMatchObject({
      code: RetrievalErrorCode.InvalidDocument,
    });
    await expect(ingestion.ingest('acme', 'Bad Name!', [good])).rejects.toMatchObject({
      code: RetrievalErrorCode.InvalidCollectionName,
    });
    expect(await search.search('acme', 'handbook', 'zeppelin', 5)).toEqual([]);

    // An empty media type is inferred from the extension.
    await ingestion.ingest('acme', 'handbook', [{ source: 'notes.txt', mediaType: '', content: '# not a heading\n\nzeppelin' }]);
    expect((await search.search('acme', 'handbook', 'zeppelin', 5))[0]).toMatchObject({ source: 'notes.txt', section: '' });
  });

  it('returns [] for unknown collections and blank queries, and applies the default top k', async () => {
    expect(await search.search('acme', 'no-such-collection', 'anything', 5)).toEqual([]);
    const many = Array.from({ length: 12 }, (_, i) => ({ source: `n${i}.md`, content: `# N${i}\n\nkiwi fruit number ${i}` }));
    await ingestion.ingest('acme', 'fruit', many);
    expect(await search.search('acme', 'fruit', '  ', 5)).toEqual([]);
    expect(await search.search('acme', 'fruit', 'kiwi', 0)).toHaveLength(5);
    expect(await search.search('acme', 'fruit', 'kiwi', 8)).toHaveLength(8);
  });

  it('ingests 50 small files and answers searches quickly', async () => {
    const topics = ['kafka', 'clickhouse', 'grpc', 'lancedb', 'prometheus', 'grafana', 'redis', 'nginx', 'vault', 'docker'];
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      const topic = topics[i % topics.length];
      files[`bulk/${topic}/note-${i}.md`] = [
        `# ${topic} note ${i}`,
        `This note explains ${topic} operations, item marker${i}.`,
        `## Configuration`,
        `Set the ${topic} options for environment ${i} and restart the service.`,
        `## Troubleshooting`,
        `If ${topic} fails, read the logs, check disk space and network reachability for host-${i}.`,
      ].join('\n\n');
    }
    await writeTree(corpus, files);
    const documents = await loader.load(['bulk']);
    expect(documents).toHaveLength(50);

    const started = performance.now();
    const result = await ingestion.ingest('acme', 'bulk', documents);
    const ingestMs = performance.now() - started;
    expect(result).toMatchObject({ documentsDone: 50, chunksWritten: 150 });

    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const [best] = await search.search('acme', 'bulk', `marker${i} ${topics[i % topics.length]}`, 5);
      latencies.push(performance.now() - t0);
      expect(best.source).toBe(`bulk/${topics[i % topics.length]}/note-${i}.md`);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    const p95 = latencies[Math.floor(latencies.length * 0.95)];
    console.info(`ingest 50 files: ${ingestMs.toFixed(0)} ms; search p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    // Generous bounds for a loaded 2-core CI machine; typical numbers are far lower.
    expect(ingestMs).toBeLessThan(20_000);
    expect(p50).toBeLessThan(250);
  });

  it('drops near-duplicate chunks of other documents (MinHash/LSH), within a request and against the index', async () => {
    const policy = (edition: string) =>
      `# Travel policy\n\nEmployees book flights through the travel portal at least fourteen days ahead. Economy class applies to flights under six hours; longer flights may use premium economy with the approval of a director. Hotels are booked through the same portal, ${edition}.`;
    const first = await ingestion.ingest('acme', 'dedupe', [
      { source: 'policies/travel.md', content: policy('and receipts are uploaded within thirty days') },
      { source: 'mirror/travel-copy.md', content: policy('and receipts are uploaded within thirty days.') },
    ]);
    expect(first).toMatchObject({ documentsDone: 2, chunksTotal: 2, chunksWritten: 1, chunksDeduplicated: 1 });
    const later = await ingestion.ingest('acme', 'dedupe', [{ source: 'old/travel-2019.md', content: policy('and receipts are kept for thirty days') }]);
    expect(later).toMatchObject({ chunksWritten: 0, chunksDeduplicated: 1 });
    // A changed version of the same source is not a duplicate of itself.
    const changed = await ingestion.ingest('acme', 'dedupe', [{ source: 'policies/travel.md', content: policy('and receipts are kept for ninety days') }]);
    expect(changed).toMatchObject({ chunksWritten: 1, chunksDeduplicated: 0 });
    expect((await search.search('acme', 'dedupe', 'travel portal flights', 5)).map((h) => h.source)).toEqual(['policies/travel.md']);
  });

  it('counts each JSONL record as a document and ingests HTML and PDF files from disk', async () => {
    await writeTree(corpus, {
      'mixed/faq.jsonl': [JSON.stringify({ id: 'a', text: 'Refunds take five days.' }), JSON.stringify({ id: 'b', text: 'Passwords expire yearly.' })].join('\n'),
      'mixed/page.html': '<html><head><title>Status</title></head><body><nav>Home About</nav><h1>Status</h1><p>All systems nominal on the zebra cluster.</p></body></html>',
    });
    await writeFile(join(corpus, 'mixed/manual.pdf'), simplePdf([['Intro page'], ['The walrus valve sits on page two.']]));
    const events: IngestProgress[] = [];
    const result = await ingestion.ingest('acme', 'mixed', await loader.load(['mixed']), (p) => {
      events.push(p);
    });
    expect(result).toMatchObject({ documentsDone: 4, documentsTotal: 4, done: true });
    expect(events.map((e) => e.currentSource)).toEqual(['mixed/faq.jsonl#a', 'mixed/faq.jsonl#b', 'mixed/manual.pdf', 'mixed/page.html', '']);
    expect((await search.search('acme', 'mixed', 'walrus valve', 5))[0]).toMatchObject({ source: 'mixed/manual.pdf', page: 2 });
    expect((await search.search('acme', 'mixed', 'zebra cluster', 5))[0]).toMatchObject({ source: 'mixed/page.html', title: 'Status', section: 'Status' });
    expect((await search.search('acme', 'mixed', 'refunds', 5))[0]).toMatchObject({ source: 'mixed/faq.jsonl#a' });
  });
});
