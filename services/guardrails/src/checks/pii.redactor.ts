import type { RedactionKind } from '@llmops/config';
import { EmailRecognizer } from './email.recognizer';
import { PaymentCardRecognizer } from './payment-card.recognizer';
import type { PiiRecognizer } from './pii.recognizer';

export interface PiiMatch {
  type: string;
  detector: string;
  start: number;
  end: number;
  score: number;
  placeholder: string;
}

export interface RedactionResult {
  text: string;
  /** Offsets refer to the text before redaction. */
  matches: PiiMatch[];
}

/**
 * Numbers placeholders across one request, so the same address in two messages becomes the same
 * `[EMAIL_1]` and the model can still tell that they are one person. Lives for one check only.
 */
export class RedactionSession {
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  placeholderFor(stem: string, value: string): string {
    const key = `${stem}\u0000${value}`;
    const existing = this.byValue.get(key);
    if (existing) return existing;
    const next = (this.counters.get(stem) ?? 0) + 1;
    this.counters.set(stem, next);
    const placeholder = `[${stem}_${next}]`;
    this.byValue.set(key, placeholder);
    return placeholder;
  }
}

const recognizerFactories: Record<RedactionKind, () => PiiRecognizer> = {
  email: () => new EmailRecognizer(),
  payment_card: () => new PaymentCardRecognizer(),
};

/** Replaces personal data found by its recognizers with numbered placeholders. */
export class PiiRedactor {
  constructor(private readonly recognizers: readonly PiiRecognizer[]) {}

  static forKinds(kinds: readonly RedactionKind[]): PiiRedactor {
    return new PiiRedactor(kinds.map((kind) => recognizerFactories[kind]()));
  }

  redact(text: string, session: RedactionSession = new RedactionSession()): RedactionResult {
    const found = this.recognizers.flatMap((recognizer) =>
      recognizer.find(text).map((span) => ({ ...span, type: recognizer.type, detector: recognizer.detector, stem: recognizer.placeholder })),
    );
    // Earliest first and, at the same start, longest first; anything overlapping a kept match is dropped.
    found.sort((a, b) => a.start - b.start || b.end - a.end);

    const matches: PiiMatch[] = [];
    const parts: string[] = [];
    let cursor = 0;
    for (const span of found) {
      if (span.start < cursor) continue;
      const placeholder = session.placeholderFor(span.stem, text.slice(span.start, span.end));
      parts.push(text.slice(cursor, span.start), placeholder);
      matches.push({ type: span.type, detector: span.detector, start: span.start, end: span.end, score: span.score, placeholder });
      cursor = span.end;
    }
    if (matches.length === 0) return { text, matches };
    parts.push(text.slice(cursor));
    return { text: parts.join(''), matches };
  }
}
