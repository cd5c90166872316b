export { ConfigValidationError, formatIssuePath } from './config-validation.error';
export type { ConfigIssue } from './config-validation.error';
export {
  DEFAULT_ROUTE_NAME,
  providerKinds,
  redactionKinds,
  rawPlatformConfigSchema,
  rawApiKeysFileSchema,
} from './platform-config.schema';
export type {
  ApiKeyRecord,
  GuardrailsConfig,
  ModelConfig,
  ModelPrice,
  PlatformConfig,
  ProviderConfig,
  ProviderKind,
  RawPlatformConfig,
  RedactionKind,
  RouteConfig,
} from './platform-config.schema';
export { parsePlatformConfig } from './platform-config.parser';
export type { ApiKeysDocument, ParsePlatformConfigOptions } from './platform-config.parser';
export { CONFIG_FILE_NAME, loadPlatformConfig, providerEnvName } from './platform-config.loader';
export type { Environment, LoadPlatformConfigOptions } from './platform-config.loader';
export { envBoolean, envPort, parseEnv } from './env.parser';
export { ApiKeyResolver, hashApiKey } from './api-key.resolver';
export type { ResolvedApiKey } from './api-key.resolver';
export { DEFAULT_GRPC_PORTS, envNameOfAddress, MESH_SERVICES, serviceAddress, serviceAddressBook } from './service-address-book';
export type { MeshService } from './service-address-book';
export { loadServiceEnvironment } from './service-environment';
export type { ServiceEnvironment } from './service-environment';
