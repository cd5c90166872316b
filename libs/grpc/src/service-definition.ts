import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { fromBinary, toBinary, type DescMethod, type DescService } from '@bufbuild/protobuf';

/** The wire path of an RPC, also the Nest message pattern its handler is registered under. */
export function rpcPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/** Builds grpc-js's service definition straight from the protobuf-es descriptor, so the
 * serializers are protobuf-es's and there is no second (proto-loader) copy of any message. */
export function toGrpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: rpcPath(method),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (message) => Buffer.from(toBinary(method.input, message as never)),
      requestDeserialize: (bytes: Buffer) => fromBinary(method.input, bytes),
      responseSerialize: (message) => Buffer.from(toBinary(method.output, message as never)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      originalName: method.localName,
    };
  }
  return definition;
}
