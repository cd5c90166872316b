/** Where a recognizer found a value, with how sure it is. The value itself is not kept. */
export interface PiiSpan {
  start: number;
  end: number;
  score: number;
}

/**
 * Finds one kind of personal data in text. Implementations must run in time linear in the text
 * length: they see untrusted input of up to the configured maximum size.
 */
export interface PiiRecognizer {
  /** Finding type, e.g. `email`. */
  readonly type: string;
  readonly detector: string;
  /** Placeholder stem: `EMAIL` gives `[EMAIL_1]`. */
  readonly placeholder: string;
  find(text: string): PiiSpan[];
}
