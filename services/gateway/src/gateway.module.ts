import { Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventPublisher } from '@llmops/kafka';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { CompletionUseCase } from './completion/completion.use-case';
import { GatewayGrpcController } from './completion/gateway.grpc.controller';
import type { GatewayConfig } from './config/gateway.config';
import { FeedbackUseCase } from './feedback/feedback.use-case';
import { EVENT_PUBLISHER, GATEWAY_CONFIG, MESH_CLIENTS } from './gateway.tokens';
import { closeMeshClients, connectMeshClients, createMeshClients, type MeshClients } from './mesh/mesh-clients';
import { MetricsHttpController } from './metrics/metrics.http.controller';
import { ModelCatalog } from './models/model-catalog';
import { OpenAiHttpController } from './openai/openai.http.controller';

@Module({})
export class GatewayModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private static mesh: MeshClients | undefined;

  static forRoot(config: GatewayConfig, events: EventPublisher): DynamicModule {
    const mesh = createMeshClients(config.environment.mesh);
    GatewayModule.mesh = mesh;
    const authenticator = new ApiKeyAuthenticator(config.platform.apiKeys);
    return {
      module: GatewayModule,
      controllers: [GatewayGrpcController, OpenAiHttpController, MetricsHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EVENT_PUBLISHER, useValue: events },
        { provide: MESH_CLIENTS, useValue: mesh },
        { provide: ModelCatalog, useValue: new ModelCatalog(config.platform) },
        { provide: CompletionUseCase, useValue: new CompletionUseCase(authenticator, mesh, events) },
        { provide: FeedbackUseCase, useValue: new FeedbackUseCase(authenticator, events) },
      ],
    };
  }

  onApplicationBootstrap(): void {
    // In the background: services may start in any order; an unready channel connects on first use.
    if (GatewayModule.mesh) void connectMeshClients(GatewayModule.mesh, 30_000);
  }

  onApplicationShutdown(): void {
    if (GatewayModule.mesh) closeMeshClients(GatewayModule.mesh);
  }
}
