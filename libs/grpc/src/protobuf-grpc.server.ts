import {
  Server as GrpcServer,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { HealthImplementation } from 'grpc-health-check';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { grpcServerDuration, grpcServerHandled } from '@llmops/telemetry';
import { performance } from 'node:perf_hooks';
import { GrpcCallContext } from './grpc-call.context';
import { toGrpcError } from './grpc-status.mapping';
import { ErrorCode, PlatformError } from './platform-error';
import { addReflection } from './reflection';
import { rpcPath, toGrpcServiceDefinition } from './service-definition';
import { metadataGetter } from './trace-propagation';

export interface ProtobufGrpcServerOptions {
  /** host:port to bind; port 0 picks a free one (see `boundPort`). */
  address: string;
  services: DescService[];
  /** Graceful shutdown window before in-flight calls are cut. */
  shutdownTimeoutMs?: number;
}

const tracer = trace.getTracer('@llmops/grpc');

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

async function* observableValues<T>(observable: Observable<T>): AsyncGenerator<T> {
  const queue: T[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const subscription = observable.subscribe({
    next: (item) => {
      queue.push(item);
      wake?.();
    },
    error: (error) => {
      failure = { error };
      wake?.();
    },
    complete: () => {
      finished = true;
      wake?.();
    },
  });
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift() as T;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    subscription.unsubscribe();
  }
}

/** A streaming handler's result as one flat stream of messages. Nest hands back the
 * handler's return value wrapped in an observable, so an async iterable may sit inside. */
async function* streamOf(value: unknown): AsyncGenerator<unknown> {
  if (isObservable(value)) {
    for await (const item of observableValues(value as Observable<unknown>)) yield* streamOf(item);
  } else if (isAsyncIterable(value)) {
    yield* value;
  } else if (Array.isArray(value)) {
    yield* value;
  } else if (value !== undefined) {
    yield value;
  }
}

/**
 * NestJS transport that serves protobuf-es service descriptors over @grpc/grpc-js.
 * Handlers are registered with `@GrpcRpc(Service, 'method')`; unary handlers return a value,
 * a promise or an observable; server-streaming handlers return an async iterable (written
 * with back-pressure) or an observable. Every call gets a server span continued from the
 * caller's `traceparent`, and every error leaves as a gRPC status with its domain code.
 * The standard health service and server reflection are always served.
 */
export class ProtobufGrpcServer extends Server implements CustomTransportStrategy {
  private readonly grpcServer = new GrpcServer({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  /** Nest's lookup JSON-parses the pattern (and throws on a path) on every call: resolved once per method. */
  private readonly handlers = new Map<string, NonNullable<ReturnType<Server['getHandlerByPattern']>>>();
  private port = 0;

  constructor(private readonly options: ProtobufGrpcServerOptions) {
    super();
  }

  get boundPort(): number {
    return this.port;
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      for (const service of this.options.services) {
        this.grpcServer.addService(toGrpcServiceDefinition(service), this.implementationOf(service));
        this.health.setStatus(service.typeName, 'NOT_SERVING');
      }
      this.health.addToServer(this.grpcServer);
      addReflection(this.grpcServer, this.options.services);
    } catch (error) {
      callback(error);
      return;
    }
    this.grpcServer.bindAsync(this.options.address, ServerCredentials.createInsecure(), (error, port) => {
      if (error) {
        callback(error);
        return;
      }
      this.port = port;
      this.setServing(true);
      callback();
    });
  }

  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    for (const service of this.options.services) this.health.setStatus(service.typeName, status);
  }

  async close(): Promise<void> {
    this.setServing(false);
    const timeout = this.options.shutdownTimeoutMs ?? 5000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, timeout);
      this.grpcServer.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  on(): never {
    throw new Error('ProtobufGrpcServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.grpcServer as T;
  }

  private implementationOf(service: DescService): UntypedServiceImplementation {
    const implementation: UntypedServiceImplementation = {};
    for (const method of service.methods) {
      if (method.methodKind === 'unary') {
        implementation[method.localName] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
          void this.serveUnary(method, call, callback);
      } else if (method.methodKind === 'server_streaming') {
        implementation[method.localName] = (call: ServerWritableStream<unknown, unknown>) =>
          void this.serveServerStream(method, call);
      } else {
        implementation[method.localName] = (_call: unknown, callback?: sendUnaryData<unknown>) =>
          callback?.({ code: GrpcStatus.UNIMPLEMENTED, details: `${method.methodKind} is not supported` });
      }
    }
    return implementation;
  }

  private startSpan(method: DescMethod, ctx: GrpcCallContext): { span: Span; spanContext: ReturnType<typeof context.active> } {
    const parent = propagation.extract(context.active(), ctx.metadata, metadataGetter);
    const span = tracer.startSpan(
      `${method.parent.typeName}/${method.name}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'grpc',
          'rpc.service': method.parent.typeName,
          'rpc.method': method.name,
        },
      },
      parent,
    );
    return { span, spanContext: trace.setSpan(parent, span) };
  }

  private async invoke(method: DescMethod, request: unknown, ctx: GrpcCallContext): Promise<unknown> {
    const path = rpcPath(method);
    let handler = this.handlers.get(path);
    if (!handler) {
      handler = this.getHandlerByPattern(path) ?? undefined;
      if (!handler) throw new PlatformError(ErrorCode.Unimplemented, `${path} has no handler`);
      this.handlers.set(path, handler);
    }
    return handler(request, ctx);
  }

  private observe(method: DescMethod, startedAt: number, code: GrpcStatus): void {
    const labels = { grpc_service: method.parent.typeName, grpc_method: method.name };
    // grpc_code first, not { ...labels, grpc_code }: docs/architecture.md, "Hot paths on Node 20".
    grpcServerHandled.inc({ grpc_code: GrpcStatus[code] ?? String(code), ...labels });
    grpcServerDuration.observe(labels, (performance.now() - startedAt) / 1000);
  }

  private endSpanWithError(span: Span, error: unknown): ReturnType<typeof toGrpcError> {
    const payload = toGrpcError(error);
    span.setAttribute('rpc.grpc.status_code', payload.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: payload.details });
    if (!(error instanceof PlatformError)) {
      span.recordException(error instanceof Error ? error : String(error));
      const described = error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error);
      this.logger.error(`unexpected error in ${span.spanContext().traceId ? `trace ${span.spanContext().traceId}` : 'a handler'}: ${described}`);
    }
    span.end();
    return payload;
  }

  private async serveUnary(
    method: DescMethod,
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ): Promise<void> {
    const startedAt = performance.now();
    const ctx = new GrpcCallContext(call, rpcPath(method));
    const { span, spanContext } = this.startSpan(method, ctx);
    try {
      const result = await context.with(spanContext, async () => {
        const value = await this.invoke(method, call.request, ctx);
        return isObservable(value) ? lastValueFrom(value as Observable<unknown>) : value;
      });
      span.setAttribute('rpc.grpc.status_code', GrpcStatus.OK);
      span.end();
      this.observe(method, startedAt, GrpcStatus.OK);
      callback(null, result);
    } catch (error) {
      const payload = this.endSpanWithError(span, error);
      this.observe(method, startedAt, payload.code);
      callback(payload);
    } finally {
      ctx.release();
    }
  }

  private async serveServerStream(method: DescMethod, call: ServerWritableStream<unknown, unknown>): Promise<void> {
    const startedAt = performance.now();
    const ctx = new GrpcCallContext(call, rpcPath(method));
    const { span, spanContext } = this.startSpan(method, ctx);
    try {
      await context.with(spanContext, async () => {
        const value = await this.invoke(method, call.request, ctx);
        for await (const item of streamOf(value)) {
          if (call.cancelled) break;
          if (!call.write(item)) await new Promise((resolve) => call.once('drain', resolve));
        }
      });
      span.setAttribute('rpc.grpc.status_code', GrpcStatus.OK);
      span.end();
      this.observe(method, startedAt, GrpcStatus.OK);
      call.end();
    } catch (error) {
      const payload = this.endSpanWithError(span, error);
      this.observe(method, startedAt, payload.code);
      // grpc-js turns an 'error' event carrying {code, details, metadata} into the call's status.
      if (!call.cancelled) call.emit('error', payload);
    } finally {
      ctx.release();
    }
  }
}
