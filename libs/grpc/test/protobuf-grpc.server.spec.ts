import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { Payload, Ctx } from '@nestjs/microservices';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { create } from '@bufbuild/protobuf';
import { join } from 'node:path';
import {
  IngestProgressSchema,
  Prompts,
  PromptTemplateSchema,
  Retrieval,
  type GetPromptRequest,
  type IngestRequest,
  type IngestProgress,
  type PromptTemplate,
} from '@llmops/contracts';
import {
  createGrpcClient,
  ErrorCode,
  GrpcCallContext,
  GrpcRpc,
  LazyAbortController,
  PlatformError,
  startGrpcService,
  type GrpcServiceHandle,
} from '@llmops/grpc';

let seenDeadline: number | undefined;
let seenHeader: string | undefined;
let handlerSawCancel: Promise<unknown> | undefined;

@Controller()
class FixturePromptsController {
  @GrpcRpc(Prompts, 'get')
  async get(@Payload() request: GetPromptRequest, @Ctx() ctx: GrpcCallContext): Promise<PromptTemplate> {
    seenDeadline = ctx.deadlineMs;
    seenHeader = ctx.header('x-fixture');
    if (request.name === 'missing') throw new PlatformError(ErrorCode.ModelNotFound, 'no such model: missing');
    if (request.name === 'boom') throw new Error('secret path /etc/shadow leaked');
    if (request.name === 'slow') await new Promise((resolve) => setTimeout(resolve, 500));
    if (request.name === 'until-cancelled') {
      // The handler's signal is made here, after the call began; the caller's cancel must still reach it.
      const signal = ctx.signal;
      handlerSawCancel = new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
      await handlerSawCancel;
    }
    return create(PromptTemplateSchema, { name: request.name, version: '3' });
  }

  @GrpcRpc(Retrieval, 'ingest')
  async *ingest(@Payload() request: IngestRequest): AsyncGenerator<IngestProgress> {
    for (let done = 1; done <= request.documents.length; done++) {
      yield create(IngestProgressSchema, { documentsDone: done, documentsTotal: request.documents.length });
    }
    if (request.collection === 'fail-after-progress') throw new PlatformError(ErrorCode.InvalidRequest, 'bad document');
  }
}

@Module({ controllers: [FixturePromptsController] })
class FixtureModule {}

describe('ProtobufGrpcServer over a real socket', () => {
  let handle: GrpcServiceHandle;
  let address: string;

  beforeAll(async () => {
    handle = await startGrpcService(FixtureModule, { address: '127.0.0.1:0', services: [Prompts, Retrieval] });
    address = `127.0.0.1:${handle.port}`;
  });

  afterAll(async () => {
    await handle.app.close();
  });

  it('serves a unary call with protobuf-es messages, metadata and the caller deadline', async () => {
    const client = createGrpcClient(Prompts, address);
    const deadline = Date.now() + 5000;
    const template = await client.get({ name: 'greeting' }, { deadlineMs: deadline, metadata: { 'x-fixture': 'yes' } });
    expect(template.name).toBe('greeting');
    expect(template.version).toBe('3');
    expect(seenHeader).toBe('yes');
    expect(Math.abs((seenDeadline ?? 0) - deadline)).toBeLessThan(50);
    client.close();
  });

  it('carries the domain error code across the hop and hides internal errors', async () => {
    const client = createGrpcClient(Prompts, address);
    await expect(client.get({ name: 'missing' })).rejects.toMatchObject({
      code: ErrorCode.ModelNotFound,
      message: 'no such model: missing',
    });
    const internal = await client.get({ name: 'boom' }).catch((error: PlatformError) => error);
    expect(internal).toBeInstanceOf(PlatformError);
    expect((internal as PlatformError).code).toBe(ErrorCode.Internal);
    expect((internal as PlatformError).message).not.toContain('shadow');
    client.close();
  });

  it('fails with DEADLINE_EXCEEDED when the deadline passes', async () => {
    const client = createGrpcClient(Prompts, address);
    await expect(client.get({ name: 'slow' }, { timeoutMs: 100 })).rejects.toMatchObject({
      code: ErrorCode.DeadlineExceeded,
    });
    client.close();
  });

  it('cancels a call through a lazy signal source, read only when the call starts, and the handler sees it', async () => {
    const client = createGrpcClient(Prompts, address);
    const lazy = new LazyAbortController();
    let reads = 0;
    const source = {
      get signal() {
        reads += 1;
        return lazy.signal;
      },
    };
    const options = { cancellation: source, timeoutMs: 5_000 };
    expect(reads).toBe(0);
    const call = client.get({ name: 'until-cancelled' }, options).catch((error: PlatformError) => error);
    while (handlerSawCancel === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads).toBe(1);
    lazy.abort(new Error('client went away'));
    await expect(call).resolves.toMatchObject({ code: ErrorCode.Cancelled });
    await expect(handlerSawCancel).resolves.toMatchObject({ message: 'cancelled by the caller' });
    client.close();
  });

  it('streams server-streaming responses and ends with the error status after progress', async () => {
    const client = createGrpcClient(Retrieval, address);
    const documents = [{ source: 'a' }, { source: 'b' }, { source: 'c' }];
    const progress: number[] = [];
    for await (const item of client.ingest({ collection: 'ok', documents })) progress.push(item.documentsDone);
    expect(progress).toEqual([1, 2, 3]);

    const partial: number[] = [];
    const failure = await (async () => {
      for await (const item of client.ingest({ collection: 'fail-after-progress', documents })) partial.push(item.documentsDone);
    })().catch((error: PlatformError) => error);
    expect(partial).toEqual([1, 2, 3]);
    expect(failure).toMatchObject({ code: ErrorCode.InvalidRequest, message: 'bad document' });
    client.close();
  });

  it('answers the standard health checking protocol', async () => {
    const definition = protoLoader.loadSync(join(require.resolve('grpc-health-check'), '../../../proto/health/v1/health.proto'), { enums: String });
    const proto = grpc.loadPackageDefinition(definition) as any;
    const health = new proto.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
    const check = (service: string) =>
      new Promise<any>((resolve, reject) => health.check({ service }, (error: unknown, response: unknown) => (error ? reject(error) : resolve(response))));
    await expect(check('')).resolves.toMatchObject({ status: 'SERVING' });
    await expect(check('llmops.v1.Prompts')).resolves.toMatchObject({ status: 'SERVING' });
    health.close();
  });

  it('lists and describes its services through server reflection', async () => {
    const definition = protoLoader.loadSync(
      join(require.resolve('@grpc/reflection'), '../../proto/grpc/reflection/v1/reflection.proto'),
    );
    const proto = grpc.loadPackageDefinition(definition) as any;
    const reflection = new proto.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure());
    const ask = (request: object) =>
      new Promise<any>((resolve, reject) => {
        const call = reflection.ServerReflectionInfo();
        call.on('data', (response: unknown) => {
          resolve(response);
          call.end();
        });
        call.on('error', reject);
        call.write(request);
      });
    const listed = await ask({ listServices: '*' });
    const names = listed.listServicesResponse.service.map((service: { name: string }) => service.name);
    expect(names).toEqual(expect.arrayContaining(['llmops.v1.Prompts', 'llmops.v1.Retrieval', 'grpc.health.v1.Health']));
    const health = await ask({ fileContainingSymbol: 'grpc.health.v1.Health' });
    expect(health.fileDescriptorResponse.fileDescriptorProto).toHaveLength(1);
    const described = await ask({ fileContainingSymbol: 'llmops.v1.Retrieval' });
    expect(described.fileDescriptorResponse.fileDescriptorProto.length).toBeGreaterThanOrEqual(2);
    reflection.close();
  });
});

describe('a client whose server is not there yet', () => {
  it('waits briefly for the server to come up instead of failing at once', async () => {
    const reserved = await startGrpcService(FixtureModule, { address: '127.0.0.1:0', services: [Prompts, Retrieval] });
    const port = reserved.port;
    await reserved.app.close();
    const client = createGrpcClient(Prompts, `127.0.0.1:${port}`);
    // The first call finds nobody and puts the channel into reconnect backoff.
    await expect(client.get({ name: 'early' }, { timeoutMs: 2000, connectTimeoutMs: 200 })).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    const late = startGrpcService(FixtureModule, { address: `127.0.0.1:${port}`, services: [Prompts, Retrieval] });
    const answer = client.get({ name: 'late' }, { timeoutMs: 10_000 });
    const handle = await late;
    await expect(answer).resolves.toMatchObject({ name: 'late' });
    const streamed: number[] = [];
    for await (const item of createGrpcClient(Retrieval, `127.0.0.1:${port}`).ingest({ collection: 'ok', documents: [{ source: 'a' }] })) streamed.push(item.documentsDone);
    expect(streamed).toEqual([1]);
    client.close();
    await handle.app.close();
  });
});
