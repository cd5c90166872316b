import { ErrorCode, PlatformError } from '@llmops/grpc';
import type { z } from 'zod';

/**
 * Parses an OpenAI-style JSON body with `schema`; a failure is one INVALID_REQUEST naming every
 * problem, with the first one's path as `param` (as OpenAI's error bodies carry it).
 */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PlatformError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const param = first?.path.map(String).join('.') ?? null;
  const message = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new PlatformError(ErrorCode.InvalidRequest, `Invalid request: ${message}`, param ? { param } : {});
}
