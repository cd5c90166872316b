import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { file_grpc_health_v1_health } from '@llmops/contracts';
import { toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

function collectFiles(file: DescFile, into: Map<string, DescFile>): void {
  if (into.has(file.name)) return;
  into.set(file.name, file);
  for (const dependency of file.dependencies) collectFiles(dependency, into);
}

/** Server reflection (v1 and v1alpha) from the same compiled descriptors the generated code
 * carries, so `grpcurl list` and `grpcurl describe` show exactly what the server speaks. */
export function addReflection(server: Server, services: DescService[]): void {
  const files = new Map<string, DescFile>();
  for (const service of services) collectFiles(service.file, files);
  // The standard health service (served by grpc-health-check), so `grpcurl ... Health/Check` works.
  collectFiles(file_grpc_health_v1_health, files);
  const fileDescriptorProtos = [...files.values()].map((file) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)),
  );
  // @grpc/reflection reads `fileDescriptorProtos` from each entry of a proto-loader style
  // package definition; one entry carrying every file is all it needs.
  const packageDefinition = { descriptors: { fileDescriptorProtos } } as never;
  new ReflectionService(packageDefinition, {
    services: [...services.map((service) => service.typeName), 'grpc.health.v1.Health'],
  }).addToServer(server);
}
