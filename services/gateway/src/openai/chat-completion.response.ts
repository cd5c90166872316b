import type { CompleteResponse, ToolCall, ToolCallDelta, Usage } from '@llmops/contracts';

function toolCallsOf(calls: ToolCall[]) {
  return calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.argumentsJson } }));
}

function usageOf(usage: Usage | undefined) {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: usage?.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
  };
}

/** Platform facts OpenAI's format has no field for; SDKs keep unknown fields. */
function extensionOf(response: CompleteResponse) {
  return {
    trace_id: response.traceId,
    provider: response.model?.provider ?? '',
    model_version: response.model?.version ?? '',
    cost_usd: response.costUsd,
    prompt_version: response.promptVersion,
    usage_estimated: response.usage?.estimated ?? false,
    citations: response.citations.map((citation) => ({
      index: citation.index,
      source: citation.source,
      section: citation.section,
      ...(citation.page > 0 ? { page: citation.page } : {}),
      ...(citation.title ? { title: citation.title } : {}),
      score: citation.score,
      relevance: citation.relevance,
      snippet: citation.snippet,
    })),
  };
}

export function toChatCompletion(response: CompleteResponse, created: number) {
  return {
    id: response.id,
    object: 'chat.completion' as const,
    created,
    model: response.model?.model ?? '',
    choices: [
      {
        index: 0,
        // OpenAI sends content null when the model only called tools.
        message:
          response.toolCalls.length > 0
            ? { role: 'assistant' as const, content: response.content || null, refusal: null, tool_calls: toolCallsOf(response.toolCalls) }
            : { role: 'assistant' as const, content: response.content, refusal: null },
        logprobs: null,
        finish_reason: response.finishReason,
      },
    ],
    usage: usageOf(response.usage),
    system_fingerprint: null,
    llmops: extensionOf(response),
  };
}

/** A streamed piece of a tool call, as OpenAI sends it: id, type and name only on a call's first piece. */
export function toToolCallDelta(piece: ToolCallDelta) {
  return {
    tool_calls: [
      {
        index: piece.index,
        ...(piece.id ? { id: piece.id, type: 'function' as const } : {}),
        function: { ...(piece.name ? { name: piece.name } : {}), arguments: piece.argumentsDelta },
      },
    ],
  };
}

export function toChunk(id: string, created: number, model: string, delta: { role?: 'assistant'; content?: string } | ReturnType<typeof toToolCallDelta>, finishReason: string | null) {
  return {
    id,
    object: 'chat.completion.chunk' as const,
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

export function toFinalChunk(response: CompleteResponse, created: number) {
  // Object.assign, not { ...chunk, llmops }: docs/architecture.md, "Hot paths on Node 20".
  return Object.assign(toChunk(response.id, created, response.model?.model ?? '', {}, response.finishReason), { llmops: extensionOf(response) });
}

export function toUsageChunk(response: CompleteResponse, created: number) {
  return {
    id: response.id,
    object: 'chat.completion.chunk' as const,
    created,
    model: response.model?.model ?? '',
    system_fingerprint: null,
    choices: [],
    usage: usageOf(response.usage),
  };
}
