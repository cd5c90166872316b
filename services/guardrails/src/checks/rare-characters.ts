/**
 * Every character that input validation (control characters, U+FFFD, invisible and bidi
 * characters, lone surrogates: any surrogate here) or text folding (Greek and Cyrillic, full-width
 * and mathematical letters, soft hyphens; U+2126 OHM SIGN too, which lower-cases to a Greek omega)
 * looks for. Most text has none: one pass with this class tells those checks to skip their own
 * passes over a long text. The spec checks that it covers each of their classes.
 */
const ANY_RARE_CHARACTER =
  /[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0370-\u04ff\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2126\ud800-\udfff\ufeff\uff01-\uff5e\ufffd]/;

/** A request's messages are each looked at by several checks in turn: the last few answers are kept. */
const REMEMBERED_TEXTS = 4;
const recent: { text: string; found: boolean }[] = [];

/** False when `text` has none of the characters above, so no check needs to look for them. */
export function mayHaveRareCharacters(text: string): boolean {
  for (const entry of recent) if (entry.text === text) return entry.found;
  const found = ANY_RARE_CHARACTER.test(text);
  recent.unshift({ text, found });
  if (recent.length > REMEMBERED_TEXTS) recent.pop();
  return found;
}
