import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const LOCAL_SYMBOLS = new Set("!#$%&'*+/=?^_`{|}~.-");
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const LETTERS = /^\p{L}{2,}$/u;

/**
 * E-mail addresses. Rather than one regular expression (which backtracks quadratically on input
 * such as a long run of address characters without an "@"), it finds each "@" and scans outwards;
 * neither scan can cross another "@", so the whole pass is linear in the text length.
 * Quoted local parts and IP-literal domains are not recognised.
 */
export class EmailRecognizer implements PiiRecognizer {
  readonly type = 'email';
  readonly detector = 'email-recognizer';
  readonly placeholder = 'EMAIL';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    let previousEnd = 0;
    for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
      let start = at;
      while (start > previousEnd && isLocalChar(text.charCodeAt(start - 1), text[start - 1]!)) start--;
      while (start < at && text[start] === '.') start++;
      if (start === at || text[at - 1] === '.') continue;

      let end = at + 1;
      while (end < text.length && isDomainChar(text.charCodeAt(end), text[end]!)) end++;
      // Sentence punctuation after an address ("write to a@b.io.") is not part of it.
      while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
      if (!isDomain(text.slice(at + 1, end))) continue;

      spans.push({ start, end, score: 0.95 });
      previousEnd = end;
    }
    return spans;
  }
}

function isLocalChar(code: number, char: string): boolean {
  if (isAsciiAlnum(code)) return true;
  if (code < 0x80) return LOCAL_SYMBOLS.has(char);
  return LETTER_OR_DIGIT.test(char);
}

function isDomainChar(code: number, char: string): boolean {
  if (isAsciiAlnum(code) || code === 0x2e /* . */ || code === 0x2d /* - */) return true;
  return code >= 0x80 && LETTER_OR_DIGIT.test(char);
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return LETTERS.test(labels[labels.length - 1]!);
}
