import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Retrieval } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { loadRetrievalConfig } from './config/retrieval.config';
import { RetrievalModule } from './retrieval.module';
import { LanceChunkStore } from './store/lance-chunk.store';

let store: LanceChunkStore | undefined;

void runGrpcService({
  service: 'retrieval',
  telemetry,
  services: [Retrieval],
  module: (runtime) => {
    // Loaded here, not at the top, so that a bad configuration is logged as "failed to start".
    const config = loadRetrievalConfig(process.env);
    store = new LanceChunkStore({ directory: config.dataDir });
    runtime.logger.info({ dataDir: config.dataDir, ingestRoot: config.ingestRoot }, 'retrieval configured');
    return RetrievalModule.forRoot(runtime, config, store);
  },
  // Runs after the gRPC server stopped: pending writes drain and LanceDB is closed cleanly.
  onStop: async () => {
    await store?.close();
  },
});
