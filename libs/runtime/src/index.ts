export { openServiceRuntime, runGrpcService, stopOnSignals } from './service-process';
export type { GrpcServiceDefinition, ServiceRuntime } from './service-process';
