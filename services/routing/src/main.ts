import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Routing } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { RoutingModule } from './routing.module';

void runGrpcService({ service: 'routing', telemetry, services: [Routing], module: () => RoutingModule.forRoot() });
