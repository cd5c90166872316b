import { PlatformError, ErrorCode } from '@llmops/grpc';
import { z } from 'zod';

export interface ResponseFormatRequest {
  type: string;
  jsonSchema?: string;
}

export type JsonCheck = { ok: true } | { ok: false; type: 'invalid_json' | 'schema_mismatch'; detail: string };

const MAX_CACHED_SCHEMAS = 256;

/**
 * Whether an answer is what the caller asked for when they asked for JSON: parseable, and valid
 * against their JSON Schema (compiled with zod's JSON Schema support, cached by schema text).
 * A fenced block (```json … ```) is accepted, as most models wrap JSON that way.
 */
export class JsonResponseValidator {
  private readonly schemas = new Map<string, z.ZodType>();

  check(answer: string, format: ResponseFormatRequest): JsonCheck {
    if (format.type !== 'json_object' && format.type !== 'json_schema') return { ok: true };
    let value: unknown;
    try {
      value = JSON.parse(unfence(answer));
    } catch {
      // Not the parser's message: V8 quotes the offending text in it, and details go to events.
      return { ok: false, type: 'invalid_json', detail: 'the answer is not valid JSON' };
    }
    if (format.type === 'json_object') {
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ok: true } : { ok: false, type: 'invalid_json', detail: 'the answer is JSON but not an object' };
    }
    const result = this.schemaOf(format.jsonSchema ?? '').safeParse(value);
    if (result.success) return { ok: true };
    const issue = result.error.issues[0]!;
    return { ok: false, type: 'schema_mismatch', detail: `${issue.path.join('.') || '(root)'}: ${issue.message}`.slice(0, 200) };
  }

  private schemaOf(text: string): z.ZodType {
    const cached = this.schemas.get(text);
    if (cached) return cached;
    let schema: z.ZodType;
    try {
      schema = z.fromJSONSchema(JSON.parse(text));
    } catch (error) {
      throw new PlatformError(ErrorCode.InvalidRequest, `response_format.json_schema is not a usable JSON Schema: ${(error as Error).message.slice(0, 200)}`);
    }
    if (this.schemas.size >= MAX_CACHED_SCHEMAS) this.schemas.delete(this.schemas.keys().next().value!);
    this.schemas.set(text, schema);
    return schema;
  }
}

function unfence(answer: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(answer);
  return fenced ? fenced[1]! : answer;
}
