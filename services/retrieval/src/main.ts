import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Retrieval } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { loadRetrievalConfig } from './config/retrieval.config';
import { RetrievalModule } from './retrieval.module';
import { LanceChunkStore } from './store/lance-chunk.store';

// The store is closed by RetrievalModule's shutdown hook, which app.close() runs.
void runGrpcService({
  service: 'retrieval',
  telemetry,
  services: [Retrieval],
  module: (runtime) => {
    // Loaded here, not at the top, so that a bad configuration is logged as "failed to start".
    const config = loadRetrievalConfig(process.env);
    runtime.logger.info({ dataDir: config.dataDir, ingestRoot: config.ingestRoot }, 'retrieval configured');
    return RetrievalModule.forRoot(runtime, config, new LanceChunkStore({ directory: config.dataDir }));
  },
});
