import { createHash } from 'node:crypto';
import { connect, Index, type Connection, type Table } from '@lancedb/lancedb';
import { Field, Int32, Schema, TimestampMillisecond, Utf8 } from 'apache-arrow';
import type { ChunkStore, ChunkToStore, StoredPassage } from './chunk-store';
import { canonicalCollectionName, requireTenantId } from './collection-name';
import { KeyedSerialQueue } from './keyed-serial-queue';
import { RetrievalErrorCode, RetrievalException } from './retrieval.exception';

export interface LanceChunkStoreOptions {
  /** Directory of the embedded LanceDB database; created when missing. */
  readonly directory: string;
  readonly now?: () => Date;
}

/** Column holding title + section + text: BM25 then matches heading words too, while `text` stays clean for citations. */
const SEARCH_COLUMN = 'search_text';
const MAX_TOP_K = 100;

const CHUNK_SCHEMA = new Schema([
  new Field('chunk_id', new Utf8(), false),
  new Field('tenant_id', new Utf8(), false),
  new Field('collection', new Utf8(), false),
  new Field('source', new Utf8(), false),
  new Field('title', new Utf8(), false),
  new Field('section', new Utf8(), false),
  new Field('text', new Utf8(), false),
  new Field(SEARCH_COLUMN, new Utf8(), false),
  new Field('content_hash', new Utf8(), false),
  new Field('chunk_index', new Int32(), false),
  new Field('ingested_at', new TimestampMillisecond(), false),
]);

type ChunkRow = {
  chunk_id: string;
  tenant_id: string;
  collection: string;
  source: string;
  title: string;
  section: string;
  text: string;
  search_text: string;
  content_hash: string;
  chunk_index: number;
  ingested_at: Date;
};

/**
 * ChunkStore over an embedded LanceDB directory: one table per collection, every tenant's rows
 * in it, and every read and write filtered by tenant_id.
 *
 * The full-text index is created with the table and refreshed by `refreshTextIndex` (after an
 * ingest run), not after every write: rebuilding it costs time proportional to the table, while
 * rows written since the last refresh are still found, LanceDB scanning them unindexed.
 */
export class LanceChunkStore implements ChunkStore {
  private connection?: Promise<Connection>;
  private readonly tables = new Map<string, Promise<Table>>();
  private readonly writes = new KeyedSerialQueue();
  private readonly now: () => Date;

  constructor(private readonly options: LanceChunkStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async upsertDocumentChunks(
    tenantId: string,
    collection: string,
    source: string,
    contentHash: string,
    chunks: readonly ChunkToStore[],
  ): Promise<number> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    requireSource(source);
    if (chunks.length === 0) {
      await this.deleteDocument(tenantId, name, source);
      return 0;
    }
    const ingestedAt = this.now();
    const rows: ChunkRow[] = chunks.map((chunk, index) => ({
      chunk_id: chunkId(tenantId, name, source, contentHash, index),
      tenant_id: tenantId,
      collection: name,
      source,
      title: chunk.title,
      section: chunk.section,
      text: chunk.text,
      search_text: searchText(chunk),
      content_hash: contentHash,
      chunk_index: index,
      ingested_at: ingestedAt,
    }));
    return this.writes.run(name, async () => {
      const table = await this.openOrCreateTable(name);
      // One merge commit replaces the document atomically: readers see the old chunks or the
      // new ones, never a document with no chunks.
      await guard(`writing ${rows.length} chunks of ${JSON.stringify(source)} to collection ${name}`, () =>
        table
          .mergeInsert('chunk_id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where: documentFilter(tenantId, source) })
          .execute(rows),
      );
      return rows.length;
    });
  }

  async deleteDocument(tenantId: string, collection: string, source: string): Promise<number> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    requireSource(source);
    return this.writes.run(name, async () => {
      const table = await this.openTable(name);
      if (!table) return 0;
      const result = await guard(`deleting ${JSON.stringify(source)} from collection ${name}`, () =>
        table.delete(documentFilter(tenantId, source)),
      );
      return result.numDeletedRows;
    });
  }

  async documentHash(tenantId: string, collection: string, source: string): Promise<string | undefined> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    const table = await this.openTable(name);
    if (!table) return undefined;
    const rows = await guard(`reading the hash of ${JSON.stringify(source)} in collection ${name}`, () =>
      table.query().where(documentFilter(tenantId, source)).select(['content_hash']).limit(1).toArray(),
    );
    return rows.length > 0 ? String(rows[0].content_hash) : undefined;
  }

  async searchText(tenantId: string, collection: string, query: string, topK: number): Promise<StoredPassage[]> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    if (query.trim() === '') return [];
    const table = await this.openTable(name);
    if (!table) return [];
    const limit = Math.min(Math.max(1, Math.floor(topK)), MAX_TOP_K);
    // The tenant filter is a pre-filter: BM25 ranks only this tenant's rows, so another tenant's
    // many matches can neither appear nor push this tenant's passages out of the top k.
    const rows = await guard(`searching collection ${name}`, () =>
      table
        .query()
        .fullTextSearch(query, { columns: SEARCH_COLUMN })
        .where(`tenant_id = ${sqlString(tenantId)}`)
        .select(['chunk_id', 'source', 'title', 'section', 'text', '_score'])
        .limit(limit)
        .toArray(),
    );
    return rows.map((row) => ({
      chunkId: String(row.chunk_id),
      source: String(row.source),
      title: String(row.title),
      section: String(row.section),
      text: String(row.text),
      score: Number(row._score),
    }));
  }

  async refreshTextIndex(collection: string): Promise<void> {
    const name = canonicalCollectionName(collection);
    await this.writes.run(name, async () => {
      const table = await this.openTable(name);
      if (!table) return;
      // optimize() adds unindexed rows to the existing inverted index incrementally and compacts
      // the small fragments that per-document commits leave behind.
      await guard(`refreshing the text index of collection ${name}`, () => table.optimize());
    });
  }

  async close(): Promise<void> {
    await this.writes.drain();
    const tables = await Promise.allSettled(this.tables.values());
    for (const table of tables) if (table.status === 'fulfilled') table.value.close();
    this.tables.clear();
    if (this.connection) (await this.connection).close();
    this.connection = undefined;
  }

  private db(): Promise<Connection> {
    this.connection ??= connect(this.options.directory).catch((error: unknown) => {
      this.connection = undefined;
      throw new RetrievalException(
        RetrievalErrorCode.StoreFailure,
        `cannot open the LanceDB directory ${this.options.directory}: ${messageOf(error)}`,
        { cause: error },
      );
    });
    return this.connection;
  }

  /** The collection's table, or undefined when nothing was ever written to it. */
  private async openTable(name: string): Promise<Table | undefined> {
    const cached = this.tables.get(name);
    if (cached) return cached;
    const db = await this.db();
    const names = await guard('listing collections', () => db.tableNames());
    if (!names.includes(name)) return undefined;
    return this.cacheTable(name, () => db.openTable(name));
  }

  /** Only called inside the collection's write queue, so two callers never race to create it. */
  private async openOrCreateTable(name: string): Promise<Table> {
    const existing = await this.openTable(name);
    if (existing) return existing;
    const db = await this.db();
    return this.cacheTable(name, async () => {
      const table = await db.createEmptyTable(name, CHUNK_SCHEMA, { mode: 'create', existOk: true });
      // LanceDB refuses full-text queries on a table without an inverted index, so the (empty)
      // index is created together with the table.
      const indices = await table.listIndices();
      if (!indices.some((index) => index.columns.includes(SEARCH_COLUMN))) {
        await table.createIndex(SEARCH_COLUMN, {
          config: Index.fts({
            baseTokenizer: 'simple',
            lowercase: true,
            stem: true,
            language: 'English',
            removeStopWords: true,
            asciiFolding: true,
            withPosition: false,
          }),
          replace: false,
        });
      }
      return table;
    });
  }

  private cacheTable(name: string, open: () => Promise<Table>): Promise<Table> {
    const table = guard(`opening collection ${name}`, open);
    this.tables.set(name, table);
    table.catch(() => this.tables.delete(name));
    return table;
  }
}

function requireSource(source: string): void {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new RetrievalException(RetrievalErrorCode.InvalidDocument, 'document source must be a non-empty string');
  }
}

/** Ids are stable for unchanged content, so re-writing the same document matches its rows. */
function chunkId(tenantId: string, collection: string, source: string, contentHash: string, index: number): string {
  return createHash('sha256')
    .update([tenantId, collection, source, contentHash, String(index)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

function searchText(chunk: ChunkToStore): string {
  const heading = chunk.section.startsWith(chunk.title) ? chunk.section : `${chunk.title}\n${chunk.section}`;
  return `${heading}\n${chunk.text}`;
}

function documentFilter(tenantId: string, source: string): string {
  return `tenant_id = ${sqlString(tenantId)} AND source = ${sqlString(source)}`;
}

/** LanceDB filters are SQL text with no bound parameters; a quoted literal doubles its quotes. */
function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RetrievalException) throw error;
    throw new RetrievalException(RetrievalErrorCode.StoreFailure, `LanceDB failed ${what}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
