import { create } from '@bufbuild/protobuf';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Routing, RouteDecisionSchema, type RouteDecision, type RouteRequest } from '@llmops/contracts';
import { GrpcRpc } from '@llmops/grpc';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { RouteResolver } from '../routes/route.resolver';
import { toPlatformError } from './routing-error.mapping';

@Controller()
export class RoutingGrpcController {
  constructor(private readonly resolver: RouteResolver) {}

  @GrpcRpc(Routing, 'route')
  route(@Payload() request: RouteRequest): RouteDecision {
    try {
      const decision = this.resolver.resolve(request.model);
      trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.route]: decision.route, 'llmops.route.reason': decision.reason });
      return create(RouteDecisionSchema, {
        route: decision.route,
        chain: decision.chain,
        reason: decision.reason,
        prompt: decision.prompt ?? '',
        retrieval: decision.retrieval !== undefined,
        collection: decision.retrieval?.collection ?? '',
      });
    } catch (error) {
      throw toPlatformError(error);
    }
  }
}
