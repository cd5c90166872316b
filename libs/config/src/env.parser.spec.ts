import { z } from 'zod';
import { ConfigValidationError } from './config-validation.error';
import { envBoolean, envPort, parseEnv } from './env.parser';

const schema = z.object({
  GRPC_PORT: envPort(),
  METRICS_PORT: envPort().default(9464),
  ROUTING_ADDRESS: z.string().min(1),
  PROVIDER_TOKEN: z.string().min(20),
  TRACE_ALL: envBoolean().default(false),
});

describe('parseEnv', () => {
  it('coerces and defaults values', () => {
    const env = parseEnv(schema, {
      GRPC_PORT: '50051',
      ROUTING_ADDRESS: '127.0.0.1:50052',
      PROVIDER_TOKEN: 'x'.repeat(24),
      TRACE_ALL: 'false',
      UNRELATED: 'ignored',
    });
    expect(env).toEqual({
      GRPC_PORT: 50051,
      METRICS_PORT: 9464,
      ROUTING_ADDRESS: '127.0.0.1:50052',
      PROVIDER_TOKEN: 'x'.repeat(24),
      TRACE_ALL: false,
    });
  });

  it('fails listing every bad variable without echoing values', () => {
    let error: ConfigValidationError | undefined;
    try {
      parseEnv(schema, { GRPC_PORT: '70000', METRICS_PORT: 'abc', ROUTING_ADDRESS: '', PROVIDER_TOKEN: 'sk-short-secret', TRACE_ALL: 'maybe' }, { name: 'gateway' });
    } catch (caught) {
      error = caught as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error!.issues.map((issue) => issue.path)).toEqual(['GRPC_PORT', 'METRICS_PORT', 'ROUTING_ADDRESS', 'PROVIDER_TOKEN', 'TRACE_ALL']);
    expect(error!.issues.find((issue) => issue.path === 'ROUTING_ADDRESS')!.message).toBe('is required but not set');
    expect(error!.issues.find((issue) => issue.path === 'TRACE_ALL')!.message).toBe('must be one of true, false, 1, 0, yes, no');
    expect(error!.message).toMatch(/^Invalid configuration in the environment of gateway \(5 problems\):/);
    expect(error!.message).not.toContain('sk-short-secret');
  });
});
