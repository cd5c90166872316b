import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

/** IBAN length per country (ISO 13616 registry), for the countries that issue them. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

/**
 * Country code, two check digits, then the start of the account part; the rest is read by hand.
 * No capture groups: the country is read from the text, and `test` then builds no match array.
 */
const START = /\b[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])/g;
/** Length of START's match: it is fixed, so the match's start is lastIndex minus this. */
const START_LENGTH = 4;

/**
 * International bank account numbers, printed in groups of four or not, that have the length of
 * their country and pass the ISO 7064 mod-97 check.
 */
export class IbanRecognizer implements PiiRecognizer {
  readonly type = 'iban';
  readonly detector = 'iban-recognizer';
  readonly placeholder = 'IBAN';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    let resumeAt = 0;
    START.lastIndex = 0;
    while (START.test(text)) {
      const start = START.lastIndex - START_LENGTH;
      if (start < resumeAt) continue;
      const length = IBAN_LENGTHS[text.slice(start, start + 2).toUpperCase()];
      if (!length) continue;
      const end = readAlphanumerics(text, start, length);
      if (end === -1 || isAlphanumeric(text.charCodeAt(end))) continue;
      if (!passesMod97InPlace(text, start, end)) continue;
      spans.push({ start, end, score: 0.95 });
      resumeAt = end;
    }
    return spans;
  }
}

/** Index just past `count` letters and digits from `from`, single spaces allowed between them; -1 if the text ends first. */
function readAlphanumerics(text: string, from: number, count: number): number {
  let position = from;
  for (let read = 0; read < count; read++) {
    if (read > 0 && text.charCodeAt(position) === 0x20) position++;
    if (!isAlphanumeric(text.charCodeAt(position))) return -1;
    position++;
  }
  return position;
}

/** ISO 7064 MOD 97-10 over the rearranged IBAN, computed digit by digit (no big integers). */
export function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) remainder = (remainder * 10 + (code - 0x30)) % 97;
    else if (code >= 0x41 && code <= 0x5a) remainder = (remainder * 100 + (code - 55)) % 97;
    else return false;
  }
  return remainder === 1;
}

/**
 * passesMod97 of text[start, end) with its spaces removed and its letters in upper case, read in
 * place (no string per candidate): the country code and check digits, START's four characters
 * (never a space among them), go last.
 */
function passesMod97InPlace(text: string, start: number, end: number): boolean {
  let remainder = 0;
  for (let position = start + START_LENGTH; position < end; position++) remainder = mod97Step(remainder, text.charCodeAt(position));
  for (let position = start; position < start + START_LENGTH; position++) remainder = mod97Step(remainder, text.charCodeAt(position));
  return remainder === 1;
}

/** The remainder after one more character of an IBAN: a digit, a letter (either case) or a space (skipped). */
function mod97Step(remainder: number, code: number): number {
  if (code >= 0x30 && code <= 0x39) return (remainder * 10 + (code - 0x30)) % 97;
  const upper = code & ~0x20;
  if (upper >= 0x41 && upper <= 0x5a) return (remainder * 100 + (upper - 55)) % 97;
  return remainder;
}

function isAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
