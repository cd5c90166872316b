import { SearchMode as SearchModeProto, type IngestDocument, type SearchFilter, type SearchRequest } from '@llmops/contracts';
import type { IngestDocumentInput } from '../ingestion/document-parser';
import type { ChunkFilter } from '../store/chunk-filter';
import type { SearchMode, SearchQuery } from '../search/search.service';

const MODE_OF: Record<SearchModeProto, SearchMode | undefined> = {
  [SearchModeProto.UNSPECIFIED]: undefined,
  [SearchModeProto.KEYWORD]: 'keyword',
  [SearchModeProto.DENSE]: 'dense',
  [SearchModeProto.HYBRID]: 'hybrid',
};

export const PROTO_MODE_OF: Record<SearchMode, SearchModeProto> = {
  keyword: SearchModeProto.KEYWORD,
  dense: SearchModeProto.DENSE,
  hybrid: SearchModeProto.HYBRID,
};

export function toSearchQuery(tenantId: string, request: SearchRequest): SearchQuery {
  const mode = MODE_OF[request.mode];
  return {
    tenantId,
    collection: request.collection,
    query: request.query,
    topK: request.topK,
    ...(mode ? { mode } : {}),
    filter: { ...toChunkFilter(request.filter), principals: request.principals },
    rerank: request.rerank,
    ...(request.scoreThreshold !== undefined ? { scoreThreshold: request.scoreThreshold } : {}),
    ...(request.mmrLambda !== undefined ? { mmrLambda: request.mmrLambda } : {}),
    contextTokenBudget: request.contextTokenBudget,
  };
}

function toChunkFilter(filter: SearchFilter | undefined): ChunkFilter {
  if (!filter) return {};
  return {
    sources: filter.sources,
    sourcePrefix: filter.sourcePrefix,
    tagsAny: filter.tagsAny,
    tagsAll: filter.tagsAll,
    sectionPrefix: filter.sectionPrefix,
    title: filter.title,
    ...(filter.pageFrom !== undefined ? { pageFrom: filter.pageFrom } : {}),
    ...(filter.pageTo !== undefined ? { pageTo: filter.pageTo } : {}),
    ...(filter.updatedAfterMs !== undefined ? { updatedAfter: new Date(Number(filter.updatedAfterMs)) } : {}),
    ...(filter.updatedBeforeMs !== undefined ? { updatedBefore: new Date(Number(filter.updatedBeforeMs)) } : {}),
  };
}

export function toIngestDocument(document: IngestDocument): IngestDocumentInput {
  return {
    source: document.source,
    content: document.content,
    ...(document.contentBytes.length > 0 ? { bytes: document.contentBytes } : {}),
    mediaType: document.mediaType,
    ...(document.title ? { title: document.title } : {}),
    tags: document.tags,
    access: document.access,
    ...(document.updatedAtMs ? { updatedAt: new Date(Number(document.updatedAtMs)) } : {}),
  };
}
