import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  GuardrailAction,
  GuardrailEventSchema,
  Guardrails,
  GuardrailVerdictSchema,
  type CheckInputRequest,
  type CheckOutputRequest,
  type GuardrailVerdict,
  type RequestContext,
} from '@llmops/contracts';
import { GrpcRpc } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { GuardrailEngine } from '../checks/guardrail.engine';
import type { GuardrailAction as DomainAction, GuardrailFinding } from '../checks/guardrail-verdict';
import { GUARDRAIL_EVENTS } from './guardrails.tokens';
import { Inject } from '@nestjs/common';

const ACTIONS: Record<DomainAction, GuardrailAction> = {
  PASS: GuardrailAction.PASS,
  REDACT: GuardrailAction.REDACT,
  BLOCK: GuardrailAction.BLOCK,
};

/** Checks input and output; every decision goes to llmops.guardrails.v1 with its findings
 * (types and offsets only, never the values). */
@Controller()
export class GuardrailsGrpcController {
  constructor(
    private readonly engine: GuardrailEngine,
    @Inject(GUARDRAIL_EVENTS) private readonly events: Pick<EventPublisher, 'publish'>,
  ) {}

  @GrpcRpc(Guardrails, 'checkInput')
  checkInput(@Payload() request: CheckInputRequest): GuardrailVerdict {
    const started = performance.now();
    const verdict = this.engine.checkInput(request.messages.map((message) => ({ role: message.role, content: message.content, name: message.name })));
    this.record('input', request.context, verdict.action, verdict.findings, performance.now() - started);
    return create(GuardrailVerdictSchema, {
      action: ACTIONS[verdict.action],
      findings: verdict.findings,
      messages: verdict.messages,
      reason: verdict.reason ?? '',
    });
  }

  @GrpcRpc(Guardrails, 'checkOutput')
  checkOutput(@Payload() request: CheckOutputRequest): GuardrailVerdict {
    const started = performance.now();
    const verdict = this.engine.checkOutput(request.content);
    this.record('output', request.context, verdict.action, verdict.findings, performance.now() - started);
    return create(GuardrailVerdictSchema, { action: ACTIONS[verdict.action], findings: verdict.findings, content: verdict.content, reason: verdict.reason ?? '' });
  }

  private record(direction: 'input' | 'output', context: RequestContext | undefined, action: DomainAction, findings: GuardrailFinding[], latencyMs: number): void {
    trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.verdict]: action.toLowerCase(), 'llmops.guardrail.findings': findings.length });
    this.events.publish(
      'llmops.guardrails.v1',
      create(GuardrailEventSchema, {
        eventId: randomUUID(),
        traceId: context?.traceId ?? '',
        occurredAt: timestampFromMs(Date.now()),
        context,
        direction,
        action: ACTIONS[action],
        findings,
        latencyMs,
      }),
    );
  }
}
