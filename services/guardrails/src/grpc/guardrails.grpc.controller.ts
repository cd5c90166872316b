import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  FindingSchema,
  GuardrailAction,
  GuardrailEventSchema,
  Guardrails,
  GuardrailVerdictSchema,
  type CheckInputRequest,
  type CheckOutputRequest,
  type Finding,
  type GuardrailVerdict,
  type RequestContext,
} from '@llmops/contracts';
import { GrpcRpc } from '@llmops/grpc';
import type { EventPublisher } from '@llmops/kafka';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { GuardrailAction as DomainAction, GuardrailFinding } from '../checks/guardrail-verdict';
import { GuardrailPolicyBook } from '../policy/guardrail-policy.book';
import { callerKeyOf, RedactionVault } from '../redaction/redaction-vault';
import type { ModerationFinding } from '../slow-tier/moderation.client';
import { SlowTierCoordinator } from '../slow-tier/slow-tier.coordinator';
import { GUARDRAIL_EVENTS } from './guardrails.tokens';

const ACTIONS: Record<DomainAction, GuardrailAction> = {
  PASS: GuardrailAction.PASS,
  REDACT: GuardrailAction.REDACT,
  REWRITE: GuardrailAction.REWRITE,
  BLOCK: GuardrailAction.BLOCK,
};

/** Checks input and output under the policy of the caller's tenant and route; every decision goes
 * to llmops.guardrails.v1 with its findings (types, offsets, scores: never the values). */
@Controller()
export class GuardrailsGrpcController {
  constructor(
    private readonly policies: GuardrailPolicyBook,
    private readonly vault: RedactionVault,
    private readonly slowTier: SlowTierCoordinator,
    @Inject(GUARDRAIL_EVENTS) private readonly events: Pick<EventPublisher, 'publish'>,
  ) {}

  @GrpcRpc(Guardrails, 'checkInput')
  checkInput(@Payload() request: CheckInputRequest): GuardrailVerdict {
    const started = performance.now();
    const engine = this.policies.engineFor(request.context?.tenantId ?? '', request.route);
    const verdict = engine.checkInput(request.messages.map((message) => ({ role: message.role, content: message.content, name: message.name })));
    const vaultId = verdict.restorable ? this.vault.put(callerKeyOf(request.context), verdict.restorable) : '';
    const findings = verdict.findings.map(toFinding);
    this.record('input', request.context, verdict.action, findings, performance.now() - started);
    if (verdict.action !== 'BLOCK' && this.slowTier.hasPolicy(engine.policy.name)) this.startSlowTier(engine.policy.name, engine.actionFor('harmful_content'), request);
    return create(GuardrailVerdictSchema, {
      action: ACTIONS[verdict.action],
      findings,
      messages: verdict.messages,
      reason: verdict.reason ?? '',
      redactionVaultId: vaultId,
      policy: engine.policy.name,
      groundedness: -1,
    });
  }

  @GrpcRpc(Guardrails, 'checkOutput')
  checkOutput(@Payload() request: CheckOutputRequest): GuardrailVerdict {
    const started = performance.now();
    const engine = this.policies.engineFor(request.context?.tenantId ?? '', request.route);
    const verdict = engine.checkOutput({
      content: request.content,
      passages: request.passages.map((passage) => passage.text),
      ...(request.responseFormat ? { responseFormat: { type: request.responseFormat.type, jsonSchema: request.responseFormat.jsonSchema } } : {}),
      ...(this.slowTier.hasPolicy(engine.policy.name) ? { inputModeration: this.slowTier.resultFor(slowTierKey(request.context)) ?? [] } : {}),
    });
    // Placeholders go back only after every check ran on the text the model wrote, and only to the caller whose input they replaced.
    const content =
      request.redactionVaultId && verdict.action !== 'BLOCK' ? (this.vault.restore(request.redactionVaultId, callerKeyOf(request.context), verdict.content) ?? verdict.content) : verdict.content;
    const findings = verdict.findings.map(toFinding);
    this.record('output', request.context, verdict.action, findings, performance.now() - started);
    return create(GuardrailVerdictSchema, {
      action: ACTIONS[verdict.action],
      findings,
      content,
      reason: verdict.reason ?? '',
      policy: engine.policy.name,
      groundedness: verdict.groundedness ?? -1,
    });
  }

  /**
   * The model-based check of the input, not awaited: the fast verdict is already on its way. Its
   * result is published as its own decision (`input_slow`) and used by CheckOutput of the same
   * request if it has arrived by then.
   */
  private startSlowTier(policy: string, action: DomainAction, request: CheckInputRequest): void {
    const started = performance.now();
    const text = request.messages
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join('\n');
    this.slowTier.start(policy, slowTierKey(request.context), text).then(
      (flagged) => {
        const findings = flagged.map((finding) => toModerationFinding(finding, ACTIONS[action]));
        this.record('input_slow', request.context, findings.length > 0 ? action : 'PASS', findings, performance.now() - started);
      },
      // An unreachable or failing model is a fact worth seeing in analytics, not a verdict.
      () => {
        const failure = create(FindingSchema, { type: 'slow_tier_error', detector: 'moderation-model', category: 'slow_tier', action: GuardrailAction.PASS });
        this.record('input_slow', request.context, 'PASS', [failure], performance.now() - started);
      },
    );
  }

  private record(direction: 'input' | 'output' | 'input_slow', context: RequestContext | undefined, action: DomainAction, findings: Finding[], latencyMs: number): void {
    trace.getActiveSpan()?.setAttributes({
      [LlmopsAttributes.verdict]: action.toLowerCase(),
      'llmops.guardrail.findings': findings.length,
      // Types only (e.g. "email,prompt_injection"): never a value.
      'llmops.guardrail.finding_types': [...new Set(findings.map((finding) => finding.type))].join(','),
    });
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

function slowTierKey(context: RequestContext | undefined): string {
  return `${callerKeyOf(context)}\u0000${context?.requestId ?? ''}`;
}

function toModerationFinding(flagged: ModerationFinding, action: GuardrailAction): Finding {
  return create(FindingSchema, { type: 'harmful_content', detector: 'moderation-model', score: flagged.score, category: 'harmful', label: flagged.category, action });
}

function toFinding(finding: GuardrailFinding): Finding {
  return create(FindingSchema, {
    type: finding.type,
    detector: finding.detector,
    messageIndex: finding.messageIndex,
    start: finding.start,
    end: finding.end,
    score: finding.score,
    category: finding.category ?? '',
    label: finding.label ?? '',
    action: ACTIONS[finding.action ?? 'PASS'],
  });
}
