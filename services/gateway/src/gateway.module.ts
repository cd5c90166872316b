import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { guardrailPolicyFor, resolveGuardrailPolicies } from '@llmops/config';
import type { EventPublisher } from '@llmops/kafka';
import { InFlightLimiter } from './admission/in-flight.limiter';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { CompletionUseCase, type GuardrailPolicyLookup } from './completion/completion.use-case';
import { GatewayGrpcController } from './completion/gateway.grpc.controller';
import type { GatewayConfig } from './config/gateway.config';
import { EmbeddingUseCase } from './embedding/embedding.use-case';
import { FeedbackUseCase } from './feedback/feedback.use-case';
import { EVENT_PUBLISHER, GATEWAY_CONFIG, MESH_CLIENTS } from './gateway.tokens';
import { closeMeshClients, createMeshClients, type MeshClients } from './mesh/mesh-clients';
import { MetricsHttpController } from './metrics/metrics.http.controller';
import { ModelCatalog } from './models/model-catalog';
import { OpenAiHttpController } from './openai/openai.http.controller';

@Module({})
export class GatewayModule implements OnApplicationShutdown {
  private static mesh: MeshClients | undefined;

  static forRoot(config: GatewayConfig, events: EventPublisher, mesh: MeshClients = createMeshClients(config.environment.mesh)): DynamicModule {
    GatewayModule.mesh = mesh;
    const authenticator = new ApiKeyAuthenticator(config.platform.apiKeys);
    const guardrailPolicies = resolveGuardrailPolicies(config.platform.guardrails);
    const guardrailPolicy: GuardrailPolicyLookup = (tenantId, route) => guardrailPolicyFor(guardrailPolicies, config.platform.guardrails, tenantId, route);
    // One limit for every endpoint: chat and embeddings share the process's capacity.
    const limiter = new InFlightLimiter(config.maxInFlight);
    const models = new ModelCatalog(mesh.routing, config.platform);
    return {
      module: GatewayModule,
      controllers: [GatewayGrpcController, OpenAiHttpController, MetricsHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: EVENT_PUBLISHER, useValue: events },
        { provide: MESH_CLIENTS, useValue: mesh },
        { provide: ModelCatalog, useValue: models },
        { provide: CompletionUseCase, useValue: new CompletionUseCase(authenticator, mesh, events, limiter, guardrailPolicy, models) },
        { provide: EmbeddingUseCase, useValue: new EmbeddingUseCase(authenticator, mesh, events, models, limiter) },
        { provide: FeedbackUseCase, useValue: new FeedbackUseCase(authenticator, events) },
      ],
    };
  }

  onApplicationShutdown(): void {
    if (GatewayModule.mesh) closeMeshClients(GatewayModule.mesh);
  }
}
