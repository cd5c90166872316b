import { resolveGuardrailPolicies, type EffectiveGuardrailPolicy, type GuardrailActionName, type GuardrailsConfig, type RedactionKind } from '@llmops/config';
import { HarmfulContentClassifier } from '../content/harmful-content.classifier';
import { HARM_CATEGORY_NAMES } from '../content/harm.lexicon';
import { TopicDenyList } from '../content/topic-deny-list';
import { PromptInjectionDetector } from '../injection/prompt-injection.detector';
import { scoreGroundedness } from '../output/groundedness.scorer';
import { JsonResponseValidator, type ResponseFormatRequest } from '../output/json-response.validator';
import { isRefusal } from '../output/refusal.detector';
import type { ModerationFinding } from '../slow-tier/moderation.client';
import { FindingActions } from '../policy/finding-catalogue';
import type { GuardedMessage, GuardrailAction, GuardrailFinding, InputVerdict, OutputVerdict } from './guardrail-verdict';
import { findInvisibleCharacters, InputValidator } from './input.validator';
import { PiiRedactor, RedactionSession, type PiiMatch } from './pii.redactor';

/** Detectors that hold no per-policy state and are costly enough to build once per process. */
export interface SharedDetectors {
  injection: PromptInjectionDetector;
  json: JsonResponseValidator;
}

export function createSharedDetectors(): SharedDetectors {
  return { injection: new PromptInjectionDetector(), json: new JsonResponseValidator() };
}

export interface OutputCheck {
  content: string;
  /** Texts of the passages retrieved for this request. */
  passages?: readonly string[];
  responseFormat?: ResponseFormatRequest;
  /** What the slow tier's model found in this request's input, if it has answered by now. */
  inputModeration?: readonly ModerationFinding[];
}

const ACTION_RANK: Readonly<Record<GuardrailAction, number>> = { PASS: 0, REWRITE: 1, REDACT: 2, BLOCK: 3 };
const ACTION_OF: Readonly<Record<GuardrailActionName, GuardrailAction>> = { pass: 'PASS', redact: 'REDACT', rewrite: 'REWRITE', block: 'BLOCK' };
/** Roles whose text comes from outside the application: the user, and tools that fetch documents and pages. */
const UNTRUSTED_ROLES = new Set(['user', 'tool']);
const REFUSAL_SPAN = 300;

/**
 * One policy's fast tier. Input: validation (blocks), invisible characters (removed), personal
 * data and secrets (redacted), prompt injection, harmful content and denied topics (blocked),
 * each finding's action from the policy. Output: personal data and secrets (redacted, marked
 * when they came from a passage), harmful content and topics, refusals, JSON validity and
 * groundedness (flagged unless the policy says otherwise).
 */
export class GuardrailEngine {
  private readonly validator: InputValidator;
  private readonly inputPii: PiiRedactor;
  private readonly outputPii: PiiRedactor;
  private readonly harmful: HarmfulContentClassifier;
  private readonly topics: TopicDenyList;
  private readonly actions: FindingActions;

  constructor(
    readonly policy: EffectiveGuardrailPolicy,
    private readonly shared: SharedDetectors = createSharedDetectors(),
  ) {
    this.validator = new InputValidator({ maxInputChars: policy.maxInputChars });
    this.inputPii = PiiRedactor.forKinds(policy.input.has('pii') ? policy.pii : [], policy.thresholds.pii);
    const outputKinds: RedactionKind[] = [
      ...(policy.output.has('pii') ? policy.pii.filter((kind) => kind !== 'secret') : []),
      ...(policy.output.has('secrets') ? (['secret'] as const) : []),
    ];
    this.outputPii = PiiRedactor.forKinds(outputKinds, policy.thresholds.pii);
    this.harmful = new HarmfulContentClassifier(policy.harmfulCategories);
    this.topics = new TopicDenyList(policy.denyTopics);
    this.actions = new FindingActions(policy.actions);
  }

  /** The `default` policy of a configuration. */
  static fromConfig(config: GuardrailsConfig, shared?: SharedDetectors): GuardrailEngine {
    const policies = resolveGuardrailPolicies(config);
    return new GuardrailEngine(policies[policies.length - 1]!, shared);
  }

  checkInput<M extends GuardedMessage>(messages: readonly M[]): InputVerdict<M> {
    const validation = this.validator.validate(messages);
    const validationFindings = validation.findings.map((finding) => this.decide(finding));
    if (validationFindings.some((finding) => finding.action === 'BLOCK')) {
      return { action: 'BLOCK', findings: validationFindings, messages: [], reason: validation.blockReason ?? 'The request is not valid.' };
    }

    const findings: GuardrailFinding[] = [...validationFindings];
    const perMessage = messages.map((message, index) => {
      const found = this.inspectInput(message, index);
      findings.push(...found);
      return found;
    });
    const blocking = findings.filter((finding) => finding.action === 'BLOCK');
    if (blocking.length > 0) return { action: 'BLOCK', findings, messages: [], reason: reasonFor(blocking) };

    const session = new RedactionSession();
    const rewritten = messages.map((message, index) => {
      const edits = perMessage[index]!.filter((finding) => finding.action === 'REDACT' || finding.action === 'REWRITE');
      return edits.length > 0 ? { ...message, content: applyEdits(message.content, edits, session) } : { ...message };
    });
    const verdict: InputVerdict<M> = { action: overallAction(findings), findings, messages: rewritten };
    if (this.policy.reversibleRedaction && session.mapping().size > 0) verdict.restorable = session.mapping();
    return verdict;
  }

  checkOutput(check: OutputCheck): OutputVerdict {
    const { content } = check;
    const policy = this.policy;
    const passages = check.passages ?? [];
    const findings: GuardrailFinding[] = [];

    let fromPassages: PassageValues | undefined;
    for (const match of this.outputPii.find(content)) {
      fromPassages ??= this.valuesIn(passages);
      const fromPassage = fromPassages.contains(content.slice(match.start, match.end));
      findings.push(this.decide({ type: match.type, detector: match.detector, messageIndex: 0, start: match.start, end: match.end, score: match.score, ...(fromPassage ? { label: 'passage' } : {}) }));
    }
    if (policy.output.has('harmful')) findings.push(...this.harmFindings(content, 0));
    for (const flagged of check.inputModeration ?? []) {
      if (!policy.harmfulCategories.has(flagged.category)) continue;
      // About the input, found while the model was answering: no span in the answer.
      findings.push(this.decide({ type: 'harmful_content', detector: 'moderation-model', messageIndex: 0, start: 0, end: 0, score: flagged.score, label: flagged.category }));
    }
    if (policy.output.has('topics')) findings.push(...this.topicFindings(content, 0));
    if (policy.output.has('refusal') && isRefusal(content)) {
      findings.push(this.decide({ type: 'refusal', detector: 'refusal-detector', messageIndex: 0, start: 0, end: Math.min(content.length, REFUSAL_SPAN), score: 1 }));
    }
    if (policy.output.has('json') && check.responseFormat) {
      const json = this.shared.json.check(content, check.responseFormat);
      if (!json.ok) findings.push(this.decide({ type: json.type, detector: 'json-response-validator', messageIndex: 0, start: 0, end: content.length, score: 1, label: json.detail }));
    }
    let groundedness: number | undefined;
    if (policy.output.has('groundedness') && passages.length > 0) {
      const result = scoreGroundedness(content, passages, policy.thresholds.groundedness);
      groundedness = result.score;
      for (const sentence of result.unsupported) {
        findings.push(this.decide({ type: 'ungrounded_sentence', detector: 'groundedness-scorer', messageIndex: 0, start: sentence.start, end: sentence.end, score: round(1 - sentence.support) }));
      }
      if (result.score < policy.thresholds.groundedness) {
        findings.push(this.decide({ type: 'ungrounded_answer', detector: 'groundedness-scorer', messageIndex: 0, start: 0, end: content.length, score: round(1 - result.score) }));
      }
    }

    const blocking = findings.filter((finding) => finding.action === 'BLOCK');
    if (blocking.length > 0) return { action: 'BLOCK', findings, content: '', reason: reasonFor(blocking), ...(groundedness !== undefined ? { groundedness } : {}) };
    const edits = findings.filter((finding) => finding.action === 'REDACT' || finding.action === 'REWRITE');
    const redacted = edits.length > 0 ? applyEdits(content, edits, new RedactionSession('REDACTED_')) : content;
    return { action: overallAction(findings), findings, content: redacted, ...(groundedness !== undefined ? { groundedness } : {}) };
  }

  private inspectInput(message: GuardedMessage, messageIndex: number): GuardrailFinding[] {
    const { input } = this.policy;
    const text = message.content;
    const findings: GuardrailFinding[] = [];
    if (input.has('validation')) for (const finding of findInvisibleCharacters(text, messageIndex)) findings.push(this.decide(finding));
    for (const match of this.inputPii.find(text)) findings.push(this.piiFinding(match, messageIndex));
    if (!UNTRUSTED_ROLES.has(message.role)) return findings;
    if (input.has('injection')) {
      const assessment = this.shared.injection.assess(text);
      const strongest = assessment.signals[0];
      if (strongest && assessment.score >= this.policy.thresholds.injection) {
        findings.push(
          this.decide({ type: 'prompt_injection', detector: 'prompt-injection-detector', messageIndex, start: strongest.start, end: strongest.end, score: assessment.score, label: strongest.technique }),
        );
      }
    }
    if (input.has('harmful') && message.role === 'user') findings.push(...this.harmFindings(text, messageIndex));
    if (input.has('topics') && message.role === 'user') findings.push(...this.topicFindings(text, messageIndex));
    return findings;
  }

  private harmFindings(text: string, messageIndex: number): GuardrailFinding[] {
    return this.harmful
      .classify(text)
      .filter((harm) => harm.score >= this.policy.thresholds.harmful)
      .map((harm) => this.decide({ type: 'harmful_content', detector: 'harmful-content-classifier', messageIndex, start: harm.start, end: harm.end, score: harm.score, label: harm.category }));
  }

  private topicFindings(text: string, messageIndex: number): GuardrailFinding[] {
    return this.topics.find(text).map((match) => this.decide({ type: 'denied_topic', detector: 'topic-deny-list', messageIndex, start: match.start, end: match.end, score: 1, label: match.topic }));
  }

  /** Personal data found in the passages, to tell a leak of retrieved data from data the user gave. */
  private valuesIn(passages: readonly string[]): PassageValues {
    const values = new PassageValues();
    for (const passage of passages) for (const match of this.outputPii.find(passage)) values.add(passage.slice(match.start, match.end));
    return values;
  }

  /** The policy's action for a finding type (e.g. for the slow tier's own event). */
  actionFor(type: string): GuardrailAction {
    return ACTION_OF[this.actions.actionFor(type)];
  }

  /**
   * decide() of a finding for `match`, built whole: a long text has hundreds, and adding the
   * category and action to a finding built without them costs each one a second allocation.
   */
  private piiFinding(match: PiiMatch, messageIndex: number): GuardrailFinding {
    const { type } = match;
    return { type, detector: match.detector, messageIndex, start: match.start, end: match.end, score: match.score, category: this.actions.categoryOf(type), action: ACTION_OF[this.actions.actionFor(type)] };
  }

  /** Sets the category and the policy's action on a finding built for this call. */
  private decide(finding: GuardrailFinding): GuardrailFinding {
    finding.category = this.actions.categoryOf(finding.type);
    finding.action = ACTION_OF[this.actions.actionFor(finding.type)];
    return finding;
  }
}

function overallAction(findings: readonly GuardrailFinding[]): GuardrailAction {
  let overall: GuardrailAction = 'PASS';
  for (const finding of findings) if (ACTION_RANK[finding.action ?? 'PASS'] > ACTION_RANK[overall]) overall = finding.action!;
  return overall;
}

/**
 * Replaces redacted spans with placeholders and removes rewritten ones (invisible characters),
 * in text order; a span overlapping an earlier one is skipped.
 */
function applyEdits(text: string, edits: readonly GuardrailFinding[], session: RedactionSession): string {
  // Mostly in order already (one recognizer pass, sorted): then the copy and the sort are spared.
  const sorted = isInTextOrder(edits) ? edits : [...edits].sort(inTextOrder);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) continue;
    parts.push(text.slice(cursor, edit.start));
    if (edit.category === 'pii' || edit.category === 'secret') parts.push(session.placeholderFor(placeholderStem(edit.type), text.slice(edit.start, edit.end)));
    cursor = edit.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

function inTextOrder(a: GuardrailFinding, b: GuardrailFinding): number {
  return a.start - b.start || b.end - a.end;
}

function isInTextOrder(edits: readonly GuardrailFinding[]): boolean {
  for (let index = 1; index < edits.length; index++) if (inTextOrder(edits[index - 1]!, edits[index]!) > 0) return false;
  return true;
}

const STEMS: Readonly<Record<string, string>> = { email: 'EMAIL', payment_card: 'CARD', phone: 'PHONE', iban: 'IBAN', us_ssn: 'SSN', ip_address: 'IP', secret: 'SECRET' };

function placeholderStem(type: string): string {
  return STEMS[type] ?? type.toUpperCase();
}

/**
 * Values compared as written and, when they are numbers, by their digits: "(415) 555-2671" in a
 * passage and "+1 415 555 2671" in the answer are the same phone (one may carry a country code).
 */
class PassageValues {
  private readonly exact = new Set<string>();
  private readonly digitStrings: string[] = [];

  add(value: string): void {
    this.exact.add(value.toLowerCase().replace(/\s+/g, ''));
    const digits = value.replace(/\D/g, '');
    if (digits.length >= MIN_COMPARABLE_DIGITS) this.digitStrings.push(digits);
  }

  contains(value: string): boolean {
    if (this.exact.has(value.toLowerCase().replace(/\s+/g, ''))) return true;
    const digits = value.replace(/\D/g, '');
    return digits.length >= MIN_COMPARABLE_DIGITS && this.digitStrings.some((known) => known.endsWith(digits) || digits.endsWith(known));
  }
}

const MIN_COMPARABLE_DIGITS = 7;

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** What to tell the user, one sentence per kind of blocking finding; never the values. */
function reasonFor(blocking: readonly GuardrailFinding[]): string {
  const reasons = new Set<string>();
  for (const finding of blocking) {
    switch (finding.category) {
      case 'injection':
        reasons.add("The request looks like an attempt to override the assistant's instructions.");
        break;
      case 'harmful': {
        const code = finding.label as keyof typeof HARM_CATEGORY_NAMES;
        reasons.add(`The content was refused as ${HARM_CATEGORY_NAMES[code] ?? 'harmful'} (${finding.label}).`);
        break;
      }
      case 'topic':
        reasons.add(`The content touches a topic that is not allowed here (${finding.label}).`);
        break;
      case 'pii':
      case 'secret':
        reasons.add(`The content contains ${finding.type.replace('_', ' ')} data that is not allowed here.`);
        break;
      case 'refusal':
        reasons.add('The model declined to answer.');
        break;
      case 'format':
        reasons.add('The answer is not the JSON that was asked for.');
        break;
      case 'grounding':
        reasons.add('The answer is not supported by the retrieved sources.');
        break;
      default:
        reasons.add(finding.type === 'bidi_control' || finding.type === 'invisible_character' ? 'The request contains invisible or direction-changing characters.' : 'The request is not valid.');
    }
  }
  return [...reasons].join(' ');
}
