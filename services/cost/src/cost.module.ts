import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import type { ServiceRuntime } from '@llmops/runtime';
import { CostGrpcController } from './grpc/cost.grpc.controller';
import { COST_EVENTS } from './grpc/cost.tokens';
import { CostCalculator } from './pricing/cost.calculator';
import { PriceCatalog } from './pricing/price.catalog';
import { SpendLedger } from './pricing/spend.ledger';

@Module({})
export class CostModule {
  static forRoot(runtime: Pick<ServiceRuntime, 'events'>, env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    return {
      module: CostModule,
      controllers: [CostGrpcController],
      providers: [
        { provide: CostCalculator, useValue: new CostCalculator(new PriceCatalog(platform.models)) },
        { provide: SpendLedger, useValue: new SpendLedger() },
        { provide: COST_EVENTS, useValue: runtime.events },
      ],
    };
  }
}
