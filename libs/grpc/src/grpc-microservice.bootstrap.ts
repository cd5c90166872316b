import type { DynamicModule, INestApplication, INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DescService } from '@bufbuild/protobuf';
import { ProtobufGrpcServer } from './protobuf-grpc.server';
import { PassThroughRpcExceptionFilter } from './rpc-exception.filter';

export interface GrpcServiceHandle {
  app: INestMicroservice;
  server: ProtobufGrpcServer;
  port: number;
}

/** Starts a Nest application whose only transport is gRPC. */
export async function startGrpcService(
  module: Type<unknown> | DynamicModule,
  options: { address: string; services: DescService[] },
): Promise<GrpcServiceHandle> {
  const server = new ProtobufGrpcServer(options);
  const app = await NestFactory.createMicroservice(module, { strategy: server, bufferLogs: false, logger: ['error', 'warn'] });
  app.useGlobalFilters(new PassThroughRpcExceptionFilter());
  await app.listen();
  return { app, server, port: server.boundPort };
}

/** Adds the gRPC transport to an HTTP Nest application (the gateway serves both). */
export async function attachGrpcTransport(
  app: INestApplication,
  options: { address: string; services: DescService[] },
): Promise<ProtobufGrpcServer> {
  const server = new ProtobufGrpcServer(options);
  // Nest ignores global filters on a microservice connected to an HTTP app: controllers served
  // this way must carry @UseFilters(new PassThroughRpcExceptionFilter()) themselves.
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
  await app.startAllMicroservices();
  return server;
}
