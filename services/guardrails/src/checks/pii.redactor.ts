import type { RedactionKind } from '@llmops/config';
import { lowerCaseKeepingOffsets } from '../injection/text-folding';
import { EmailRecognizer } from './email.recognizer';
import { IbanRecognizer } from './iban.recognizer';
import { IpAddressRecognizer } from './ip-address.recognizer';
import { PaymentCardRecognizer } from './payment-card.recognizer';
import { PhoneRecognizer } from './phone.recognizer';
import { scoreInContext } from './pii.context';
import type { PiiRecognizer } from './pii.recognizer';
import { SecretRecognizer } from './secret.recognizer';
import { UsSsnRecognizer } from './us-ssn.recognizer';

export interface PiiMatch {
  type: string;
  detector: string;
  start: number;
  end: number;
  score: number;
  /** Placeholder stem, e.g. `EMAIL`. */
  stem: string;
}

export interface RedactionResult {
  text: string;
  /** Offsets refer to the text before redaction. */
  matches: (PiiMatch & { placeholder: string })[];
}

/**
 * Numbers placeholders across one request, so the same address in two messages becomes the same
 * `[EMAIL_1]` and the model can still tell that they are one person. Lives for one check; its
 * mapping is what a reversible redaction keeps (in memory, see RedactionVault).
 */
export class RedactionSession {
  /**
   * Stem → value → placeholder. Keyed by stem first, so a look-up hashes the value as it is (a
   * slice of the text) instead of a new "stem + value" string: a long text has hundreds of them.
   */
  private readonly byStem = new Map<string, Map<string, string>>();
  private readonly values = new Map<string, string>();

  /** `prefix` keeps placeholders of one kind of session apart from another's: output redaction uses `REDACTED_`. */
  constructor(private readonly prefix = '') {}

  placeholderFor(stem: string, value: string): string {
    let byValue = this.byStem.get(stem);
    if (!byValue) this.byStem.set(stem, (byValue = new Map()));
    const existing = byValue.get(value);
    if (existing) return existing;
    const placeholder = `[${this.prefix}${stem}_${byValue.size + 1}]`;
    byValue.set(value, placeholder);
    this.values.set(placeholder, value);
    return placeholder;
  }

  /** Placeholder → original value. */
  mapping(): ReadonlyMap<string, string> {
    return this.values;
  }
}

const recognizerFactories: Record<RedactionKind, () => PiiRecognizer> = {
  email: () => new EmailRecognizer(),
  payment_card: () => new PaymentCardRecognizer(),
  phone: () => new PhoneRecognizer(),
  iban: () => new IbanRecognizer(),
  us_ssn: () => new UsSsnRecognizer(),
  ip_address: () => new IpAddressRecognizer(),
  secret: () => new SecretRecognizer(),
};

export const DEFAULT_PII_THRESHOLD = 0.5;
/** Text length (UTF-16 code units) from which candidates' contexts are read from one lower-cased copy. */
const SHARED_LOWER_CASE_FROM = 16_384;

/** Finds personal data and secrets with its recognizers, scores them in context, and replaces them with numbered placeholders. */
export class PiiRedactor {
  constructor(
    private readonly recognizers: readonly PiiRecognizer[],
    private readonly threshold: number = DEFAULT_PII_THRESHOLD,
  ) {}

  static forKinds(kinds: readonly RedactionKind[], threshold: number = DEFAULT_PII_THRESHOLD): PiiRedactor {
    return new PiiRedactor(kinds.map((kind) => recognizerFactories[kind]()), threshold);
  }

  /** Matches at or above the threshold, without overlaps (the higher score wins), in text order. */
  find(text: string): PiiMatch[] {
    const found: PiiMatch[] = [];
    // A long text is lower-cased once for every candidate's context (the injection and harm checks
    // then reuse that copy); a short one's few windows are lower-cased each (cheaper, and a passage
    // does not push a long answer's copy out).
    let lowered: string | undefined;
    let loweredYet = text.length < SHARED_LOWER_CASE_FROM;
    for (const recognizer of this.recognizers) {
      for (const span of recognizer.find(text)) {
        if (!loweredYet) {
          lowered = lowerCaseKeepingOffsets(text);
          loweredYet = true;
        }
        const score = scoreInContext(recognizer.type, text, span.start, span.end, span.score, lowered);
        if (score >= this.threshold) found.push({ type: recognizer.type, detector: recognizer.detector, start: span.start, end: span.end, score, stem: recognizer.placeholder });
      }
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: PiiMatch[] = [];
    for (const match of found) {
      const last = kept[kept.length - 1];
      if (!last || match.start >= last.end) kept.push(match);
      else if (match.score > last.score) kept[kept.length - 1] = match;
    }
    return kept;
  }

  redact(text: string, session: RedactionSession = new RedactionSession()): RedactionResult {
    return replaceMatches(text, this.find(text), session);
  }
}

/** Replaces each match (in text order, not overlapping) with its placeholder. */
export function replaceMatches(text: string, matches: readonly PiiMatch[], session: RedactionSession): RedactionResult {
  if (matches.length === 0) return { text, matches: [] };
  const parts: string[] = [];
  const placed: RedactionResult['matches'] = [];
  let cursor = 0;
  for (const match of matches) {
    const placeholder = session.placeholderFor(match.stem, text.slice(match.start, match.end));
    parts.push(text.slice(cursor, match.start), placeholder);
    // Object.assign, not { ...match, placeholder }: docs/architecture.md, "Hot paths on Node 20".
    placed.push(Object.assign({}, match, { placeholder }));
    cursor = match.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), matches: placed };
}
