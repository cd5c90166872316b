/** OpenTelemetry GenAI semantic-convention attribute names used on our spans, plus the
 * platform's own `llmops.*` ones. Kept in one place so the SQL that reads spans can rely on them. */
export const GenAiAttributes = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
} as const;

export const LlmopsAttributes = {
  tenantId: 'llmops.tenant_id',
  projectId: 'llmops.project_id',
  stage: 'llmops.stage',
  route: 'llmops.route',
  costUsd: 'llmops.cost_usd',
  verdict: 'llmops.guardrail.action',
  collection: 'llmops.retrieval.collection',
  passages: 'llmops.retrieval.passages',
  promptName: 'llmops.prompt.name',
  promptVersion: 'llmops.prompt.version',
} as const;
