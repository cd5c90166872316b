import { create } from '@bufbuild/protobuf';
import { StageTimingSchema, type StageTiming } from '@llmops/contracts';
import { PlatformError } from '@llmops/grpc';
import { gatewayStageDuration, LlmopsAttributes } from '@llmops/telemetry';
import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';

const tracer = trace.getTracer('@llmops/gateway');

/** Times each stage of one request, as a span and as a row of the trace event. */
export class StageRecorder {
  readonly stages: StageTiming[] = [];
  private readonly startedAt = performance.now();

  private push(row: StageTiming): void {
    this.stages.push(row);
    if (row.status !== 'skipped') gatewayStageDuration.observe({ stage: row.stage, status: row.status }, row.latencyMs / 1000);
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  async run<T>(stage: string, work: () => Promise<T>, attributes: Attributes = {}): Promise<T> {
    const offset = this.elapsedMs();
    return tracer.startActiveSpan(`gateway.${stage}`, { attributes: { [LlmopsAttributes.stage]: stage, ...attributes } }, async (span) => {
      try {
        const result = await work();
        span.end();
        this.push(create(StageTimingSchema, { stage, startOffsetMs: offset, latencyMs: this.elapsedMs() - offset, status: 'ok' }));
        return result;
      } catch (error) {
        const detail = error instanceof PlatformError ? error.code : 'internal';
        span.setStatus({ code: SpanStatusCode.ERROR, message: detail });
        span.end();
        this.push(create(StageTimingSchema, { stage, startOffsetMs: offset, latencyMs: this.elapsedMs() - offset, status: 'error', detail }));
        throw error;
      }
    });
  }

  /** A stage measured by the caller (a stream's lifetime), recorded after the fact. */
  record(stage: string, startOffsetMs: number, status: string, detail = ''): void {
    this.push(create(StageTimingSchema, { stage, startOffsetMs, latencyMs: this.elapsedMs() - startOffsetMs, status, detail }));
  }

  skip(stage: string, detail: string): void {
    this.push(create(StageTimingSchema, { stage, startOffsetMs: this.elapsedMs(), latencyMs: 0, status: 'skipped', detail }));
  }

  /** Marks a stage's latest row with a status other than ok (blocked, redacted...). */
  mark(stage: string, status: string, detail: string): void {
    const row = [...this.stages].reverse().find((candidate) => candidate.stage === stage);
    if (row) {
      row.status = status;
      row.detail = detail;
    }
  }
}
