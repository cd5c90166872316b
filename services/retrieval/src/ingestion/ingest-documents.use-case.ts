import { canonicalCollectionName, requireTenantId } from '../store/collection-name';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import type { DocumentLoader } from './document-loader';
import type { IngestDocumentInput, IngestionService, IngestProgress, IngestProgressListener } from './ingestion.service';

export interface IngestDocumentsCommand {
  readonly tenantId: string;
  readonly collection: string;
  /** Documents sent in the request itself. */
  readonly documents: readonly IngestDocumentInput[];
  /** Files or directories on the service's disk, relative to (and confined to) the ingest root. */
  readonly paths: readonly string[];
  /** Delete the collection's documents under this source prefix that the request did not include. */
  readonly prunePrefix?: string;
}

/**
 * One Ingest request: inline documents plus documents loaded from the ingest root, ingested
 * together so that progress counts and the duplicate-source check cover both.
 */
export class IngestDocumentsUseCase {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly loader: DocumentLoader,
  ) {}

  async ingest(command: IngestDocumentsCommand, onProgress?: IngestProgressListener, signal?: AbortSignal): Promise<IngestProgress> {
    // Tenant and collection are checked before any file is read: a request that cannot be
    // ingested must not make the service walk its disk.
    requireTenantId(command.tenantId);
    canonicalCollectionName(command.collection);
    if (command.documents.length === 0 && command.paths.length === 0) {
      throw new RetrievalException(RetrievalErrorCode.InvalidDocument, 'the request has neither documents nor paths to ingest');
    }
    const loaded = command.paths.length > 0 ? await this.loader.load(command.paths) : [];
    signal?.throwIfAborted();
    return this.ingestion.ingest(command.tenantId, command.collection, [...command.documents, ...loaded], onProgress, signal, {
      ...(command.prunePrefix !== undefined ? { prunePrefix: command.prunePrefix } : {}),
    });
  }
}
