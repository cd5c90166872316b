import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import { RoutingGrpcController } from './grpc/routing.grpc.controller';
import { RouteResolver } from './routes/route.resolver';

@Module({})
export class RoutingModule {
  static forRoot(env: Readonly<Record<string, string | undefined>> = process.env): DynamicModule {
    const platform = loadPlatformConfig({ env });
    return { module: RoutingModule, controllers: [RoutingGrpcController], providers: [{ provide: RouteResolver, useValue: new RouteResolver(platform) }] };
  }
}
