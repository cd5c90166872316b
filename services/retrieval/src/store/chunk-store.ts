import type { ChunkFilter } from './chunk-filter';

/** One chunk of a document as the chunker produced it, before it is stored. */
export interface ChunkToStore {
  /** The document's title (first H1, HTML <title>, given title, or file name). */
  readonly title: string;
  /** Heading path, e.g. "Guide > Install > Linux"; empty for text outside any heading. */
  readonly section: string;
  readonly text: string;
  /** 1-based PDF page; 0 when the source has no pages. */
  readonly page: number;
  /** MinHash LSH band keys of the text, for near-duplicate lookups. */
  readonly lshBands: readonly string[];
  /** Unit vector; required when the collection has a vector column. */
  readonly vector?: Float32Array;
  /** cl100k_base tokens of the trimmed text, kept with the passage so context assembly need not count them per search. */
  readonly tokens?: number;
}

/** Document-level metadata copied onto each of its chunks. */
export interface StoredDocument {
  readonly source: string;
  readonly contentHash: string;
  readonly mediaType: string;
  readonly tags: readonly string[];
  /** Principals allowed to read it; empty = everyone in the tenant. */
  readonly access: readonly string[];
  readonly updatedAt: Date;
}

export interface StoredPassage {
  readonly chunkId: string;
  readonly source: string;
  readonly title: string;
  readonly section: string;
  readonly text: string;
  readonly page: number;
  readonly tags: readonly string[];
  readonly updatedAt: Date;
  /** BM25 score (keyword) or cosine similarity (vector); higher is better. */
  readonly score: number;
  readonly vector?: Float32Array;
  /** cl100k_base tokens of the trimmed text, when stored with it (ChunkToStore.tokens). */
  readonly tokens?: number;
}

export interface ChunkSearchOptions {
  readonly limit: number;
  readonly filter: ChunkFilter;
  /** Also return each passage's vector (for MMR). */
  readonly withVectors?: boolean;
}

/**
 * Port for the chunk index. Every method is scoped to one tenant: an implementation must never
 * return or touch another tenant's rows, and keyword statistics must not mix tenants either.
 */
export interface ChunkStore {
  /** Replaces every chunk of the document with `chunks`; returns the number of chunks written. */
  upsertDocumentChunks(tenantId: string, collection: string, document: StoredDocument, chunks: readonly ChunkToStore[]): Promise<number>;
  /** The sources of the collection's documents that start with `prefix`. */
  listSources(tenantId: string, collection: string, prefix: string): Promise<string[]>;
  /** Removes the document; returns how many chunks were deleted (0 when it was not there). */
  deleteDocument(tenantId: string, collection: string, source: string): Promise<number>;
  /** Content hash recorded at the document's last ingestion, or undefined when it is not stored. */
  documentHash(tenantId: string, collection: string, source: string): Promise<string | undefined>;
  /** Band keys among `bands` that chunks of documents other than `excludeSource` already carry. */
  existingLshBands(tenantId: string, collection: string, bands: readonly string[], excludeSource: string): Promise<Set<string>>;
  /** BM25 search; [] when the collection does not exist or has nothing for this tenant. */
  searchText(tenantId: string, collection: string, query: string, options: ChunkSearchOptions): Promise<StoredPassage[]>;
  /** Nearest chunks by cosine similarity; [] when the collection has no vectors. */
  searchVector(tenantId: string, collection: string, vector: Float32Array, options: ChunkSearchOptions): Promise<StoredPassage[]>;
  /** Whether the tenant's collection stores vectors (it does when an embedder was configured at its creation). */
  hasVectors(tenantId: string, collection: string): Promise<boolean>;
  /** Folds rows written since the last refresh into the indexes (call once per ingest run). */
  refreshIndexes(tenantId: string, collection: string): Promise<void>;
  close(): Promise<void>;
}
