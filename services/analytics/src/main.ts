import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Analytics } from '@llmops/contracts';
import { loadPlatformConfig } from '@llmops/config';
import { runGrpcService } from '@llmops/runtime';
import { AnalyticsResources } from './analytics.resources';
import { AnalyticsModule } from './analytics.module';
import { loadAnalyticsConfig } from './config/analytics.config';

let resources: AnalyticsResources | undefined;

void runGrpcService({
  service: 'analytics',
  telemetry,
  services: [Analytics],
  module: async (runtime) => {
    const config = loadAnalyticsConfig(process.env, runtime.environment, loadPlatformConfig({ env: process.env }));
    resources = await AnalyticsResources.open(config, runtime.logger);
    return AnalyticsModule.withResources(resources);
  },
  // Usually already done by the module's shutdown hook; close() is idempotent and makes the order explicit.
  onStop: async () => {
    await resources?.close();
  },
});
