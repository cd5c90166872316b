import { createHash } from 'node:crypto';
import type { ChunkStore } from '../store/chunk-store';
import { canonicalCollectionName, requireTenantId } from '../store/collection-name';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import type { MarkdownChunker } from './markdown-chunker';
import { resolveMediaType, type SupportedMediaType } from './media-type';

export interface IngestDocumentInput {
  /** Path or URL: the document's identity within the tenant's collection and the citation users see. */
  readonly source: string;
  readonly content: string;
  /** text/markdown or text/plain; when empty, inferred from the source's extension. */
  readonly mediaType?: string;
}

export interface IngestProgress {
  readonly documentsDone: number;
  readonly documentsTotal: number;
  readonly chunksWritten: number;
  /** Documents whose content was unchanged since their last ingestion. */
  readonly documentsSkipped: number;
  readonly currentSource: string;
  readonly done: boolean;
}

/** Awaited before the next document, so a slow consumer (a gRPC stream) applies back-pressure. */
export type IngestProgressListener = (progress: IngestProgress) => void | Promise<void>;

/**
 * Ingests documents into a tenant's collection: unchanged documents (same sha256 as stored) are
 * skipped, changed ones are re-chunked and replace their previous chunks. The listener hears once
 * per document and once more with done = true.
 */
export class IngestionService {
  constructor(
    private readonly store: ChunkStore,
    private readonly chunker: MarkdownChunker,
  ) {}

  async ingest(
    tenantId: string,
    collection: string,
    documents: readonly IngestDocumentInput[],
    onProgress?: IngestProgressListener,
    signal?: AbortSignal,
  ): Promise<IngestProgress> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    // Validate everything first so that one bad document fails the request before anything is written.
    const prepared = prepare(documents);

    let documentsDone = 0;
    let documentsSkipped = 0;
    let chunksWritten = 0;
    const progress = (currentSource: string, done: boolean): IngestProgress => ({
      documentsDone,
      documentsTotal: prepared.length,
      chunksWritten,
      documentsSkipped,
      currentSource,
      done,
    });

    try {
      for (const document of prepared) {
        signal?.throwIfAborted();
        const contentHash = sha256(document.content);
        const storedHash = await this.store.documentHash(tenantId, name, document.source);
        if (storedHash === contentHash) {
          documentsSkipped++;
        } else {
          const chunks = this.chunker.chunk(document);
          chunksWritten += await this.store.upsertDocumentChunks(tenantId, name, document.source, contentHash, chunks);
        }
        documentsDone++;
        await onProgress?.(progress(document.source, false));
      }
    } finally {
      // Also after a failure or cancellation: whatever was written should be indexed.
      if (chunksWritten > 0) await this.store.refreshTextIndex(name);
    }
    const final = progress('', true);
    await onProgress?.(final);
    return final;
  }
}

interface PreparedDocument {
  readonly source: string;
  readonly mediaType: SupportedMediaType;
  readonly content: string;
}

function prepare(documents: readonly IngestDocumentInput[]): PreparedDocument[] {
  const seen = new Set<string>();
  return documents.map((document, index) => {
    const source = (document.source ?? '').trim();
    if (source === '') {
      throw new RetrievalException(RetrievalErrorCode.InvalidDocument, `document #${index + 1} has no source`);
    }
    if (seen.has(source)) {
      throw new RetrievalException(
        RetrievalErrorCode.InvalidDocument,
        `document source ${JSON.stringify(source)} appears more than once in one request`,
      );
    }
    seen.add(source);
    if (typeof document.content !== 'string') {
      throw new RetrievalException(RetrievalErrorCode.InvalidDocument, `document ${JSON.stringify(source)} has no content`);
    }
    return { source, mediaType: resolveMediaType(source, document.mediaType), content: document.content };
  });
}

function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
