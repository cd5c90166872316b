import type { EmbedRequest, GenerateRequest, GenerationParams } from '@llmops/contracts';
import { ErrorCode, GrpcCallContext, PlatformError } from '@llmops/grpc';
import type { ChainRequest } from '../generation/model-chain.executor';
import type { EmbedInput } from '../generation/embedding.service';
import type { ResponseFormat, ToolChoice, ToolDefinition } from '../providers/chat-provider';

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** JSON text from the caller, checked here so a typo is the caller's 400, not an upstream failure. */
function jsonObjectText(text: string, field: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlatformError(ErrorCode.InvalidRequest, `${field} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlatformError(ErrorCode.InvalidRequest, `${field} must be a JSON object`);
  }
  return text;
}

function toolsOf(params: GenerationParams | undefined): ToolDefinition[] | undefined {
  if (!params || params.tools.length === 0) return undefined;
  return params.tools.map((tool, i) => {
    if (!TOOL_NAME.test(tool.name)) {
      throw new PlatformError(ErrorCode.InvalidRequest, `tools[${i}].name must be 1-64 letters, digits, "_" or "-"`);
    }
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      ...(tool.parametersJson ? { parametersJson: jsonObjectText(tool.parametersJson, `tools[${i}].parameters`) } : {}),
    };
  });
}

function toolChoiceOf(params: GenerationParams | undefined, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  const choice = params?.toolChoice ?? '';
  if (choice === '') return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (!tools?.some((tool) => tool.name === choice)) {
    throw new PlatformError(ErrorCode.InvalidRequest, `tool_choice names "${choice}", which is not among the tools`);
  }
  return { name: choice };
}

function responseFormatOf(params: GenerationParams | undefined): ResponseFormat | undefined {
  switch (params?.responseFormat ?? '') {
    case '':
      return undefined;
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        name: params?.responseSchemaName || 'response',
        schemaJson: jsonObjectText(params?.responseSchemaJson ?? '', 'response_format.json_schema.schema'),
      };
    default:
      throw new PlatformError(ErrorCode.InvalidRequest, 'response_format must be text, json_object or json_schema');
  }
}

export function chainRequestOf(request: GenerateRequest, call: GrpcCallContext): ChainRequest {
  if (request.chain.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, 'chain must name at least one model');
  const params = request.params;
  const tools = toolsOf(params);
  const toolChoice = toolChoiceOf(params, tools);
  const responseFormat = responseFormatOf(params);
  return {
    chain: request.chain.map((model) => ({ provider: model.provider, model: model.model, version: model.version })),
    request: {
      messages: request.messages.map((message) => ({
        role: message.role,
        content: message.content,
        ...(message.name ? { name: message.name } : {}),
        ...(message.toolCalls.length > 0
          ? { toolCalls: message.toolCalls.map((c) => ({ id: c.id, name: c.name, argumentsJson: c.argumentsJson })) }
          : {}),
        ...(message.toolCallId ? { toolCallId: message.toolCallId } : {}),
      })),
      ...(params?.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params?.topP !== undefined ? { topP: params.topP } : {}),
      ...(params?.maxTokens !== undefined ? { maxTokens: params.maxTokens } : {}),
      ...(params && params.stop.length > 0 ? { stop: params.stop } : {}),
      ...(tools ? { tools } : {}),
      ...(toolChoice !== undefined ? { toolChoice } : {}),
      ...(responseFormat ? { responseFormat } : {}),
      passages: request.passages.map((passage) => ({ index: passage.index, source: passage.source, section: passage.section, text: passage.snippet })),
    },
    ...(call.deadlineMs !== undefined ? { deadlineMs: call.deadlineMs } : {}),
    signal: call.signal,
  };
}

export function embeddingRequestOf(request: EmbedRequest, call: GrpcCallContext): EmbedInput {
  if (!request.model?.provider) throw new PlatformError(ErrorCode.InvalidRequest, 'model must name a provider and an embedding model');
  if (request.inputs.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, 'inputs must hold at least one text');
  return {
    model: { provider: request.model.provider, model: request.model.model, version: request.model.version },
    inputs: request.inputs,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(call.deadlineMs !== undefined ? { deadlineMs: call.deadlineMs } : {}),
    signal: call.signal,
  };
}
