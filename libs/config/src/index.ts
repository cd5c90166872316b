export { ConfigValidationError, formatIssuePath } from './config-validation.error';
export type { ConfigIssue } from './config-validation.error';
export {
  DEFAULT_PROVIDER_RESILIENCE,
  DEFAULT_ROUTE_NAME,
  guardrailActionNames,
  guardrailInputChecks,
  guardrailOutputChecks,
  harmCategories,
  providerKinds,
  redactionKinds,
  rawPlatformConfigSchema,
  rawApiKeysFileSchema,
} from './platform-config.schema';
export type {
  ApiKeyRecord,
  GuardrailActionName,
  GuardrailInputCheck,
  GuardrailOutputCheck,
  GuardrailPolicyConfig,
  GuardrailsConfig,
  GuardrailSlowTierConfig,
  HarmCategory,
  ModelConfig,
  ModelPrice,
  PlatformConfig,
  ProviderConfig,
  ProviderKind,
  ProviderQuirks,
  ProviderResilience,
  RawPlatformConfig,
  RedactionKind,
  RouteConfig,
} from './platform-config.schema';
export { DEFAULT_GUARDRAIL_THRESHOLDS, guardrailPolicyFor, resolveGuardrailPolicies } from './guardrail-policy.resolver';
export type { EffectiveGuardrailPolicy, GuardrailThreshold } from './guardrail-policy.resolver';
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
export {
  AUTO_ROUTE_NAME,
  DEFAULT_BUDGET_ALERT_AT,
  DEFAULT_CACHE_TTL_SECONDS,
  DEFAULT_SEMANTIC_THRESHOLD,
  budgetActions,
  budgetScopes,
  complexityLevels,
  experimentKinds,
  modelCapabilities,
  modelHealthStates,
  questionTypes,
  routingStrategies,
  safetyDomains,
} from './routing-config.schema';
export type {
  BudgetAction,
  BudgetConfig,
  BudgetScope,
  CacheConfig,
  CacheEmbedder,
  ComplexityLevel,
  ExperimentArmConfig,
  ExperimentConfig,
  ExperimentKind,
  ModelCapability,
  ModelHealth,
  QuestionType,
  RouteCacheConfig,
  RoutingRuleConfig,
  RoutingStrategy,
  SafetyDomain,
} from './routing-config.schema';
