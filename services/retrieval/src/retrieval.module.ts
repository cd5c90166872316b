import { Module, type DynamicModule } from '@nestjs/common';
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
 * Wires the retrieval use-cases. The store is passed in rather than created here because its
 * owner closes it: main.ts after serving stopped, a test after its assertions.
 */
@Module({})
export class RetrievalModule {
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
}
