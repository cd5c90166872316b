import { create } from '@bufbuild/protobuf';
import { CompleteRequestSchema, type CompleteRequest } from '@llmops/contracts';
import { z } from 'zod';
import { parseBody } from './openai-request.validation';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
});

const toolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** The OpenAI chat.completions request, plus the platform's extensions
 * (`collection`, `prompt`, `variables`) that OpenAI SDKs pass through as extra body fields. */
export const chatCompletionRequestSchema = z.object({
  model: z.string().default(''),
  messages: z.array(messageSchema).min(1, 'messages must contain at least one message'),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.literal(1, { error: 'only n=1 is supported' }).nullish(),
  tools: z.array(toolSchema).max(128).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  collection: z.string().optional(),
  prompt: z.string().optional(),
  variables: z.record(z.string(), z.string()).optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  return parseBody(chatCompletionRequestSchema, body);
}

function textOf(content: ChatCompletionRequest['messages'][number]['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

export function toCompleteRequest(request: ChatCompletionRequest): CompleteRequest {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const stop = request.stop === null || request.stop === undefined ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return create(CompleteRequestSchema, {
    model: request.model,
    messages: request.messages.map((message) => ({
      role: message.role === 'developer' ? 'system' : message.role,
      content: textOf(message.content),
      name: message.name ?? '',
      toolCalls: (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, argumentsJson: call.function.arguments })),
      toolCallId: message.tool_call_id ?? '',
    })),
    // A property before the conditional spreads: docs/architecture.md, "Hot paths on Node 20".
    params: {
      stop,
      ...(request.temperature !== null && request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.top_p !== null && request.top_p !== undefined ? { topP: request.top_p } : {}),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      tools: (request.tools ?? []).map((tool) => ({
        name: tool.function.name,
        description: tool.function.description ?? '',
        parametersJson: tool.function.parameters ? JSON.stringify(tool.function.parameters) : '',
      })),
      toolChoice: request.tool_choice === undefined ? '' : typeof request.tool_choice === 'string' ? request.tool_choice : request.tool_choice.function.name,
      responseFormat: request.response_format?.type ?? '',
      ...(request.response_format?.type === 'json_schema'
        ? {
            responseSchemaName: request.response_format.json_schema.name,
            responseSchemaJson: JSON.stringify(request.response_format.json_schema.schema ?? { type: 'object' }),
          }
        : {}),
    },
    collection: request.collection ?? '',
    prompt: request.prompt ?? '',
    variables: request.variables ?? {},
    user: request.user ?? '',
    tags: request.metadata ?? {},
  });
}
