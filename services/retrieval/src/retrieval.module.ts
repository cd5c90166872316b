import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { TextEmbedder } from '@llmops/embeddings';
import type { ServiceRuntime } from '@llmops/runtime';
import { DEFAULT_SCORE_THRESHOLD, type RetrievalConfig } from './config/retrieval.config';
import { RetrievalGrpcController } from './grpc/retrieval.grpc.controller';
import { DocumentLoader } from './ingestion/document-loader';
import { DocumentParser } from './ingestion/document-parser';
import { HtmlToMarkdown } from './ingestion/html-to-markdown';
import { IngestDocumentsUseCase } from './ingestion/ingest-documents.use-case';
import { IngestionService } from './ingestion/ingestion.service';
import { MarkdownChunker } from './ingestion/markdown-chunker';
import { PdfTextExtractor } from './ingestion/pdf-text.extractor';
import { TokenCounter } from './ingestion/token-counter';
import { RETRIEVAL_LOGGER, RETRIEVAL_RESOURCES } from './retrieval.tokens';
import { ContextAssembler } from './search/context-assembler';
import { HttpReranker, type Reranker } from './search/http.reranker';
import { SearchService } from './search/search.service';
import type { ChunkStore } from './store/chunk-store';
import type { GuardrailsRedactor } from './redaction/guardrails.redactor';
import { RetrievalErrorCode, RetrievalException } from './store/retrieval.exception';

export interface RetrievalResources {
  readonly store: ChunkStore;
  /** Undefined: keyword search only. */
  readonly embedder?: TextEmbedder;
  /** Overrides the reranker built from config.rerank. */
  readonly reranker?: Reranker;
  /** Used for collections whose policy is `pii: redact`; such ingestions fail without it. */
  readonly redactor?: GuardrailsRedactor;
  /** Releases whatever else main opened (gRPC clients). */
  readonly close?: () => void | Promise<void>;
}

/** The plain-class graph of the service, also used by the evaluation and benchmark scripts. */
export function createRetrievalComponents(config: Pick<RetrievalConfig, 'ingestRoot' | 'collection' | 'rerank'>, resources: RetrievalResources) {
  const tokens = new TokenCounter();
  const chunkers = new Map<string, MarkdownChunker>();
  const reranker = resources.reranker ?? (config.rerank ? new HttpReranker(config.rerank) : undefined);
  const searches = new SearchService(resources.store, new ContextAssembler(tokens), resources.embedder, reranker, {
    // Dense relevance is cosine similarity of this embedder; the default threshold is calibrated for the local model.
    scoreThresholdFor: (collection) => config.collection(collection).scoreThreshold ?? (resources.embedder?.id.startsWith('onnx:') ? DEFAULT_SCORE_THRESHOLD : undefined),
  });
  const ingestion = new IngestionService({
    store: resources.store,
    parser: new DocumentParser(new HtmlToMarkdown(), new PdfTextExtractor()),
    tokens,
    chunkerFor: (collection) => {
      let chunker = chunkers.get(collection);
      if (!chunker) chunkers.set(collection, (chunker = new MarkdownChunker(tokens, config.collection(collection).chunking)));
      return chunker;
    },
    embedder: resources.embedder,
    onCollectionChanged: (tenantId, collection) => searches.invalidate(tenantId, collection),
    redactorFor: (collection) => {
      if (config.collection(collection).pii !== 'redact') return undefined;
      const redactor = resources.redactor;
      if (!redactor) {
        return () => Promise.reject(new RetrievalException(RetrievalErrorCode.RedactionFailure, `collection ${collection} requires PII redaction, but no guardrails client is configured`));
      }
      return (tenantId, source, texts) => redactor.redact(tenantId, source, texts);
    },
  });
  const ingestDocuments = new IngestDocumentsUseCase(ingestion, new DocumentLoader({ root: config.ingestRoot }));
  return { ingestion, ingestDocuments, searches };
}

/**
 * Wires the retrieval use-cases around the given store and embedder, and closes them when the
 * application shuts down.
 * Shutdown hooks run inside app.close(), after the gRPC server stopped, so no call is in
 * flight when the store closes; the memo keeps a second close harmless.
 */
@Module({})
export class RetrievalModule implements OnApplicationShutdown {
  private closing?: Promise<void>;

  constructor(
    @Inject(RETRIEVAL_RESOURCES) private readonly resources: RetrievalResources,
    @Inject(RETRIEVAL_LOGGER) private readonly logger: ServiceRuntime['logger'],
  ) {}

  static forRoot(runtime: ServiceRuntime, config: RetrievalConfig, resources: RetrievalResources): DynamicModule {
    const { ingestion, ingestDocuments, searches } = createRetrievalComponents(config, resources);
    return {
      module: RetrievalModule,
      controllers: [RetrievalGrpcController],
      providers: [
        { provide: IngestDocumentsUseCase, useValue: ingestDocuments },
        { provide: IngestionService, useValue: ingestion },
        { provide: SearchService, useValue: searches },
        { provide: RETRIEVAL_RESOURCES, useValue: resources },
        { provide: RETRIEVAL_LOGGER, useValue: runtime.logger },
      ],
    };
  }

  onApplicationShutdown(): Promise<void> {
    this.closing ??= Promise.all([this.resources.store.close(), this.resources.embedder?.close?.(), this.resources.close?.()]).then(
      () => this.logger.info('LanceDB store and embedder closed'),
      (error: unknown) => this.logger.error({ err: error }, 'closing the LanceDB store failed'),
    );
    return this.closing;
  }
}
