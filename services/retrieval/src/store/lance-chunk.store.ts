import { createHash } from 'node:crypto';
import { connect, Index, type Connection, type Table } from '@lancedb/lancedb';
import { dot } from '@llmops/embeddings';
import { Bool, Field, FixedSizeList, Float32, Int32, List, Schema, TimestampMillisecond, Utf8 } from 'apache-arrow';
import { toLanceWhere, sqlString } from './chunk-filter';
import type { ChunkSearchOptions, ChunkStore, ChunkToStore, StoredDocument, StoredPassage } from './chunk-store';
import { canonicalCollectionName, requireTenantId } from './collection-name';
import { KeyedSerialQueue } from './keyed-serial-queue';
import { reserveLanceCpuThreads } from './lance-cpu-threads';
import { RetrievalErrorCode, RetrievalException } from './retrieval.exception';

export interface LanceChunkStoreOptions {
  /** Directory of the embedded LanceDB database; created when missing. */
  readonly directory: string;
  /** Length of the vector column of new tables; undefined = keyword-only tables. */
  readonly vectorDimensions?: number;
  /**
   * TextEmbedder.id of the vectors written and searched. New tables record it; a table that
   * recorded another one refuses vector writes and searches (EMBEDDER_MISMATCH) rather than
   * mixing vectors of two models (or of fp32 and int8 graphs of one). Undefined = unchecked.
   */
  readonly embedderId?: string;
  /** Index refreshes taking longer fail with STORE_FAILURE (default 15 minutes). */
  readonly refreshTimeoutMs?: number;
  /** From this many rows on, a table gets an approximate (HNSW) vector index; below, search is exact. */
  readonly vectorIndexMinRows?: number;
  readonly now?: () => Date;
}

/** Column holding title + section + text: BM25 then matches heading words too, while `text` stays clean for citations. */
const SEARCH_COLUMN = 'search_text';
const MAX_LIMIT = 200;
/**
 * What a search reads back of each hit. New tables keep it in one JSON column, `passage` (chunk
 * id, source, title, section, text, page, tags, updated time, public flag, and the text's token
 * count when the writer gave one): LanceDB reads a search's hits column by column, at a fixed
 * cost per column, and one column instead of nine takes a hybrid search's p95 at 100k rows from
 * 16.1–21.6 to 12.9–14.8 ms (loadtest/RESULTS.md, "packed passages"). The columns it repeats stay
 * for filters, merges and indexes; `text`, which only the passage needs, is gone.
 */
const PASSAGE_COLUMN = 'passage';
/**
 * The same, one column each, in tables created before the packed layout. `is_public` lets a
 * search check visibility when it ran without the access clause.
 */
const EARLIER_PASSAGE_COLUMNS = ['chunk_id', 'source', 'title', 'section', 'text', 'page', 'tags', 'updated_at', 'is_public'];
/** Metadata key of the vector column naming the embedder (TextEmbedder.id) of its vectors. */
const EMBEDDER_METADATA_KEY = 'llmops.embedder';

function chunkSchema(vectorDimensions: number | undefined, embedderId: string | undefined): Schema {
  const stringList = () => new List(new Field('item', new Utf8(), true));
  return new Schema([
    new Field('chunk_id', new Utf8(), false),
    new Field('source', new Utf8(), false),
    new Field('title', new Utf8(), false),
    new Field('section', new Utf8(), false),
    new Field(PASSAGE_COLUMN, new Utf8(), false),
    new Field(SEARCH_COLUMN, new Utf8(), false),
    new Field('content_hash', new Utf8(), false),
    new Field('media_type', new Utf8(), false),
    new Field('chunk_index', new Int32(), false),
    new Field('page', new Int32(), false),
    new Field('tags', stringList(), false),
    new Field('access', stringList(), false),
    new Field('is_public', new Bool(), false),
    new Field('lsh_bands', stringList(), false),
    new Field('updated_at', new TimestampMillisecond(), false),
    new Field('ingested_at', new TimestampMillisecond(), false),
    ...(vectorDimensions
      ? [
          new Field(
            'vector',
            new FixedSizeList(vectorDimensions, new Field('item', new Float32(), true)),
            false,
            new Map(embedderId ? [[EMBEDDER_METADATA_KEY, embedderId]] : []),
          ),
        ]
      : []),
  ]);
}

/**
 * ChunkStore over an embedded LanceDB directory: one table per tenant and collection. Separate
 * tables keep BM25 statistics (document frequencies, average length) per tenant, so one
 * tenant's documents cannot shift another's keyword ranking, and no query can reach another
 * tenant's rows whatever its filter says.
 *
 * Indexes are refreshed by `refreshIndexes` after an ingest run, not after every write: rows
 * written since are still found, LanceDB scanning them unindexed.
 */
export class LanceChunkStore implements ChunkStore {
  private connection?: Promise<Connection>;
  private readonly tables = new Map<string, Promise<Table>>();
  private readonly writes = new KeyedSerialQueue();
  /** Per table, from its schema: vector column, the embedder its vectors recorded (undefined: none recorded), packed passages. */
  private readonly layouts = new Map<string, TableLayout>();
  /** Per table: whether any stored chunk has an access list; absent = not known (counted on the next search). */
  private readonly restrictedTables = new Map<string, Promise<boolean>>();
  /** Per table: bumped by every write, so a count that raced a write is not remembered. */
  private readonly writeGenerations = new Map<string, number>();
  private readonly now: () => Date;

  private readonly refreshTimeoutMs: number;

  constructor(private readonly options: LanceChunkStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 15 * 60_000;
  }

  async upsertDocumentChunks(tenantId: string, collection: string, document: StoredDocument, chunks: readonly ChunkToStore[]): Promise<number> {
    const name = tableName(tenantId, collection);
    requireSource(document.source);
    if (chunks.length === 0) {
      await this.deleteDocument(tenantId, collection, document.source);
      return 0;
    }
    const ingestedAt = this.now();
    const updatedAt = document.updatedAt.getTime();
    const isPublic = document.access.length === 0;
    const dimensions = this.options.vectorDimensions;
    const vectors = dimensions ? chunks.map((chunk) => Array.from(requireVector(chunk, dimensions))) : undefined;
    return this.writes.run(name, async () => {
      const table = await this.openOrCreateTable(name);
      this.noteWrite(name, !isPublic);
      const layout = await this.layoutOf(name, table);
      // A table created while no embedder was configured has no vector column: it stays keyword-only.
      const withVectors = vectors !== undefined && layout.hasVectors;
      if (withVectors) await this.requireSameEmbedder(name, table, collection);
      const rows = chunks.map((chunk, index) => {
        const row = {
          chunk_id: chunkId(tenantId, name, document.source, document.contentHash, index),
          source: document.source,
          title: chunk.title,
          section: chunk.section,
          search_text: searchText(chunk),
          content_hash: document.contentHash,
          media_type: document.mediaType,
          chunk_index: index,
          page: chunk.page,
          tags: [...document.tags],
          access: [...document.access],
          is_public: isPublic,
          lsh_bands: [...chunk.lshBands],
          // Re-created: a Date from another realm (fs.stat under jest) is not recognised by arrow.
          updated_at: new Date(updatedAt),
          ingested_at: ingestedAt,
        };
        // What a search reads back: one JSON column on packed tables, the text's own column on earlier ones.
        const packed: PackedPassage | undefined = layout.packed
          ? { chunkId: row.chunk_id, source: row.source, title: row.title, section: row.section, text: chunk.text, page: row.page, tags: row.tags, updatedAt, isPublic, ...(chunk.tokens === undefined ? {} : { tokens: chunk.tokens }) }
          : undefined;
        const readBack = packed ? { passage: JSON.stringify(packed) } : { text: chunk.text };
        return Object.assign(row, readBack, withVectors ? { vector: vectors[index] } : {});
      });
      // One merge commit replaces the document atomically: readers see the old chunks or the
      // new ones, never a document with no chunks.
      await guard(`writing ${rows.length} chunks of ${JSON.stringify(document.source)} to collection ${collection}`, () =>
        table
          .mergeInsert('chunk_id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where: `source = ${sqlString(document.source)}` })
          .execute(rows),
      );
      return rows.length;
    });
  }

  async deleteDocument(tenantId: string, collection: string, source: string): Promise<number> {
    const name = tableName(tenantId, collection);
    requireSource(source);
    return this.writes.run(name, async () => {
      const table = await this.openTable(name);
      if (!table) return 0;
      this.noteWrite(name, false);
      const result = await guard(`deleting ${JSON.stringify(source)} from collection ${collection}`, () =>
        table.delete(`source = ${sqlString(source)}`),
      );
      return result.numDeletedRows;
    });
  }

  async listSources(tenantId: string, collection: string, prefix: string): Promise<string[]> {
    const table = await this.openTable(tableName(tenantId, collection));
    if (!table) return [];
    const rows = await guard(`listing the documents of collection ${collection}`, () =>
      table.query().where(`starts_with(source, ${sqlString(prefix)})`).select(['source']).toArray(),
    );
    return [...new Set(rows.map((row) => String(row.source)))].sort();
  }

  async documentHash(tenantId: string, collection: string, source: string): Promise<string | undefined> {
    const table = await this.openTable(tableName(tenantId, collection));
    if (!table) return undefined;
    const rows = await guard(`reading the hash of ${JSON.stringify(source)}`, () =>
      table.query().where(`source = ${sqlString(source)}`).select(['content_hash']).limit(1).toArray(),
    );
    return rows.length > 0 ? String(rows[0].content_hash) : undefined;
  }

  async existingLshBands(tenantId: string, collection: string, bands: readonly string[], excludeSource: string): Promise<Set<string>> {
    const found = new Set<string>();
    if (bands.length === 0) return found;
    const table = await this.openTable(tableName(tenantId, collection));
    if (!table) return found;
    const wanted = new Set(bands);
    const rows = await guard('looking up near-duplicate chunks', () =>
      table
        .query()
        .where(`array_has_any(lsh_bands, [${[...wanted].map(sqlString).join(', ')}]) AND source <> ${sqlString(excludeSource)}`)
        .select(['lsh_bands'])
        .limit(10_000)
        .toArray(),
    );
    for (const row of rows) for (const band of listOf(row.lsh_bands)) if (wanted.has(band)) found.add(band);
    return found;
  }

  async searchText(tenantId: string, collection: string, query: string, options: ChunkSearchOptions): Promise<StoredPassage[]> {
    if (query.trim() === '') return [];
    const name = tableName(tenantId, collection);
    const table = await this.openTable(name);
    if (!table) return [];
    const layout = await this.layoutOf(name, table);
    const columns = [...passageColumns(layout), ...(options.withVectors && layout.hasVectors && this.options.vectorDimensions ? ['vector'] : []), '_score'];
    return this.visiblePassages(name, table, options, `searching collection ${collection}`, (where) => {
      const search = table.query().fullTextSearch(query, { columns: SEARCH_COLUMN });
      return (where ? search.where(where) : search).select(columns).limit(clampLimit(options.limit)).toArrow();
    });
  }

  async searchVector(tenantId: string, collection: string, vector: Float32Array, options: ChunkSearchOptions): Promise<StoredPassage[]> {
    if (!(await this.hasVectors(tenantId, collection))) return [];
    const name = tableName(tenantId, collection);
    const table = (await this.openTable(name))!;
    await this.requireSameEmbedder(name, table, collection);
    const columns = [...passageColumns(await this.layoutOf(name, table)), 'vector', '_distance'];
    const passages = await this.visiblePassages(name, table, options, `searching collection ${collection} by vector`, (where) => {
      const search = table.vectorSearch(vector).distanceType('cosine');
      return (where ? search.where(where) : search).select(columns).limit(clampLimit(options.limit)).toArrow();
    });
    // The score is the cosine, from the stored unit vectors: LanceDB's `_distance` is 1 - cosine
    // on an exact scan but 2 - 2·cosine through the HNSW index, and one result can hold rows of
    // both (those written since the last index refresh are scanned exactly).
    // Object.assign, not { ...passage, score }: docs/architecture.md, "Hot paths on Node 20".
    return passages.map(({ vector: stored, ...passage }) =>
      Object.assign(passage, { score: stored ? dot(vector, stored) : 0 }, options.withVectors && stored ? { vector: stored } : {}),
    );
  }

  /**
   * Runs a search with the filter as a LanceDB predicate and reads its passages. While the table
   * holds no document with an access list, the access clause is left out (it would keep every
   * row, and costs the vector search a pre-filter pass); each passage read says whether it is
   * public, and should a restricted document have been committed meanwhile (a write racing this
   * search), the search runs again with the clause.
   */
  private async visiblePassages(
    name: string,
    table: Table,
    options: ChunkSearchOptions,
    what: string,
    search: (where: string | undefined) => Promise<ArrowTable>,
  ): Promise<StoredPassage[]> {
    if (await this.accessRestricted(name, table)) return passagesOf(await guard(what, () => search(toLanceWhere(options.filter)))).passages;
    const unrestricted = passagesOf(await guard(what, () => search(toLanceWhere(options.filter, false))));
    if (unrestricted.allPublic) return unrestricted.passages;
    this.restrictedTables.set(name, Promise.resolve(true));
    return passagesOf(await guard(what, () => search(toLanceWhere(options.filter)))).passages;
  }

  private accessRestricted(name: string, table: Table): Promise<boolean> {
    const known = this.restrictedTables.get(name);
    if (known) return known;
    const generation = this.writeGenerations.get(name) ?? 0;
    const counting = guard('counting access-restricted chunks', () => table.countRows('NOT is_public')).then((count) => count > 0);
    this.restrictedTables.set(name, counting);
    const forget = () => {
      if (this.restrictedTables.get(name) === counting) this.restrictedTables.delete(name);
    };
    counting.then(() => (this.writeGenerations.get(name) ?? 0) !== generation && forget(), forget);
    return counting;
  }

  /**
   * Called before a write commits: a restricted document makes the table restricted at once (a
   * search never sees its rows unfiltered); any other write may have removed the last restricted
   * row, so the next search counts again.
   */
  private noteWrite(name: string, restricted: boolean): void {
    this.writeGenerations.set(name, (this.writeGenerations.get(name) ?? 0) + 1);
    if (restricted) this.restrictedTables.set(name, Promise.resolve(true));
    else this.restrictedTables.delete(name);
  }

  async hasVectors(tenantId: string, collection: string): Promise<boolean> {
    const name = tableName(tenantId, collection);
    const table = await this.openTable(name);
    return table ? this.tableHasVectors(name, table) : false;
  }

  private async tableHasVectors(name: string, table: Table): Promise<boolean> {
    if (!this.options.vectorDimensions) return false;
    return (await this.layoutOf(name, table)).hasVectors;
  }

  private async layoutOf(name: string, table: Table): Promise<TableLayout> {
    let known = this.layouts.get(name);
    if (known === undefined) {
      const schema = await guard('reading the table schema', () => table.schema());
      const vector = schema.fields.find((field) => field.name === 'vector');
      const embedderId = vector?.metadata.get(EMBEDDER_METADATA_KEY);
      const packed = schema.fields.some((field) => field.name === PASSAGE_COLUMN);
      known = { hasVectors: vector !== undefined, packed, ...(embedderId ? { embedderId } : {}) };
      this.layouts.set(name, known);
    }
    return known;
  }

  /**
   * Tables created before embedders were recorded carry no id and are not checked: their vectors
   * came from whatever embedder was configured then, which the table cannot tell. A collection
   * ingested anew (a new table) records its embedder.
   */
  private async requireSameEmbedder(name: string, table: Table, collection: string): Promise<void> {
    const expected = this.options.embedderId;
    if (expected === undefined) return;
    const recorded = (await this.layoutOf(name, table)).embedderId;
    if (recorded !== undefined && recorded !== expected) {
      throw new RetrievalException(
        RetrievalErrorCode.EmbedderMismatch,
        `collection ${collection} holds vectors of embedder ${recorded}, but this service embeds with ${expected}: ` +
          'configure that embedder again (RETRIEVAL_EMBEDDER_PRECISION for the local model), or ingest into a new collection',
      );
    }
  }

  async refreshIndexes(tenantId: string, collection: string): Promise<void> {
    const name = tableName(tenantId, collection);
    await this.writes.run(name, async () => {
      const table = await this.openTable(name);
      if (!table) return;
      // optimize() adds unindexed rows to the existing indexes incrementally and compacts the
      // small fragments that per-document commits leave behind.
      // Bounded: with one CPU slot LanceDB 0.31 parked this forever at 0 % CPU on a 100k-row table
      // (lance-cpu-threads.ts has the cause and the fix); should an index build hang again, the
      // rows stay searchable unindexed and the caller gets an error, not an endless Ingest stream.
      await withTimeout(this.refreshTimeoutMs, `refreshing the indexes of collection ${collection}`, async () => {
        await guard(`refreshing the indexes of collection ${collection}`, () => table.optimize());
        await this.ensureScalarIndexes(table);
        await this.ensureVectorIndex(table);
      });
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

  /**
   * Every search pre-filters on is_public/access (and often tags, source): without scalar
   * indexes that filter scans every row and costs more than the vector search itself
   * (measured: 12.7 ms vs 2.9 ms at 100k rows). Built once; optimize() keeps them current.
   */
  private async ensureScalarIndexes(table: Table): Promise<void> {
    const indexed = new Set((await table.listIndices()).flatMap((index) => index.columns));
    const wanted: [string, ReturnType<typeof Index.bitmap>][] = [
      ['is_public', Index.bitmap()],
      ['access', Index.labelList()],
      ['tags', Index.labelList()],
      ['source', Index.btree()],
      ['lsh_bands', Index.labelList()],
    ];
    for (const [column, config] of wanted) {
      if (!indexed.has(column)) await guard(`indexing column ${column}`, () => table.createIndex(column, { config, replace: false }));
    }
  }

  private async ensureVectorIndex(table: Table): Promise<void> {
    // LanceDB's exact scan costs ~50 ms at 20k rows here (linear in rows); HNSW stays near 3 ms.
    const minRows = this.options.vectorIndexMinRows ?? 5_000;
    if (!this.options.vectorDimensions) return;
    const indices = await table.listIndices();
    if (indices.some((index) => index.columns.includes('vector'))) return;
    if ((await table.countRows()) < minRows) return;
    await guard('building the vector index', () =>
      // HNSW with scalar-quantised vectors: 2.9 ms per query at 100k rows here, against ~250 ms
      // for LanceDB's exact scan; builds in about half the time of IVF-PQ (measured 261 s vs 560 s).
      // The defaults are one partition (one graph) below ~3M rows of 384 dims, m 20, efConstruction
      // 300; 4 partitions or m 12 measured no faster (docs/retrieval.md, "Vector index parameters at 100k").
      table.createIndex('vector', { config: Index.hnswSq({ distanceType: 'cosine' }) }),
    );
  }

  private db(): Promise<Connection> {
    // Before LanceDB's first call: its CPU pool reads the setting once, when it starts.
    reserveLanceCpuThreads();
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

  /** The table, or undefined when nothing was ever written to it. */
  private async openTable(name: string): Promise<Table | undefined> {
    const cached = this.tables.get(name);
    if (cached) return cached;
    const db = await this.db();
    const names = await guard('listing collections', () => db.tableNames());
    if (!names.includes(name)) return undefined;
    return this.cacheTable(name, () => db.openTable(name));
  }

  /** Only called inside the table's write queue, so two callers never race to create it. */
  private async openOrCreateTable(name: string): Promise<Table> {
    const existing = await this.openTable(name);
    if (existing) return existing;
    const db = await this.db();
    return this.cacheTable(name, async () => {
      const table = await db.createEmptyTable(name, chunkSchema(this.options.vectorDimensions, this.options.embedderId), { mode: 'create', existOk: true });
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
    const table = guard(`opening collection table ${name}`, open);
    this.tables.set(name, table);
    table.catch(() => this.tables.delete(name));
    return table;
  }
}

/**
 * "<collection>__<tenant digest>": the digest keeps any tenant id (quotes, slashes, case) out of
 * directory names while still giving each tenant its own table.
 */
export function tableName(tenantId: string, collection: string): string {
  requireTenantId(tenantId);
  const digest = createHash('sha256').update(tenantId, 'utf8').digest('hex').slice(0, 24);
  return `${canonicalCollectionName(collection)}__${digest}`;
}

function requireSource(source: string): void {
  if (typeof source !== 'string' || source.trim() === '') {
    throw new RetrievalException(RetrievalErrorCode.InvalidDocument, 'document source must be a non-empty string');
  }
}

function requireVector(chunk: ChunkToStore, dimensions: number): Float32Array {
  if (!chunk.vector || chunk.vector.length !== dimensions) {
    throw new RetrievalException(
      RetrievalErrorCode.EmbedderUnavailable,
      `chunk vector has ${chunk.vector?.length ?? 0} dimensions; the collection stores ${dimensions}`,
    );
  }
  return chunk.vector;
}

/** Ids are stable for unchanged content, so re-writing the same document matches its rows. */
function chunkId(tenantId: string, table: string, source: string, contentHash: string, index: number): string {
  return createHash('sha256')
    .update([tenantId, table, source, contentHash, String(index)].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

function searchText(chunk: ChunkToStore): string {
  const heading = chunk.section.startsWith(chunk.title) ? chunk.section : `${chunk.title}\n${chunk.section}`;
  return `${heading}\n${chunk.text}`;
}

function clampLimit(limit: number): number {
  return Math.min(Math.max(1, Math.floor(limit)), MAX_LIMIT);
}

function listOf(value: unknown): string[] {
  if (value && typeof (value as { toArray?: unknown }).toArray === 'function') return [...(value as { toArray(): string[] }).toArray()];
  return Array.isArray(value) ? value.map(String) : [];
}

type ArrowTable = Awaited<ReturnType<ReturnType<Table['query']>['toArrow']>>;

interface TableLayout {
  readonly hasVectors: boolean;
  readonly embedderId?: string;
  /** Has the `passage` column (and no `text`). */
  readonly packed: boolean;
}

/** The `passage` column's JSON: the passage as searches return it (no score, no vector), `updatedAt` in epoch ms, and whether it is public. */
type PackedPassage = Omit<StoredPassage, 'score' | 'vector' | 'updatedAt'> & { readonly updatedAt: number; readonly isPublic: boolean };

function passageColumns(layout: TableLayout): string[] {
  return layout.packed ? [PASSAGE_COLUMN] : EARLIER_PASSAGE_COLUMNS;
}

/**
 * The passages of a search result, and whether every one is public. Read column by column:
 * Arrow's row proxies (`toArray()`) dispatch through a visitor for every field of every row, which
 * cost ~1.7 ms per hybrid search of 40 candidates on the main thread (profiled); the score is
 * `_score` (BM25) when selected, else 0.
 */
function passagesOf(result: ArrowTable): { passages: StoredPassage[]; allPublic: boolean } {
  const column = (field: string) => result.getChild(field);
  const scores = column('_score');
  const vectors = column('vector');
  const packed = column(PASSAGE_COLUMN);
  const scoreAndVector = (i: number) => {
    const vector = vectors?.get(i) as { toArray(): Float32Array } | null | undefined;
    // A copy: the view would keep the whole result batch alive.
    return { score: scores ? Number(scores.get(i)) : 0, ...(vector ? { vector: new Float32Array(vector.toArray()) } : {}) };
  };
  let allPublic = true;
  if (packed) {
    const passages = Array.from({ length: result.numRows }, (_, i): StoredPassage => {
      const { updatedAt, isPublic, ...passage } = JSON.parse(String(packed.get(i))) as PackedPassage;
      allPublic &&= isPublic;
      return Object.assign(passage, { updatedAt: new Date(updatedAt) }, scoreAndVector(i));
    });
    return { passages, allPublic };
  }
  const [ids, sources, titles, sections, texts, pages, tags, updated, isPublic] = EARLIER_PASSAGE_COLUMNS.map(column);
  const passages = Array.from({ length: result.numRows }, (_, i): StoredPassage => {
    allPublic &&= isPublic?.get(i) === true;
    return Object.assign(
      {
        chunkId: String(ids?.get(i)),
        source: String(sources?.get(i)),
        title: String(titles?.get(i)),
        section: String(sections?.get(i)),
        text: String(texts?.get(i)),
        page: Number(pages?.get(i)),
        tags: listOf(tags?.get(i)),
        updatedAt: new Date(Number(updated?.get(i))),
      },
      scoreAndVector(i),
    );
  });
  return { passages, allPublic };
}

async function withTimeout(timeoutMs: number, what: string, operation: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetrievalException(RetrievalErrorCode.StoreFailure, `LanceDB did not finish ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([operation(), timeout]);
  } finally {
    clearTimeout(timer);
  }
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
