import { z } from 'zod';
import { ConfigValidationError, formatIssuePath, type ConfigIssue } from './config-validation.error';

/**
 * Parses a service's own environment (ports, addresses, flags) against its zod object schema,
 * once at boot. Fails listing every bad variable; values are never echoed since some are secrets.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  options: { name?: string } = {},
): z.output<S> {
  // Empty strings count as unset: `FOO=` in a .env file means "no value", not "the empty string".
  const input: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) input[key] = value === '' ? undefined : value;

  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => {
    const variable = formatIssuePath(issue.path);
    const unset = issue.path.length === 1 && input[String(issue.path[0])] === undefined;
    return { path: variable, message: unset ? 'is required but not set' : issue.message };
  });
  throw new ConfigValidationError(`the environment${options.name ? ` of ${options.name}` : ''}`, issues);
}

/** A TCP port from the environment; 0 lets the OS choose (tests). */
export function envPort() {
  return z.coerce.number({ error: 'must be a port number' }).int('must be a whole number').min(0).max(65535);
}

/**
 * A boolean flag from the environment. `z.coerce.boolean()` would read "false" as true, so the
 * accepted spellings are listed instead.
 */
export function envBoolean() {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be one of true, false, 1, 0, yes, no' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes');
}
