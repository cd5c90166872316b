/** One chunk of a document as the chunker produced it, before it is stored. */
export interface ChunkToStore {
  /** First H1 of the document, or its file name. */
  readonly title: string;
  /** Heading path, e.g. "Guide > Install > Linux"; empty for text outside any heading. */
  readonly section: string;
  readonly text: string;
}

export interface StoredPassage {
  readonly chunkId: string;
  readonly source: string;
  readonly title: string;
  readonly section: string;
  readonly text: string;
  /** BM25 relevance; higher is better; only comparable within one result list. */
  readonly score: number;
}

/**
 * Port for the chunk index. Every method is scoped to one tenant: an implementation must never
 * return or touch another tenant's rows.
 */
export interface ChunkStore {
  /** Replaces every chunk of the document with `chunks`; returns the number of chunks written. */
  upsertDocumentChunks(
    tenantId: string,
    collection: string,
    source: string,
    contentHash: string,
    chunks: readonly ChunkToStore[],
  ): Promise<number>;
  /** Removes the document; returns how many chunks were deleted (0 when it was not there). */
  deleteDocument(tenantId: string, collection: string, source: string): Promise<number>;
  /** Content hash recorded at the document's last ingestion, or undefined when it is not stored. */
  documentHash(tenantId: string, collection: string, source: string): Promise<string | undefined>;
  /** Keyword search; [] when the collection does not exist or has nothing for this tenant. */
  searchText(tenantId: string, collection: string, query: string, topK: number): Promise<StoredPassage[]>;
  /** Folds rows written since the last refresh into the text index (call once per ingest run). */
  refreshTextIndex(collection: string): Promise<void>;
  close(): Promise<void>;
}
