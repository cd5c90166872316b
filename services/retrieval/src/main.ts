import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Guardrails, Retrieval } from '@llmops/contracts';
import { createGrpcClient } from '@llmops/grpc';
import { runGrpcService } from '@llmops/runtime';
import { loadRetrievalConfig } from './config/retrieval.config';
import { createEmbedder } from './embedding/embedder.factory';
import { GuardrailsRedactor } from './redaction/guardrails.redactor';
import { RetrievalModule } from './retrieval.module';
import { LanceChunkStore } from './store/lance-chunk.store';

// The store and embedder are closed by RetrievalModule's shutdown hook, which app.close() runs.
void runGrpcService({
  service: 'retrieval',
  telemetry,
  services: [Retrieval],
  module: async (runtime) => {
    // Loaded here, not at the top, so that a bad configuration is logged as "failed to start".
    const config = loadRetrievalConfig(process.env);
    const embedder = await createEmbedder(config.embedder);
    const vectorDimensions = embedder ? await embedder.dimensions() : undefined;
    runtime.logger.info(
      { dataDir: config.dataDir, ingestRoot: config.ingestRoot, embedder: embedder?.id ?? 'none (keyword search only)', rerank: Boolean(config.rerank) },
      'retrieval configured',
    );
    const store = new LanceChunkStore({ directory: config.dataDir, ...(embedder && vectorDimensions ? { vectorDimensions, embedderId: embedder.id } : {}) });
    // Connected lazily by grpc-js: only collections with `pii: redact` ever call it.
    const guardrails = createGrpcClient(Guardrails, config.guardrailsAddress);
    return RetrievalModule.forRoot(runtime, config, {
      store,
      ...(embedder ? { embedder } : {}),
      redactor: new GuardrailsRedactor(guardrails),
      close: () => guardrails.close(),
    });
  },
});
