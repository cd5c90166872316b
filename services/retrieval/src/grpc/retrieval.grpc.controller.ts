import { create } from '@bufbuild/protobuf';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  DeleteDocumentResponseSchema,
  IngestProgressSchema,
  Retrieval,
  SearchResponseSchema,
  type DeleteDocumentRequest,
  type DeleteDocumentResponse,
  type IngestProgress,
  type IngestRequest,
  type SearchRequest,
  type SearchResponse,
} from '@llmops/contracts';
import { ErrorCode, GrpcCallContext, GrpcRpc, PlatformError } from '@llmops/grpc';
import { LlmopsAttributes } from '@llmops/telemetry';
import { IngestDocumentsUseCase } from '../ingestion/ingest-documents.use-case';
import type { IngestProgress as DomainIngestProgress } from '../ingestion/ingestion.service';
import { IngestionService } from '../ingestion/ingestion.service';
import { RETRIEVAL_LOGGER } from '../retrieval.tokens';
import { SearchService } from '../search/search.service';
import { streamFromListener } from './listener-stream';
import { toPlatformError } from './retrieval-error.mapping';
import { PROTO_MODE_OF, toIngestDocument, toSearchQuery } from './search-request.mapping';

@Controller()
export class RetrievalGrpcController {
  constructor(
    private readonly ingestion: IngestDocumentsUseCase,
    private readonly searches: SearchService,
    private readonly documents: IngestionService,
    @Inject(RETRIEVAL_LOGGER) private readonly logger: Logger,
  ) {}

  @GrpcRpc(Retrieval, 'ingest')
  async *ingest(@Payload() request: IngestRequest, @Ctx() call: GrpcCallContext): AsyncGenerator<IngestProgress> {
    const tenantId = tenantOf(request);
    annotateActiveSpan(tenantId, request.collection);
    const command = {
      tenantId,
      collection: request.collection,
      documents: request.documents.map(toIngestDocument),
      paths: request.paths,
      ...(request.prunePrefix !== undefined ? { prunePrefix: request.prunePrefix } : {}),
    };
    try {
      const progress = streamFromListener<DomainIngestProgress>((listener) => this.ingestion.ingest(command, listener, call.signal));
      for await (const step of progress) yield create(IngestProgressSchema, step);
    } catch (error) {
      throw this.failure(error, call);
    }
  }

  @GrpcRpc(Retrieval, 'search')
  async search(@Payload() request: SearchRequest, @Ctx() call: GrpcCallContext): Promise<SearchResponse> {
    const tenantId = tenantOf(request);
    annotateActiveSpan(tenantId, request.collection);
    try {
      const result = await this.searches.search(toSearchQuery(tenantId, request));
      trace.getActiveSpan()?.setAttribute(LlmopsAttributes.passages, result.passages.length);
      return create(SearchResponseSchema, {
        passages: result.passages.map((hit) => Object.assign({}, hit, { tags: [...hit.tags], updatedAtMs: BigInt(hit.updatedAt.getTime()) })),
        nothingRelevant: result.nothingRelevant,
        context: result.context,
        contextTokens: result.contextTokens,
        mode: PROTO_MODE_OF[result.mode],
        cached: result.cached,
      });
    } catch (error) {
      throw this.failure(error, call);
    }
  }

  @GrpcRpc(Retrieval, 'deleteDocument')
  async deleteDocument(@Payload() request: DeleteDocumentRequest, @Ctx() call: GrpcCallContext): Promise<DeleteDocumentResponse> {
    const tenantId = tenantOf(request);
    annotateActiveSpan(tenantId, request.collection);
    try {
      const chunksDeleted = await this.documents.deleteDocument(tenantId, request.collection, request.source);
      return create(DeleteDocumentResponseSchema, { chunksDeleted });
    } catch (error) {
      throw this.failure(error, call);
    }
  }

  private failure(error: unknown, call: GrpcCallContext): PlatformError {
    const platformError = toPlatformError(error, call);
    // The client gets a generic message for these; the operator needs the real cause.
    if (platformError.code === ErrorCode.Internal) this.logger.error({ err: error, rpc: call.rpc }, 'retrieval call failed');
    return platformError;
  }
}

/** The gateway fills the context from the caller's API key; an empty tenant is refused by the domain (INVALID_TENANT). */
function tenantOf(request: { context?: { tenantId: string } }): string {
  return request.context?.tenantId ?? '';
}

function annotateActiveSpan(tenantId: string, collection: string): void {
  trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.tenantId]: tenantId, [LlmopsAttributes.collection]: collection });
}
