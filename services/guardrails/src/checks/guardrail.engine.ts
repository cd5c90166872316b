import type { GuardrailsConfig, RedactionKind } from '@llmops/config';
import type { GuardedMessage, GuardrailFinding, InputVerdict, OutputVerdict } from './guardrail-verdict';
import { InputValidator } from './input.validator';
import { PiiRedactor, RedactionSession } from './pii.redactor';

export interface GuardrailEngineOptions {
  maxInputChars: number;
  redact: readonly RedactionKind[];
  allowedRoles?: readonly string[];
}

/**
 * The guardrail policy: input must pass validation (else BLOCK); personal data in input or output
 * is replaced by placeholders (REDACT); otherwise PASS.
 */
export class GuardrailEngine {
  private readonly validator: InputValidator;
  private readonly redactor: PiiRedactor;

  constructor(options: GuardrailEngineOptions) {
    this.validator = new InputValidator({
      maxInputChars: options.maxInputChars,
      ...(options.allowedRoles ? { allowedRoles: options.allowedRoles } : {}),
    });
    this.redactor = PiiRedactor.forKinds(options.redact);
  }

  static fromConfig(config: GuardrailsConfig): GuardrailEngine {
    return new GuardrailEngine({ maxInputChars: config.maxInputChars, redact: config.redact });
  }

  checkInput<M extends GuardedMessage>(messages: readonly M[]): InputVerdict<M> {
    const validation = this.validator.validate(messages);
    if (validation.blockReason !== undefined) {
      return { action: 'BLOCK', findings: validation.findings, messages: [], reason: validation.blockReason };
    }

    const session = new RedactionSession();
    const findings: GuardrailFinding[] = [];
    const redacted = messages.map((message, messageIndex) => {
      const result = this.redactor.redact(message.content, session);
      for (const match of result.matches) {
        findings.push({ type: match.type, detector: match.detector, messageIndex, start: match.start, end: match.end, score: match.score });
      }
      return result.matches.length > 0 ? { ...message, content: result.text } : { ...message };
    });
    return { action: findings.length > 0 ? 'REDACT' : 'PASS', findings, messages: redacted };
  }

  /** Output is only redacted, never blocked for size or encoding: the model produced it, the user waits for it. */
  checkOutput(content: string): OutputVerdict {
    const result = this.redactor.redact(content);
    const findings = result.matches.map((match) => ({
      type: match.type,
      detector: match.detector,
      messageIndex: 0,
      start: match.start,
      end: match.end,
      score: match.score,
    }));
    return { action: findings.length > 0 ? 'REDACT' : 'PASS', findings, content: result.text };
  }
}
