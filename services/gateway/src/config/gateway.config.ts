import { z } from 'zod';
import { envPort, loadPlatformConfig, loadServiceEnvironment, parseEnv, type PlatformConfig, type ServiceEnvironment } from '@llmops/config';

const gatewayEnvSchema = z.object({
  GATEWAY_HTTP_PORT: envPort().default(8080),
  GATEWAY_HTTP_HOST: z.string().default('127.0.0.1'),
  /** Deadline of a request whose caller set none. */
  GATEWAY_DEFAULT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  GATEWAY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** How long start-up waits for the services of the request path before serving anyway. */
  /** Requests served at once; more are refused with 503 (load shedding). */
  GATEWAY_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(64),
  GATEWAY_MESH_CONNECT_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(30_000),
});

export interface GatewayConfig {
  environment: ServiceEnvironment;
  platform: PlatformConfig;
  httpPort: number;
  httpHost: string;
  defaultTimeoutMs: number;
  maxBodyBytes: number;
  meshConnectTimeoutMs: number;
  maxInFlight: number;
}

export function loadGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const parsed = parseEnv(gatewayEnvSchema, env, { name: 'gateway' });
  return {
    environment: loadServiceEnvironment('gateway', env),
    platform: loadPlatformConfig({ env }),
    httpPort: parsed.GATEWAY_HTTP_PORT,
    httpHost: parsed.GATEWAY_HTTP_HOST,
    defaultTimeoutMs: parsed.GATEWAY_DEFAULT_TIMEOUT_MS,
    maxBodyBytes: parsed.GATEWAY_MAX_BODY_BYTES,
    meshConnectTimeoutMs: parsed.GATEWAY_MESH_CONNECT_TIMEOUT_MS,
    maxInFlight: parsed.GATEWAY_MAX_IN_FLIGHT,
  };
}
