import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const LOCAL_SYMBOL_CODES = new Set([..."!#$%&'*+/=?^_`{|}~.-"].map((char) => char.charCodeAt(0)));
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const LETTER = /^\p{L}$/u;

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
      while (start > previousEnd && isLocalChar(text, start - 1)) start--;
      while (start < at && text[start] === '.') start++;
      if (start === at || text[at - 1] === '.') continue;

      let end = at + 1;
      let dots = 0;
      for (; end < text.length && isDomainChar(text, end); end++) {
        if (text.charCodeAt(end) === 0x2e) dots++;
      }
      if (dots === 0) continue; // cheap exit for the common "name@host" and for "a@a@a@..."
      // Sentence punctuation after an address ("write to a@b.io.") is not part of it.
      while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
      if (!isDomain(text, at + 1, end)) continue;

      spans.push({ start, end, score: 0.95 });
      previousEnd = end;
    }
    return spans;
  }
}

function isLocalChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (isAsciiAlnum(code)) return true;
  if (code < 0x80) return LOCAL_SYMBOL_CODES.has(code);
  return LETTER_OR_DIGIT.test(text[index]!);
}

function isDomainChar(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (isAsciiAlnum(code) || code === 0x2e /* . */ || code === 0x2d /* - */) return true;
  return code >= 0x80 && LETTER_OR_DIGIT.test(text[index]!);
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** Labels of 1-63 characters not starting or ending with "-", at least two, the last all letters (2+). Read in place. */
function isDomain(text: string, from: number, to: number): boolean {
  if (to - from > 253) return false;
  let labelStart = from;
  let labels = 0;
  for (let position = from; position <= to; position++) {
    if (position < to && text.charCodeAt(position) !== 0x2e) continue;
    const length = position - labelStart;
    if (length === 0 || length > 63 || text.charCodeAt(labelStart) === 0x2d || text.charCodeAt(position - 1) === 0x2d) return false;
    labels++;
    if (position === to) {
      if (labels < 2 || length < 2) return false;
      for (let index = labelStart; index < to; index++) if (!isLetter(text, index)) return false;
    }
    labelStart = position + 1;
  }
  return true;
}

function isLetter(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return true;
  return code >= 0x80 && LETTER.test(text[index]!);
}
