import { MessagePattern } from '@nestjs/microservices';
import type { DescService } from '@bufbuild/protobuf';
import { rpcPath } from './service-definition';

/** Marks a controller method as the handler of one RPC of a generated service:
 * `@GrpcRpc(Gateway, 'complete')`. The method name is checked against the descriptor. */
export function GrpcRpc<S extends DescService>(service: S, method: keyof S['method'] & string): MethodDecorator {
  const descriptor = service.method[method];
  if (!descriptor) throw new Error(`${service.typeName} has no method ${method}`);
  return MessagePattern(rpcPath(descriptor));
}
