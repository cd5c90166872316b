import { dot, type TextEmbedder } from '@llmops/embeddings';
import { canonicalFilter, type ChunkFilter } from '../store/chunk-filter';
import type { ChunkStore, StoredPassage } from '../store/chunk-store';
import { canonicalCollectionName, requireTenantId } from '../store/collection-name';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import type { ContextAssembler } from './context-assembler';
import type { Reranker } from './http.reranker';
import { maximalMarginalRelevance } from './mmr';
import { reciprocalRankFusion } from './rank-fusion';
import { normalizeQuery, SearchCache } from './search-cache';

export type SearchMode = 'keyword' | 'dense' | 'hybrid';

export interface SearchQuery {
  readonly tenantId: string;
  readonly collection: string;
  readonly query: string;
  /** 0 = the default. */
  readonly topK: number;
  /** Undefined = hybrid when an embedder is configured, else keyword. */
  readonly mode?: SearchMode;
  readonly filter?: ChunkFilter;
  readonly rerank?: boolean;
  readonly scoreThreshold?: number;
  readonly mmrLambda?: number;
  /** > 0: also assemble a cited context within this many tokens. */
  readonly contextTokenBudget?: number;
}

export interface SearchHit {
  readonly chunkId: string;
  readonly source: string;
  readonly title: string;
  readonly section: string;
  readonly text: string;
  readonly page: number;
  readonly tags: readonly string[];
  readonly updatedAt: Date;
  /** Fused (RRF), BM25, cosine or rerank score by mode: higher is more relevant; comparable only within one response. */
  readonly score: number;
  /** What the threshold is compared with: rerank score, else cosine similarity to the query, else 0. */
  readonly relevance: number;
  /** [n] marker in the assembled context; 0 when not in it. */
  readonly citation: number;
}

export interface SearchResult {
  readonly passages: SearchHit[];
  readonly nothingRelevant: boolean;
  readonly context: string;
  readonly contextTokens: number;
  readonly mode: SearchMode;
  readonly cached: boolean;
}

export interface SearchServiceOptions {
  readonly defaultTopK?: number;
  readonly maxTopK?: number;
  /** Candidates taken from each retriever before fusion, as a multiple of top k (at least 20). */
  readonly candidateFactor?: number;
  readonly rrfK?: number;
  /** Threshold for collections that set none; undefined = no threshold. */
  readonly scoreThresholdFor?: (collection: string) => number | undefined;
  readonly cache?: SearchCache<SearchResult>;
}

interface Candidate {
  readonly passage: StoredPassage;
  score: number;
  relevance: number;
}

/**
 * Searches a tenant's collection by keyword (BM25), by meaning (dense vectors), or both fused
 * by reciprocal rank; then optionally diversifies (MMR), reranks with a cross-encoder, drops
 * passages under the relevance threshold and assembles a cited context.
 *
 * An unknown collection, or one holding nothing for this tenant, yields no passages rather than
 * NOT_FOUND: a retrieval-augmented request should degrade to no context, not fail.
 */
export class SearchService {
  private readonly defaultTopK: number;
  private readonly maxTopK: number;
  private readonly cache: SearchCache<SearchResult>;

  constructor(
    private readonly store: ChunkStore,
    private readonly assembler: ContextAssembler,
    private readonly embedder: TextEmbedder | undefined,
    private readonly reranker: Reranker | undefined,
    private readonly options: SearchServiceOptions = {},
  ) {
    this.defaultTopK = options.defaultTopK ?? 5;
    this.maxTopK = options.maxTopK ?? 50;
    this.cache = options.cache ?? new SearchCache();
  }

  /** Drops cached results of the collection (called after every write to it). */
  invalidate(tenantId: string, collection: string): void {
    this.cache.invalidate(scopeOf(tenantId, collection));
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    requireTenantId(query.tenantId);
    const collection = canonicalCollectionName(query.collection);
    const mode = query.mode ?? (this.embedder ? 'hybrid' : 'keyword');
    if (mode !== 'keyword' && !this.embedder) {
      throw new RetrievalException(RetrievalErrorCode.EmbedderUnavailable, `${mode} search needs an embedder: set retrieval.embedder in llmops.yaml`);
    }
    if (query.rerank && !this.reranker) {
      throw new RetrievalException(RetrievalErrorCode.RerankFailure, 'rerank was requested but retrieval.rerank is not configured');
    }
    if (query.mmrLambda !== undefined && !(query.mmrLambda >= 0 && query.mmrLambda <= 1)) {
      throw new RetrievalException(RetrievalErrorCode.InvalidQuery, 'mmr_lambda must be between 0 and 1');
    }
    const topK = query.topK > 0 ? Math.min(Math.floor(query.topK), this.maxTopK) : this.defaultTopK;
    const threshold = query.scoreThreshold ?? this.options.scoreThresholdFor?.(collection);
    const filter = query.filter ?? {};
    const text = query.query.trim();
    const empty: SearchResult = { passages: [], nothingRelevant: true, context: '', contextTokens: 0, mode, cached: false };
    if (text === '') return empty;

    const scope = scopeOf(query.tenantId, collection);
    const key = JSON.stringify([normalizeQuery(text), mode, topK, threshold ?? null, query.rerank ?? false, query.mmrLambda ?? null, query.contextTokenBudget ?? 0, canonicalFilter(filter)]);
    const cached = this.cache.get(scope, key);
    if (cached) return { ...cached, cached: true };

    const candidates = await this.candidates(query.tenantId, collection, text, mode, filter, topK, query.mmrLambda !== undefined);
    let ranked = candidates;
    if (query.mmrLambda !== undefined) {
      const pool = Math.max(topK, query.rerank ? topK * 3 : topK);
      ranked = maximalMarginalRelevance(candidates, (c) => c.relevance, (c) => c.passage.vector, query.mmrLambda, pool);
    }
    if (query.rerank) {
      const pool = ranked.slice(0, Math.max(topK * 3, 20));
      const scores = await this.reranker!.rerank(text, pool.map((c) => c.passage.text));
      pool.forEach((c, index) => {
        c.score = scores[index];
        c.relevance = scores[index];
      });
      ranked = pool.sort((a, b) => b.score - a.score);
    }
    const relevant = threshold === undefined || (mode === 'keyword' && !query.rerank) ? ranked : ranked.filter((c) => c.relevance >= threshold);
    const top = relevant.slice(0, topK);
    const context = query.contextTokenBudget ? this.assembler.assemble(top.map((c) => c.passage), query.contextTokenBudget) : undefined;
    const result: SearchResult = {
      passages: top.map((c, index) => ({
        chunkId: c.passage.chunkId,
        source: c.passage.source,
        title: c.passage.title,
        section: c.passage.section,
        text: c.passage.text,
        page: c.passage.page,
        tags: c.passage.tags,
        updatedAt: c.passage.updatedAt,
        score: c.score,
        relevance: c.relevance,
        citation: context?.citations[index] ?? 0,
      })),
      nothingRelevant: top.length === 0,
      context: context?.text ?? '',
      contextTokens: context?.tokens ?? 0,
      mode,
      cached: false,
    };
    this.cache.set(scope, key, result);
    return result;
  }

  private async candidates(
    tenantId: string,
    collection: string,
    text: string,
    mode: SearchMode,
    filter: ChunkFilter,
    topK: number,
    forMmr: boolean,
  ): Promise<Candidate[]> {
    const limit = Math.max(topK * (this.options.candidateFactor ?? 4), 20);
    const withVectors = mode !== 'keyword';
    let queryVector: Float32Array | undefined;
    // The keyword search does not wait for the query embedding: the two run side by side.
    const [keyword, dense] = await Promise.all([
      mode === 'dense' ? [] : this.store.searchText(tenantId, collection, text, { limit, filter, withVectors }),
      mode === 'keyword'
        ? []
        : this.embedder!.embed([text]).then(([vector]) => {
            queryVector = vector;
            return this.store.searchVector(tenantId, collection, vector, { limit, filter, withVectors: withVectors || forMmr });
          }),
    ]);
    // A keyword hit of a hybrid search gets its cosine from its vector (all embedders return unit vectors).
    const relevanceOf = (passage: StoredPassage) => (queryVector && passage.vector ? dot(queryVector, passage.vector) : 0);
    if (mode === 'keyword') return keyword.map((passage) => ({ passage, score: passage.score, relevance: 0 }));
    if (mode === 'dense') return dense.map((passage) => ({ passage, score: passage.score, relevance: passage.score }));
    return reciprocalRankFusion([keyword, dense], (p) => p.chunkId, this.options.rrfK ?? 60).map(({ item, score }) => ({
      passage: item,
      score,
      relevance: relevanceOf(item),
    }));
  }
}

function scopeOf(tenantId: string, collection: string): string {
  return `${tenantId}\u0000${collection}`;
}
