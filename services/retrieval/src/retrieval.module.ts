import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { ServiceRuntime } from '@llmops/runtime';
import type { RetrievalConfig } from './config/retrieval.config';
import { RetrievalGrpcController } from './grpc/retrieval.grpc.controller';
import { DocumentLoader } from './ingestion/document-loader';
import { IngestDocumentsUseCase } from './ingestion/ingest-documents.use-case';
import { IngestionService } from './ingestion/ingestion.service';
import { MarkdownChunker } from './ingestion/markdown-chunker';
import { TokenCounter } from './ingestion/token-counter';
import { CHUNK_STORE, RETRIEVAL_LOGGER } from './retrieval.tokens';
import { SearchService } from './search/search.service';
import type { ChunkStore } from './store/chunk-store';

/**
 * Wires the retrieval use-cases around the given store, and closes that store when the
 * application shuts down.
 * Shutdown hooks run inside app.close(), after the gRPC server stopped, so no call is in
 * flight when the store closes; the memo keeps a second close harmless.
 */
@Module({})
export class RetrievalModule implements OnApplicationShutdown {
  private closing?: Promise<void>;

  constructor(
    @Inject(CHUNK_STORE) private readonly store: ChunkStore,
    @Inject(RETRIEVAL_LOGGER) private readonly logger: ServiceRuntime['logger'],
  ) {}

  static forRoot(runtime: ServiceRuntime, config: RetrievalConfig, store: ChunkStore): DynamicModule {
    const ingestion = new IngestionService(store, new MarkdownChunker(new TokenCounter()));
    const loader = new DocumentLoader({ root: config.ingestRoot });
    return {
      module: RetrievalModule,
      controllers: [RetrievalGrpcController],
      providers: [
        { provide: IngestDocumentsUseCase, useValue: new IngestDocumentsUseCase(ingestion, loader) },
        { provide: SearchService, useValue: new SearchService(store) },
        { provide: CHUNK_STORE, useValue: store },
        { provide: RETRIEVAL_LOGGER, useValue: runtime.logger },
      ],
    };
  }

  onApplicationShutdown(): Promise<void> {
    this.closing ??= this.store.close().then(
      () => this.logger.info('LanceDB store closed'),
      (error: unknown) => this.logger.error({ err: error }, 'closing the LanceDB store failed'),
    );
    return this.closing;
  }
}
