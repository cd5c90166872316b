import {
  connectivityState,
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { create, type DescMessage, type DescMethod, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { fromGrpcError } from './grpc-status.mapping';
import type { SignalSource } from './lazy-abort-controller';
import { ErrorCode, PlatformError } from './platform-error';
import { toGrpcServiceDefinition } from './service-definition';
import { metadataSetter } from './trace-propagation';

export interface RpcCallOptions {
  /** Absolute deadline (epoch ms). Every hop passes on what is left of the caller's. */
  deadlineMs?: number;
  /** Relative timeout; the earlier of the two wins. */
  timeoutMs?: number;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
  /** Where the signal comes from when it is made only for a call (a LazyAbortController); read as the call starts. */
  cancellation?: SignalSource;
  /** How long a call waits for a disconnected channel to (re)connect before it fails; default 3 s. */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/**
 * A call on a channel that is not connected would fail at once; a peer that is starting or
 * restarting deserves a short wait instead, bounded by the call's own deadline.
 */
async function connected(client: Client, options: RpcCallOptions | undefined, deadline: number | undefined): Promise<void> {
  if (client.getChannel().getConnectivityState(false) === connectivityState.READY) return;
  const wait = Math.min(deadline ?? Number.POSITIVE_INFINITY, Date.now() + (options?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS));
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(wait, (error) =>
      error
        ? reject(
            deadline !== undefined && Date.now() >= deadline
              ? new PlatformError(ErrorCode.DeadlineExceeded, 'deadline exceeded while connecting')
              : new PlatformError(ErrorCode.Unavailable, `no connection to ${client.getChannel().getTarget()}`),
          )
        : resolve(),
    ),
  );
}

type UnaryFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: RpcCallOptions,
) => Promise<MessageShape<O>>;

type ServerStreamFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: RpcCallOptions,
) => AsyncIterable<MessageShape<O>>;

/** A typed client of one generated service: unary methods return promises, server-streaming
 * methods async iterables. Errors arrive as PlatformError with the server's domain code. */
export type GrpcClient<S extends DescService> = {
  [K in keyof S['method']]: S['method'][K] extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? UnaryFn<I, O>
    : S['method'][K] extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? ServerStreamFn<I, O>
      : never;
} & {
  close(): void;
  readonly address: string;
  /** Connects the channel now rather than on the first call; rejects if not ready by the deadline. */
  waitForReady(deadlineMs: number): Promise<void>;
};

const tracer = trace.getTracer('@llmops/grpc');

/** The caller's signal, made now if it comes from a lazy source. */
function signalOf(options: RpcCallOptions | undefined): AbortSignal | undefined {
  return options?.signal ?? options?.cancellation?.signal;
}

function deadlineOf(options: RpcCallOptions | undefined): number | undefined {
  const candidates: number[] = [];
  if (options?.deadlineMs !== undefined) candidates.push(options.deadlineMs);
  if (options?.timeoutMs !== undefined) candidates.push(Date.now() + options.timeoutMs);
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

function metadataOf(options: RpcCallOptions | undefined): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options?.metadata ?? {})) metadata.set(key, value);
  propagation.inject(context.active(), metadata, metadataSetter);
  return metadata;
}

function toPlatformError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  if (typeof error === 'object' && error !== null && 'code' in error && 'metadata' in error) {
    return fromGrpcError(error as ServiceError);
  }
  return new PlatformError(ErrorCode.Unavailable, error instanceof Error ? error.message : String(error));
}

export function createGrpcClient<S extends DescService>(service: S, address: string): GrpcClient<S> {
  const Constructor = makeGenericClientConstructor(toGrpcServiceDefinition(service), service.typeName);
  const client = new Constructor(address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    // Calls fail fast while a channel is disconnected, so a peer that (re)starts must be found
    // again within a second or two, not after grpc-js's default backoff of up to two minutes.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2_000,
  }) as Client & Record<string, (...args: unknown[]) => unknown>;
  const api: Record<string, unknown> = {
    address,
    close: () => client.close(),
    waitForReady: (deadlineMs: number) =>
      new Promise<void>((resolve, reject) => client.waitForReady(deadlineMs, (error) => (error ? reject(error) : resolve()))),
  };
  for (const method of service.methods) {
    if (method.methodKind === 'unary') api[method.localName] = unary(client, method);
    else if (method.methodKind === 'server_streaming') api[method.localName] = serverStream(client, method);
  }
  return api as GrpcClient<S>;
}

function unary(client: Client & Record<string, (...args: unknown[]) => unknown>, method: DescMethod) {
  return (request: MessageInitShape<DescMessage>, options?: RpcCallOptions): Promise<unknown> =>
    tracer.startActiveSpan(
      `${method.parent.typeName}/${method.name}`,
      { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.service': method.parent.typeName, 'rpc.method': method.name } },
      (span) =>
        new Promise((resolve, reject) => {
          const deadline = deadlineOf(options);
          if (deadline !== undefined && deadline <= Date.now()) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'deadline exceeded before the call' });
            span.end();
            reject(new PlatformError(ErrorCode.DeadlineExceeded, 'deadline exceeded before the call was made'));
            return;
          }
          const callOptions: GrpcCallOptions = deadline === undefined ? {} : { deadline };
          const metadata = metadataOf(options);
          const signal = signalOf(options);
          connected(client, options, deadline).then(() => {
          const call = client[method.localName](
            create(method.input, request),
            metadata,
            callOptions,
            (error: ServiceError | null, response: unknown) => {
              signal?.removeEventListener('abort', cancel);
              if (error) {
                const platformError = toPlatformError(error);
                span.setStatus({ code: SpanStatusCode.ERROR, message: platformError.message });
                span.setAttribute('rpc.grpc.status_code', error.code);
                span.end();
                reject(platformError);
              } else {
                span.end();
                resolve(response);
              }
            },
          ) as { cancel(): void };
          const cancel = () => call.cancel();
          signal?.addEventListener('abort', cancel, { once: true });
          }, (error: PlatformError) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            span.end();
            reject(error);
          });
        }),
    );
}

function serverStream(client: Client & Record<string, (...args: unknown[]) => unknown>, method: DescMethod) {
  return (request: MessageInitShape<DescMessage>, options?: RpcCallOptions): AsyncIterable<unknown> => {
    // The caller's context when it asked for the stream, not when it began iterating: an async
    // generator consuming this may iterate under another context.
    const parentContext = context.active();
    return {
      [Symbol.asyncIterator]: () => {
        const span = tracer.startSpan(
          `${method.parent.typeName}/${method.name}`,
          { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.service': method.parent.typeName, 'rpc.method': method.name } },
          parentContext,
        );
        const deadline = deadlineOf(options);
        const signal = signalOf(options);
        let call: ClientReadableStream<unknown> | undefined;
        let iterator: AsyncIterator<unknown> | undefined;
        let finished = false;
        const cancel = () => call?.cancel();
        const finish = (error?: PlatformError) => {
          if (finished) return;
          finished = true;
          signal?.removeEventListener('abort', cancel);
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          span.end();
        };
        const open = async (): Promise<AsyncIterator<unknown>> => {
          await connected(client, options, deadline);
          const streamContext = trace.setSpan(parentContext, span);
          call = context.with(streamContext, () =>
            client[method.localName](create(method.input, request), context.with(streamContext, () => metadataOf(options)), deadline === undefined ? {} : { deadline }),
          ) as ClientReadableStream<unknown>;
          signal?.addEventListener('abort', cancel, { once: true });
          return call[Symbol.asyncIterator]();
        };
        return {
          next: async () => {
            try {
              iterator ??= await open();
              const result = await iterator.next();
              if (result.done) finish();
              return result;
            } catch (error) {
              const platformError = toPlatformError(error);
              finish(platformError);
              throw platformError;
            }
          },
          return: async () => {
            call?.cancel();
            finish();
            return { done: true, value: undefined };
          },
        };
      },
    };
  };
}
