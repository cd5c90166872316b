import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Index } from '@lancedb/lancedb';
import { Field, Schema, Utf8 } from 'apache-arrow';
import { LanceChunkStore, tableName } from '../src/store/lance-chunk.store';
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
    // Retries: a timed-out index refresh may still be writing in the background.
    await rm(directory, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
  });

  const chunk = (text: string, section = 'Guide > Setup') => ({ title: 'Guide', section, text, page: 0, lshBands: [] });
  const doc = (source: string, contentHash: string) => ({ source, contentHash, mediaType: 'text/markdown', tags: [], access: [], updatedAt: new Date('2025-01-01T00:00:00Z') });

  it('finds stored chunks by keyword with BM25 scores, best first, and records the document hash', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('guide.md', 'hash-1'), [
      chunk('Configure the postgres connection pool size and timeouts.'),
      chunk('Rotate the API keys every ninety days.', 'Guide > Security'),
      chunk('Postgres postgres postgres: the pool is shared by all workers.'),
    ]);

    // Rows not yet folded into the index are found (LanceDB scans them), ranked only roughly.
    const unindexed = await store.searchText('acme', 'docs', 'postgres pool', { limit: 10, filter: {} });
    expect(unindexed.map((h) => h.source)).toEqual(['guide.md', 'guide.md']);
    await store.refreshIndexes('acme', 'docs');

    const hits = await store.searchText('acme', 'docs', 'postgres pool', { limit: 10, filter: {} });

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
    await store.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), [chunk('Run it twice.', 'Guide > Kerberos')]);
    expect((await store.searchText('acme', 'docs', 'kerberos', { limit: 5, filter: {} })).map((h) => h.section)).toEqual(['Guide > Kerberos']);
  });

  it('replaces all of a document’s previous chunks on upsert', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('faq.md', 'v1'), [chunk('The legacy zephyr endpoint is deprecated.'), chunk('More zephyr notes.')]);
    await store.upsertDocumentChunks('acme', 'docs', doc('faq.md', 'v2'), [chunk('Use the aurora endpoint instead.')]);

    expect(await store.searchText('acme', 'docs', 'zephyr', { limit: 10, filter: {} })).toEqual([]);
    expect((await store.searchText('acme', 'docs', 'aurora', { limit: 10, filter: {} })).map((h) => h.text)).toEqual(['Use the aurora endpoint instead.']);
    expect(await store.documentHash('acme', 'docs', 'faq.md')).toBe('v2');
  });

  it('deletes a document and reports how many chunks went', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('gone.md', 'h'), [chunk('quasar one'), chunk('quasar two'), chunk('quasar three')]);
    await store.upsertDocumentChunks('acme', 'docs', doc('kept.md', 'h'), [chunk('quasar kept')]);

    expect(await store.deleteDocument('acme', 'docs', 'gone.md')).toBe(3);
    expect(await store.deleteDocument('acme', 'docs', 'gone.md')).toBe(0);
    expect(await store.deleteDocument('acme', 'never-created', 'gone.md')).toBe(0);
    expect((await store.searchText('acme', 'docs', 'quasar', { limit: 10, filter: {} })).map((h) => h.source)).toEqual(['kept.md']);
    expect(await store.documentHash('acme', 'docs', 'gone.md')).toBeUndefined();
  });

  it('isolates tenants: B never sees, replaces or deletes A’s passages, and A’s volume does not crowd B out', async () => {
    const many = Array.from({ length: 40 }, (_, i) => chunk(`nebula nebula nebula secret plan ${i} of tenant A`));
    await store.upsertDocumentChunks('tenant-a', 'shared', doc('plan.md', 'ha'), many);
    await store.upsertDocumentChunks('tenant-b', 'shared', doc('notes.md', 'hb'), [chunk('a single nebula mention from tenant B, among many other words here')]);
    // Same source name in both tenants: B's write must not touch A's document.
    await store.upsertDocumentChunks('tenant-b', 'shared', doc('plan.md', 'hb2'), [chunk('tenant B plan')]);
    await store.refreshIndexes('tenant-a', 'shared');
    await store.refreshIndexes('tenant-b', 'shared');

    const forB = await store.searchText('tenant-b', 'shared', 'nebula secret plan', { limit: 3, filter: {} });
    expect(forB.map((h) => h.source).sort()).toEqual(['notes.md', 'plan.md']);
    expect(forB.every((h) => !h.text.includes('tenant A'))).toBe(true);

    expect(await store.deleteDocument('tenant-b', 'shared', 'plan.md')).toBe(1);
    expect(await store.documentHash('tenant-a', 'shared', 'plan.md')).toBe('ha');
    expect(await store.searchText('tenant-a', 'shared', 'nebula', { limit: 100, filter: {} })).toHaveLength(40);
    expect(await store.searchText('tenant-c', 'shared', 'nebula', { limit: 100, filter: {} })).toEqual([]);
  });

  it('treats quotes in tenant ids and sources as data, not SQL', async () => {
    await store.upsertDocumentChunks("o'brien", 'docs', doc("it's.md", 'h'), [chunk('pulsar data')]);
    await store.upsertDocumentChunks('other', 'docs', doc('x.md', 'h'), [chunk('pulsar other')]);

    expect((await store.searchText("o'brien", 'docs', 'pulsar', { limit: 10, filter: {} })).map((h) => h.source)).toEqual(["it's.md"]);
    expect(await store.searchText("x' OR '1'='1", 'docs', 'pulsar', { limit: 10, filter: {} })).toEqual([]);
    expect(await store.deleteDocument("o'brien", 'docs', "it's.md")).toBe(1);
  });

  it('normalises collection names and rejects invalid ones with a clear error', async () => {
    await store.upsertDocumentChunks('acme', '  Docs ', doc('a.md', 'h'), [chunk('meteor')]);
    expect(await store.searchText('acme', 'docs', 'meteor', { limit: 5, filter: {} })).toHaveLength(1);

    for (const bad of ['', '../etc', 'a b', 'x'.repeat(64), '-lead', 'dots.in.name']) {
      const attempt = store.searchText('acme', bad, 'meteor', { limit: 5, filter: {} });
      await expect(attempt).rejects.toBeInstanceOf(RetrievalException);
      await expect(attempt).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidCollectionName });
      await expect(attempt).rejects.toThrow(/invalid collection name/);
    }
    await expect(store.searchText('', 'docs', 'meteor', { limit: 5, filter: {} })).rejects.toMatchObject({ code: RetrievalErrorCode.InvalidTenant });
  });

  it('returns [] for an unknown collection or a blank query', async () => {
    expect(await store.searchText('acme', 'nothing-here', 'anything', { limit: 5, filter: {} })).toEqual([]);
    await store.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), [chunk('comet')]);
    expect(await store.searchText('acme', 'docs', '   ', { limit: 5, filter: {} })).toEqual([]);
  });

  it('serialises concurrent writes to one collection without losing any', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.upsertDocumentChunks('acme', 'busy', doc(`doc-${i}.md`, `h${i}`), [chunk(`galaxy number${i}`), chunk(`galaxy extra${i}`)]),
      ),
    );
    await Promise.all(Array.from({ length: 6 }, (_, i) => store.deleteDocument('acme', 'busy', `doc-${i}.md`)));

    const sources = new Set((await store.searchText('acme', 'busy', 'galaxy', { limit: 100, filter: {} })).map((h) => h.source));
    expect([...sources].sort()).toEqual(['doc-10.md', 'doc-11.md', 'doc-6.md', 'doc-7.md', 'doc-8.md', 'doc-9.md']);
  });

  it('keeps data across store instances on the same directory', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h1'), [chunk('persistent aurora')]);
    await store.refreshIndexes('acme', 'docs');
    await store.close();

    store = new LanceChunkStore({ directory });
    expect((await store.searchText('acme', 'docs', 'aurora', { limit: 5, filter: {} })).map((h) => h.source)).toEqual(['a.md']);
    expect(await store.documentHash('acme', 'docs', 'a.md')).toBe('h1');
  });

  it('keeps BM25 statistics per tenant: another tenant flooding a term does not change this tenant’s scores', async () => {
    await store.upsertDocumentChunks('alone', 'docs', doc('a.md', 'h'), [chunk('orchid watering schedule'), chunk('cactus watering schedule')]);
    await store.refreshIndexes('alone', 'docs');
    const before = await store.searchText('alone', 'docs', 'orchid', { limit: 5, filter: {} });
    const flood = Array.from({ length: 60 }, (_, i) => chunk(`orchid orchid note ${i}`));
    await store.upsertDocumentChunks('noisy', 'docs', doc('n.md', 'h'), flood);
    await store.refreshIndexes('noisy', 'docs');
    const after = await store.searchText('alone', 'docs', 'orchid', { limit: 5, filter: {} });
    expect(after.map((h) => h.score)).toEqual(before.map((h) => h.score));
  });

  it('filters on source, tags, section, page, title, timestamps and access lists', async () => {
    const at = (iso: string) => new Date(iso);
    await store.upsertDocumentChunks('acme', 'docs', { ...doc('manual.pdf', 'h'), tags: ['hardware', 'v2'], updatedAt: at('2025-03-01T00:00:00Z') }, [
      { ...chunk('router reset on page one', 'Manual > Reset'), page: 1, title: 'Manual' },
      { ...chunk('router firmware on page two', 'Manual > Firmware'), page: 2, title: 'Manual' },
    ]);
    await store.upsertDocumentChunks('acme', 'docs', { ...doc('web/router.md', 'h'), tags: ['software'], updatedAt: at('2024-01-01T00:00:00Z') }, [
      chunk('router web console', 'Guide > Console'),
    ]);
    await store.upsertDocumentChunks('acme', 'docs', { ...doc('hr/salaries.md', 'h'), access: ['group:hr', 'user:ann'] }, [chunk('router budget salaries')]);
    const sources = async (filter: Record<string, unknown>) =>
      (await store.searchText('acme', 'docs', 'router', { limit: 20, filter })).map((h) => `${h.source}:${h.page}`).sort();

    expect(await sources({})).toEqual(['manual.pdf:1', 'manual.pdf:2', 'web/router.md:0']);
    expect(await sources({ principals: ['user:bob', 'group:hr'] })).toContain('hr/salaries.md:0');
    expect(await sources({ principals: ['user:bob'] })).not.toContain('hr/salaries.md:0');
    expect(await sources({ sources: ['web/router.md'] })).toEqual(['web/router.md:0']);
    expect(await sources({ sourcePrefix: 'web/' })).toEqual(['web/router.md:0']);
    expect(await sources({ tagsAny: ['v2', 'nope'] })).toEqual(['manual.pdf:1', 'manual.pdf:2']);
    expect(await sources({ tagsAll: ['hardware', 'nope'] })).toEqual([]);
    expect(await sources({ sectionPrefix: 'Manual > Firm' })).toEqual(['manual.pdf:2']);
    expect(await sources({ pageFrom: 2, pageTo: 5 })).toEqual(['manual.pdf:2']);
    expect(await sources({ title: 'Manual' })).toEqual(['manual.pdf:1', 'manual.pdf:2']);
    expect(await sources({ updatedAfter: at('2025-01-01T00:00:00Z') })).toEqual(['manual.pdf:1', 'manual.pdf:2']);
    expect(await sources({ updatedBefore: at('2024-06-01T00:00:00Z') })).toEqual(['web/router.md:0']);
    expect(await sources({ tagsAny: ["x') OR true OR ('"] })).toEqual([]);
  });

  it('stores vectors and finds chunks by cosine similarity under the same filters, with their vectors on request', async () => {
    const vectors = new LanceChunkStore({ directory: join(directory, 'vectors'), vectorDimensions: 3 });
    const unit = (...v: number[]) => Float32Array.from(v.map((x) => x / Math.hypot(...v)));
    try {
      await vectors.upsertDocumentChunks('acme', 'docs', { ...doc('a.md', 'h'), tags: ['x'] }, [
        { ...chunk('east'), vector: unit(1, 0, 0) },
        { ...chunk('north'), vector: unit(0, 1, 0) },
      ]);
      await vectors.upsertDocumentChunks('other', 'docs', doc('b.md', 'h'), [{ ...chunk('east too'), vector: unit(1, 0.01, 0) }]);
      expect(await vectors.hasVectors('acme', 'docs')).toBe(true);
      expect(await store.hasVectors('acme', 'docs')).toBe(false);
      const hits = await vectors.searchVector('acme', 'docs', unit(0.9, 0.1, 0), { limit: 5, filter: {}, withVectors: true });
      expect(hits.map((h) => h.text)).toEqual(['east', 'north']);
      expect(hits[0].score).toBeCloseTo(0.9939, 3);
      expect(Array.from(hits[0].vector!)).toEqual([1, 0, 0]);
      expect(await vectors.searchVector('acme', 'docs', unit(1, 0, 0), { limit: 5, filter: { tagsAny: ['y'] } })).toEqual([]);
      await expect(vectors.upsertDocumentChunks('acme', 'docs', doc('c.md', 'h'), [chunk('no vector')])).rejects.toMatchObject({
        code: RetrievalErrorCode.EmbedderUnavailable,
      });
    } finally {
      await vectors.close();
    }
  });

  it('records the embedder of a new vector table and refuses vectors of another one (fp32 and int8 of one model)', async () => {
    const at = join(directory, 'identity');
    const fp32 = new LanceChunkStore({ directory: at, vectorDimensions: 3, embedderId: 'onnx:all-minilm-l6-v2:256' });
    await fp32.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), [{ ...chunk('east'), vector: Float32Array.of(1, 0, 0) }]);
    await fp32.close();

    const int8 = new LanceChunkStore({ directory: at, vectorDimensions: 3, embedderId: 'onnx:all-minilm-l6-v2+int8:256' });
    try {
      const mismatch = { code: RetrievalErrorCode.EmbedderMismatch, message: expect.stringContaining('onnx:all-minilm-l6-v2:256') };
      await expect(int8.searchVector('acme', 'docs', Float32Array.of(1, 0, 0), { limit: 5, filter: {} })).rejects.toMatchObject(mismatch);
      await expect(int8.upsertDocumentChunks('acme', 'docs', doc('b.md', 'h'), [{ ...chunk('west'), vector: Float32Array.of(-1, 0, 0) }])).rejects.toMatchObject(mismatch);
      // Keyword search does not touch the vectors; a new collection records the new embedder.
      expect((await int8.searchText('acme', 'docs', 'east', { limit: 5, filter: {} })).map((h) => h.text)).toEqual(['east']);
      await int8.upsertDocumentChunks('acme', 'fresh', doc('b.md', 'h'), [{ ...chunk('west'), vector: Float32Array.of(-1, 0, 0) }]);
      expect((await int8.searchVector('acme', 'fresh', Float32Array.of(-1, 0, 0), { limit: 5, filter: {} })).map((h) => h.text)).toEqual(['west']);
    } finally {
      await int8.close();
    }
    const again = new LanceChunkStore({ directory: at, vectorDimensions: 3, embedderId: 'onnx:all-minilm-l6-v2:256' });
    try {
      expect((await again.searchVector('acme', 'docs', Float32Array.of(1, 0, 0), { limit: 5, filter: {} })).map((h) => h.text)).toEqual(['east']);
    } finally {
      await again.close();
    }
  });

  it('keeps a table created without vectors keyword-only after an embedder is configured', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), [chunk('keyword only text')]);
    await store.close();
    const later = new LanceChunkStore({ directory, vectorDimensions: 3 });
    try {
      await later.upsertDocumentChunks('acme', 'docs', doc('b.md', 'h'), [{ ...chunk('more keyword text'), vector: Float32Array.of(1, 0, 0) }]);
      expect(await later.hasVectors('acme', 'docs')).toBe(false);
      expect(await later.searchVector('acme', 'docs', Float32Array.of(1, 0, 0), { limit: 5, filter: {} })).toEqual([]);
      expect((await later.searchText('acme', 'docs', 'keyword', { limit: 5, filter: {} })).map((h) => h.source).sort()).toEqual(['a.md', 'b.md']);
    } finally {
      await later.close();
    }
  });

  it('fails an index refresh that outlives its time limit instead of hanging the ingestion', async () => {
    const hasty = new LanceChunkStore({ directory: join(directory, 'hasty'), refreshTimeoutMs: 1 });
    try {
      await hasty.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), Array.from({ length: 50 }, (_, i) => chunk(`row ${i} text`)));
      await expect(hasty.refreshIndexes('acme', 'docs')).rejects.toMatchObject({ code: RetrievalErrorCode.StoreFailure, message: expect.stringContaining('within 1 ms') });
      expect(await hasty.searchText('acme', 'docs', 'row', { limit: 100, filter: {} })).toHaveLength(50);
    } finally {
      await hasty.close();
    }
  });

  it('applies access lists from the first restricted document on, also after searches that found none', async () => {
    const vectors = new LanceChunkStore({ directory: join(directory, 'vectors'), vectorDimensions: 3 });
    const vectorChunk = (text: string) => ({ ...chunk(text), vector: Float32Array.of(1, 0, 0) });
    const seen = async (principals: string[]) => ({
      keyword: (await vectors.searchText('acme', 'docs', 'falafel', { limit: 10, filter: { principals } })).map((h) => h.source).sort(),
      dense: (await vectors.searchVector('acme', 'docs', Float32Array.of(1, 0, 0), { limit: 10, filter: { principals } })).map((h) => h.source).sort(),
    });
    try {
      await vectors.upsertDocumentChunks('acme', 'docs', doc('public.md', 'h'), [vectorChunk('falafel for everyone')]);
      // No access list anywhere yet: these searches run without the access clause.
      expect(await seen([])).toEqual({ keyword: ['public.md'], dense: ['public.md'] });

      await vectors.upsertDocumentChunks('acme', 'docs', { ...doc('hr.md', 'h'), access: ['group:hr'] }, [vectorChunk('falafel allowance for hr')]);
      expect(await seen([])).toEqual({ keyword: ['public.md'], dense: ['public.md'] });
      expect(await seen(['user:bob'])).toEqual({ keyword: ['public.md'], dense: ['public.md'] });
      expect(await seen(['group:hr'])).toEqual({ keyword: ['hr.md', 'public.md'], dense: ['hr.md', 'public.md'] });

      // A store that opens the directory afresh counts the restricted rows before its first search.
      await vectors.close();
      const reopened = new LanceChunkStore({ directory: join(directory, 'vectors'), vectorDimensions: 3 });
      try {
        expect((await reopened.searchVector('acme', 'docs', Float32Array.of(1, 0, 0), { limit: 10, filter: {} })).map((h) => h.source)).toEqual(['public.md']);
        expect(await reopened.deleteDocument('acme', 'docs', 'hr.md')).toBe(1);
        expect((await reopened.searchText('acme', 'docs', 'falafel', { limit: 10, filter: { principals: ['group:hr'] } })).map((h) => h.source)).toEqual(['public.md']);
      } finally {
        await reopened.close();
      }
    } finally {
      await vectors.close();
    }
  });

  // LanceDB 0.31 (lance 8.0) deadlocked in this refresh at 100k chunks of natural-like text when
  // its CPU pool had one slot, as it has by default on a 2-core machine (lance-cpu-threads.ts);
  // the refresh then hit its time limit. Run with LANCE_CPU_THREADS=1 to see it fail.
  it('refreshes the indexes of a 100k-chunk collection', async () => {
    const big = new LanceChunkStore({ directory: join(directory, 'big'), refreshTimeoutMs: 200_000 });
    const text = naturalText(42);
    try {
      for (let d = 0; d < 20; d++) {
        const chunks = Array.from({ length: 5_000 }, (_, c) => chunk(`${text(40)} marker${d * 5_000 + c}`));
        await big.upsertDocumentChunks('acme', 'docs', doc(`part-${d}.md`, `h${d}`), chunks);
      }
      await big.refreshIndexes('acme', 'docs');
      const hits = await big.searchText('acme', 'docs', 'marker54321', { limit: 5, filter: {} });
      expect(hits.map((h) => h.source)).toEqual(['part-10.md']);
      expect(hits[0].text).toMatch(/ marker54321$/);
    } finally {
      await big.close();
    }
  }, 420_000);

  describe('table layouts', () => {
    const columnsOf = async (collection: string) => {
      const db = await connect(directory);
      const table = await db.openTable(tableName('acme', collection));
      const schema = await table.schema();
      table.close();
      db.close();
      return schema;
    };
    const runbook = (source: string, access: string[] = []) => ({ ...doc(source, `h-${source}`), tags: ['ops', 'v2'], access, updatedAt: new Date('2025-03-04T05:06:07Z') });
    const step = (text: string) => ({ ...chunk(text, 'Runbook > Failover'), title: 'Runbook', page: 3 });
    const promote = {
      source: 'runbook.md',
      title: 'Runbook',
      section: 'Runbook > Failover',
      text: 'Promote the replica when the primary fails.',
      page: 3,
      tags: ['ops', 'v2'],
      updatedAt: new Date('2025-03-04T05:06:07Z'),
    };

    it('packs what a search reads back into one passage column in new tables', async () => {
      await store.upsertDocumentChunks('acme', 'docs', runbook('runbook.md'), [step(promote.text)]);
      const columns = (await columnsOf('docs')).fields.map((field) => field.name);
      expect(columns).toContain('passage');
      expect(columns).not.toContain('text');
      // The columns filters and merges use stay.
      expect(columns).toEqual(expect.arrayContaining(['chunk_id', 'source', 'title', 'section', 'page', 'tags', 'access', 'is_public', 'updated_at']));
      const [hit] = await store.searchText('acme', 'docs', 'replica', { limit: 5, filter: {} });
      expect(hit).toMatchObject(promote);
      expect(hit.chunkId).toMatch(/^[0-9a-f]{32}$/);
    });

    it('keeps reading and writing a table of the earlier layout (a text column, no passage), access lists included', async () => {
      // The earlier layout is today's schema with `text` where `passage` is: made so, as such a table sits on disk.
      await store.upsertDocumentChunks('acme', 'today', runbook('x.md'), [step('x')]);
      const today = await columnsOf('today');
      const earlier = new Schema(today.fields.map((field) => (field.name === 'passage' ? new Field('text', new Utf8(), false) : field)));
      const db = await connect(directory);
      const table = await db.createEmptyTable(tableName('acme', 'docs'), earlier);
      await table.createIndex('search_text', { config: Index.fts({ baseTokenizer: 'simple', lowercase: true, stem: true, language: 'English', removeStopWords: true, asciiFolding: true, withPosition: false }) });
      table.close();
      db.close();

      await store.upsertDocumentChunks('acme', 'docs', runbook('runbook.md'), [step(promote.text)]);
      await store.upsertDocumentChunks('acme', 'docs', runbook('hr.md', ['group:hr']), [step('The replica of the salary sheet is in the vault.')]);
      const columns = (await columnsOf('docs')).fields.map((field) => field.name);
      expect(columns).toContain('text');
      expect(columns).not.toContain('passage');

      const search = (principals: string[]) => store.searchText('acme', 'docs', 'replica', { limit: 5, filter: { principals } });
      expect((await search([])).map((hit) => hit.source)).toEqual(['runbook.md']);
      const both = await search(['group:hr']);
      expect(both.map((hit) => hit.source).sort()).toEqual(['hr.md', 'runbook.md']);
      expect(both.find((hit) => hit.source === 'runbook.md')).toMatchObject(promote);
    });
  });

  it('finds LSH band keys carried by other documents only', async () => {
    await store.upsertDocumentChunks('acme', 'docs', doc('a.md', 'h'), [{ ...chunk('x'), lshBands: ['0:aaa', '1:bbb'] }]);
    await store.upsertDocumentChunks('acme', 'docs', doc('b.md', 'h'), [{ ...chunk('y'), lshBands: ['0:ccc'] }]);
    expect([...(await store.existingLshBands('acme', 'docs', ['0:aaa', '0:ccc', '2:zzz'], 'b.md'))]).toEqual(['0:aaa']);
    expect([...(await store.existingLshBands('other', 'docs', ['0:aaa'], 'z.md'))]).toEqual([]);
  });
});

/**
 * Deterministic text over a 30,000-word vocabulary drawn Zipf-like (rank r with probability
 * ~1/r), as natural language is: the many distinct tokens are what made the index build hang.
 */
function naturalText(seed: number): (words: number) => string {
  let state = seed;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const vocabulary = Array.from({ length: 30_000 }, (_, rank) => {
    let word = '';
    for (let n = rank + 1; n > 0; n = Math.floor(n / 26)) word += 'etaoinshrdlcumwfgypbvkjxqz'[n % 26];
    return word.length < 3 ? `${word}en` : word;
  });
  const harmonic = Math.log(vocabulary.length) + 0.5772;
  // Inverse of the Zipf CDF, approximately: rank = exp(u * H) - 1.
  return (words) => Array.from({ length: words }, () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * harmonic) - 1))]).join(' ');
}
