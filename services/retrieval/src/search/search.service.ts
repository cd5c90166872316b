import type { ChunkStore } from '../store/chunk-store';
import { canonicalCollectionName, requireTenantId } from '../store/collection-name';

export interface SearchHit {
  readonly chunkId: string;
  readonly source: string;
  readonly section: string;
  readonly text: string;
  /** BM25 score: higher is more relevant; comparable only within one response. */
  readonly score: number;
}

export interface SearchServiceOptions {
  /** Used when the request leaves top_k at 0 (proto default). */
  readonly defaultTopK?: number;
  readonly maxTopK?: number;
}

/**
 * Keyword (BM25) search over a tenant's collection.
 *
 * An unknown collection, or one holding nothing for this tenant, yields [] rather than NOT_FOUND:
 * collections are shared tables, so "not found" would reveal whether other tenants use that
 * name, and a retrieval-augmented request should degrade to no context, not fail. An invalid
 * collection name or tenant still throws INVALID_COLLECTION_NAME / INVALID_TENANT.
 */
export class SearchService {
  private readonly defaultTopK: number;
  private readonly maxTopK: number;

  constructor(
    private readonly store: ChunkStore,
    options: SearchServiceOptions = {},
  ) {
    this.defaultTopK = options.defaultTopK ?? 5;
    this.maxTopK = options.maxTopK ?? 50;
  }

  async search(tenantId: string, collection: string, query: string, topK: number): Promise<SearchHit[]> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    if (query.trim() === '') return [];
    const limit = topK > 0 ? Math.min(Math.floor(topK), this.maxTopK) : this.defaultTopK;
    const passages = await this.store.searchText(tenantId, name, query, limit);
    return passages.map(({ chunkId, source, section, text, score }) => ({ chunkId, source, section, text, score }));
  }
}
