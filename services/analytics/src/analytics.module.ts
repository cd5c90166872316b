import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { ServiceRuntime } from '@llmops/runtime';
import type { AnalyticsConfig } from './config/analytics.config';
import { AnalyticsResources } from './analytics.resources';
import { AnalyticsGrpcController } from './query/analytics.grpc.controller';
import { AnalyticsQueryUseCase } from './query/analytics-query.use-case';

@Module({})
export class AnalyticsModule implements OnApplicationShutdown {
  constructor(private readonly resources: AnalyticsResources) {}

  /** Opens ClickHouse (migrated) and starts the event consumer before the gRPC server takes calls. */
  static async forRoot(runtime: ServiceRuntime, config: AnalyticsConfig): Promise<DynamicModule> {
    const resources = await AnalyticsResources.open(config, runtime.logger);
    return AnalyticsModule.withResources(resources);
  }

  static withResources(resources: AnalyticsResources): DynamicModule {
    return {
      module: AnalyticsModule,
      controllers: [AnalyticsGrpcController],
      providers: [
        { provide: AnalyticsResources, useValue: resources },
        { provide: AnalyticsQueryUseCase, useValue: resources.queries },
      ],
    };
  }

  /** The gRPC server has stopped by now (Nest closes the transport first), so nothing reads the store any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.resources.close();
  }
}
