import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  CaseResultSchema,
  EvalResultEventSchema,
  Gateway,
  MetricSummarySchema,
  RunSuiteResponseSchema,
  type RunSuiteRequest,
  type RunSuiteResponse,
} from '@llmops/contracts';
import { ErrorCode, PlatformError, type GrpcClient } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { randomUUID } from 'node:crypto';
import { basename, isAbsolute, resolve } from 'node:path';
import { isMetricName, METRIC_NAMES, scoreAnswer, type MetricName } from '../metrics/text-metrics';
import { readJsonlDataset } from './jsonl-dataset';

export interface SuiteRunnerOptions {
  /** Key the runner calls the gateway with when a request brings none. */
  defaultApiKey: string;
  /** Tenant recorded on eval events (the gateway resolves the real one from the key). */
  tenantId: string;
  datasetRoot: string;
  caseTimeoutMs: number;
}

/** Runs a dataset through the gateway case by case and scores every answer. */
export class SuiteRunner {
  constructor(
    private readonly gateway: GrpcClient<typeof Gateway>,
    private readonly events: Pick<EventPublisher, 'publish'>,
    private readonly options: SuiteRunnerOptions,
  ) {}

  async run(request: RunSuiteRequest, signal?: AbortSignal): Promise<RunSuiteResponse> {
    const metrics = this.metricsOf(request.metrics);
    const path = isAbsolute(request.datasetPath) ? request.datasetPath : resolve(this.options.datasetRoot, request.datasetPath);
    const cases = await readJsonlDataset(path);
    const apiKey = request.apiKey || this.options.defaultApiKey;
    if (!apiKey) throw new PlatformError(ErrorCode.InvalidRequest, 'no API key to call the gateway with: set api_key or EVALUATION_GATEWAY_API_KEY');
    const runId = randomUUID();
    const results = [];
    const totals = new Map<MetricName, number>(metrics.map((metric) => [metric, 0]));
    for (const [index, datasetCase] of cases.entries()) {
      if (signal?.aborted) throw new PlatformError(ErrorCode.Cancelled, 'the evaluation run was cancelled');
      let output = '';
      let traceId = '';
      let error = '';
      try {
        const response = await this.gateway.complete(
          {
            model: datasetCase.model ?? request.model,
            messages: [{ role: 'user', content: datasetCase.input }],
            collection: datasetCase.collection ?? request.collection,
            tags: { eval_run: runId },
          },
          { timeoutMs: this.options.caseTimeoutMs, metadata: { authorization: `Bearer ${apiKey}` }, signal },
        );
        output = response.content;
        traceId = response.traceId;
      } catch (caught) {
        const platformError = PlatformError.from(caught);
        if (platformError.code === ErrorCode.Unauthenticated) throw platformError;
        error = `${platformError.code}: ${platformError.message}`;
      }
      const scores: Record<string, number> = {};
      for (const metric of metrics) {
        const score = error ? 0 : scoreAnswer(metric, output, datasetCase.expected);
        scores[metric] = score;
        totals.set(metric, (totals.get(metric) ?? 0) + score);
        this.events.publish(
          'llmops.evals.v1',
          create(EvalResultEventSchema, {
            eventId: randomUUID(),
            runId,
            occurredAt: timestampFromMs(Date.now()),
            tenantId: this.options.tenantId,
            dataset: basename(path),
            caseIndex: index,
            metric,
            score,
            model: datasetCase.model ?? request.model,
            traceId,
          }),
        );
      }
      results.push(create(CaseResultSchema, { index, input: datasetCase.input, expected: datasetCase.expected, output, scores, traceId, error }));
    }
    return create(RunSuiteResponseSchema, {
      runId,
      cases: results,
      summary: metrics.map((metric) => create(MetricSummarySchema, { metric, mean: (totals.get(metric) ?? 0) / cases.length, count: cases.length })),
    });
  }

  score(output: string, expected: string, requested: string[]): Record<string, number> {
    return Object.fromEntries(this.metricsOf(requested).map((metric) => [metric, scoreAnswer(metric, output, expected)]));
  }

  private metricsOf(requested: string[]): MetricName[] {
    if (requested.length === 0) return [...METRIC_NAMES];
    const unknown = requested.filter((name) => !isMetricName(name));
    if (unknown.length > 0) throw new PlatformError(ErrorCode.InvalidRequest, `unknown metrics: ${unknown.join(', ')} (known: ${METRIC_NAMES.join(', ')})`);
    return requested as MetricName[];
  }
}
