import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Cost } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { CostModule } from './cost.module';

void runGrpcService({ service: 'cost', telemetry, services: [Cost], module: (runtime) => CostModule.forRoot(runtime) });
