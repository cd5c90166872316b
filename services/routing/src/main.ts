import { telemetry } from './instrumentation';
import 'reflect-metadata';
import { Routing } from '@llmops/contracts';
import { runGrpcService } from '@llmops/runtime';
import { createRouting, RoutingModule, type RoutingWiring } from './routing.module';

let wiring: RoutingWiring | undefined;
void runGrpcService({
  service: 'routing',
  telemetry,
  services: [Routing],
  module: async (runtime) => {
    wiring = await createRouting(runtime);
    return RoutingModule.forRoot(wiring);
  },
  onStop: async () => wiring?.close(),
});
