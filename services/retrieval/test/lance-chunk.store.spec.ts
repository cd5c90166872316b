import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanceChunkStore } from '../src/store/lance-chunk.store';
import { RetrievalErrorCode, RetrievalException } from '../src/store/retrieval.exception';

describe('LanceChunkStore (embedded LanceDB on disk)', () => {
  let directory: string;
  let store: LanceChunkStore;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'retrieval-store-'));
    store = new LanceChunkStore({ directory, now: () => new Date('2025-01-02T03:04:05Z') });
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  const chunk = (text: string, section = 'Guide > Setup') => ({ title: 'Guide', section, text });

  it('finds stored chunks by keyword with BM25 scores, best first, and records the document hash', async () => {
    await store.upsertDocumentChunks('acme', 'docs', 'guide.md', 'hash-1', [
      chunk('Configure the postgres connection pool size and timeouts.'),
      chunk('Rotate the API keys every ninety days.', 'Guide > Security'),
      chunk('Postgres postgres postgres: the pool is shared by all workers.'),
    ]);

    // Rows not yet folded into the index are found (LanceDB scans them), ranked only roughly.
    const unindexed = await store.searchText('acme', 'docs', 'postgres pool', 10);
    expect(unindexed.map((h) => h.source)).toEqual(['guide.md', 'guide.md']);
    await store.refreshTextIndex('docs');

    const hits = await store.searchText('acme', 'docs', 'postgres pool', 10);

    expect(hits.map((h) => h.text)).toEqual([
      'Postgres postgres postgres: the pool is shared by all workers.',
      'Configure the postgres connection pool size and timeouts.',
    ]);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    expect(hits[1]).toMatchObject({ source: 'guide.md', section: 'Guide > Setup', title: 'Guide' });
    expect(hits[0].chunkId).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.documentHash('acme', 'docs', 'guide.md')).toBe('hash-1');
    expect(await store.documentHash('acme', 'docs', 'other.md')).toBeUndefined();
  });

  it('matches heading words even when the chunk text does not contain them', async () => {
    await store.upsertDocumentChunks('acme', 'docs', 'a.md', 'h', [chunk('Run it twice.', 'Guide > Kerberos')]);
    expect((await store.searchText('acme', 'docs', 'kerberos', 5)).map((h) => h.section)).toEqual(['Guide > Kerberos']);
  });

  it('replaces all of a document’s previous chunks on upsert', async () => {
    await store.upsertDocumentChunks('acme', 'docs', 'faq.md', 'v1', [chunk('The legacy zephyr endpoint is deprecated.'), chunk('More zephyr notes.')]);
    await store.upsertDocumentChunks('acme', 'docs', 'faq.md', 'v2', [chunk('Use the aurora endpoint instead.')]);

    expect(await store.searchText('acme', 'docs', 'zephyr', 10)).toEqual([]);
    expect((await store.searchText('acme', 'docs', 'aurora', 10)).map((h) => h.text)).toEqual(['Use the aurora endpoint instead.']);
    expect(await store.documentHash('acme', 'docs', 'faq.md')).toBe('v2');
  });

  it('deletes a document and reports how many chunks went', async () => {
    await store.upsertDocumentChunks('acme', 'docs', 'gone.md', 'h', [chunk('quasar one'), chunk('quasar two'), chunk('quasar three')]);
    await store.upsertDocumentChunks('acme', 'docs', 'kept.md', 'h', [chunk('quasar kept')]);

    expect(await store.deleteDocument('acme', 'docs', 'gone.md')).toBe(3);
    expect(await store.deleteDocument('acme', 'docs', 'gone.md')).toBe(0);
    expect(await store.deleteDocument('acme', 'never-created', 'gone.md')).toBe(0);
    expect((await store.searchText('acme', 'docs', 'quasar', 10)).map((h) => h.source)).toEqual(['kept.md']);
    expect(await store.documentHash('acme', 'docs', 'gone.md')).toBeUndefined();
  });

  it('isolates tenants: B never sees, replaces or deletes A’s passages, and A’s volume does not crowd B out', async () => {
    const many = Array.from({ length: 40 }, (_, i) => chunk(`nebula nebula nebula secret plan ${i} of tenant A`));
    await store.upsertDocumentChunks('tenant-a', 'shared', 'plan.md', 'ha', many);
    await store.upsertDocumentChunks('tenant-b', 'shared', 'notes.md', 'hb', [chunk('a single nebula mention from tenant B, among many other words here')]);
    // Same source name in both tenants: B's write must not touch A's document.
    await store.upsertDocumentChunks('tenant-b', 'shared', 'plan.md', 'hb2', [chunk('tenant B plan')]);
    await store.refreshTextIndex('shared');

    const forB = await store.searchText('tenant-b', 'shared', 'nebula secret plan', 3);
    expect(forB.map((h) => h.source).sort()).toEqual(['notes.md', 'plan.md']);
    expect(forB.every((h) => !h.text.includes('tenant A'))).toBe(true);

    expect(await store.deleteDocument('tenant-b', 'shared', 'plan.md')).toBe(1);
    expect(await store.documentHash('tenant-a', 'shared', 'plan.md')).toBe('ha');
    expect(await store.searchText('tenant-a', 'shared', 'nebula', 100)).toHaveLength(40);
    expect(await store.searchText('tenant-c', 'shared', 'nebula', 100)).toEqual([]);
  });

  it('treats quotes in tenant ids and sources as data, not SQL', async () => {
    await store.upsertDocumentChunks("o'brien", 'docs', "it's.md", 'h', [chunk('pulsar data')]);
    await store.upsertDocumentChunks('other', 'docs', 'x.md', 'h', [chunk('pulsar other')]);

    expect((await store.searchText("o'brien", 'docs', 'pulsar', 10)).map((h) => h.source)).toEqual(["it's.md"]);
    expect(await store.searchText("x' OR '1'='1", 'docs', 'pulsar', 10)).toEqual([]);
    expect(await store.deleteDocument("o'brien", 'docs', "it's.md")).toBe(1);
  });

  it('normalises collection names and rejects invalid ones with a clear error', async () => {
    await store.upsertDocumentChunks('acme', '  Docs ', 'a.md', 'h', [chunk('meteor')]);
    expect(await store.searchText('acme', 'docs', 'meteor', 5)).toHaveLength(1);

    for (const bad of ['', '../etc', 'a b', 'x'.repeat(64), '-lead', 'dots.in.name']) {
      const attempt = store.searchText('acme', bad, 'meteor', 5);
      await expect(attempt).rejects.toBeInstanceOf(RetrievalException);
      await expect(attempt).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidCollectionName });
      await expect(attempt).rejects.toThrow(/invalid collection name/);
    }
    await expect(store.searchText('', 'docs', 'meteor', 5)).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidTenant });
  });

  it('returns [] for an unknown collection or a blank query', async () => {
    expect(await store.searchText('acme', 'nothing-here', 'anything', 5)).toEqual([]);
    await store.upsertDocumentChunks('acme', 'docs', 'a.md', 'h', [chunk('comet')]);
    expect(await store.searchText('acme', 'docs', '   ', 5)).toEqual([]);
  });

  it('serialises concurrent writes to one collection without losing any', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.upsertDocumentChunks('acme', 'busy', `doc-${i}.md`, `h${i}`, [chunk(`galaxy number${i}`), chunk(`galaxy extra${i}`)]),
      ),
    );
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.deleteDocument('acme', 'busy', `doc-${i}.md`)));

    const sources = new Set((await store.searchText('acme', 'busy', 'galaxy', 100)).map((h) => h.source));
    expect([...sources].sort()).toEqual(['doc-10.md', 'doc-11.md', 'doc-6.md', 'doc-7.md', 'doc-8.md', 'doc-9.md']);
  });

  it('keeps data across store instances on the same directory', async () => {
    await store.upsertDocumentChunks('acme', 'docs', 'a.md', 'h1', [chunk('persistent aurora')]);
    await store.refreshTextIndex('docs');
    await store.close();

    store = new LanceChunkStore({ directory });
    expect((await store.searchText('acme', 'docs', 'aurora', 5)).map((h) => h.source)).toEqual(['a.md']);
    expect(await store.documentHash('acme', 'docs', 'a.md')).toBe('h1');
  });
});
