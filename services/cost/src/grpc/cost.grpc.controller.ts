import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  Cost,
  CostEventSchema,
  GetSpendResponseSchema,
  PriceResponseSchema,
  type GetSpendRequest,
  type GetSpendResponse,
  type PriceRequest,
  type PriceResponse,
} from '@llmops/contracts';
import { ErrorCode, GrpcRpc, PlatformError } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { CostCalculator } from '../pricing/cost.calculator';
import { SpendLedger } from '../pricing/spend.ledger';
import { toPlatformError } from './cost-error.mapping';
import { COST_EVENTS } from './cost.tokens';

/** Prices each model call from the catalog in llmops.yaml and publishes it to llmops.cost.v1. */
@Controller()
export class CostGrpcController {
  constructor(
    private readonly calculator: CostCalculator,
    private readonly ledger: SpendLedger,
    @Inject(COST_EVENTS) private readonly events: Pick<EventPublisher, 'publish'>,
  ) {}

  @GrpcRpc(Cost, 'price')
  price(@Payload() request: PriceRequest): PriceResponse {
    if (!request.model?.model) throw new PlatformError(ErrorCode.InvalidRequest, 'model is required');
    const usage = request.usage;
    try {
      const priced = this.calculator.price(request.model.model, {
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
        cachedInputTokens: usage?.cachedInputTokens ?? 0,
      });
      const tenantId = request.context?.tenantId ?? '';
      this.ledger.record(tenantId, priced);
      trace.getActiveSpan()?.setAttribute(LlmopsAttributes.costUsd, priced.totalCostUsd);
      this.events.publish(
        'llmops.cost.v1',
        create(CostEventSchema, {
          eventId: randomUUID(),
          traceId: request.traceId,
          occurredAt: timestampFromMs(Date.now()),
          context: request.context,
          model: request.model,
          usage,
          inputCostUsd: priced.inputCostUsd,
          outputCostUsd: priced.outputCostUsd,
          cachedInputCostUsd: priced.cachedInputCostUsd,
          totalCostUsd: priced.totalCostUsd,
          priced: priced.priced,
        }),
      );
      return create(PriceResponseSchema, priced);
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Cost, 'getSpend')
  getSpend(@Payload() request: GetSpendRequest): GetSpendResponse {
    const spend = this.ledger.spend(request.tenantId);
    return create(GetSpendResponseSchema, { totalCostUsd: spend.totalCostUsd, calls: BigInt(spend.calls) });
  }
}
