import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

/**
 * Candidate phone numbers: an optional "+", then digits with the separators people type
 * (space, dash, dot, slash, brackets), 7 to 24 characters. The repetition is bounded, so a scan
 * is linear in the text length; libphonenumber-js then decides whether a candidate is a valid
 * number of a real numbering plan.
 */
const CANDIDATE = /(?<![\w+.\/-])(?:\+[ \t]?)?\(?\d[\d \t\-.()\/]{5,22}\d(?![\w@]|[.,]\d)/g;

/**
 * libphonenumber needs ~75 µs per candidate; past this many candidates in one text (a table of
 * numbers, or an attack on latency) the rest are not parsed, which bounds the check to ~100 ms.
 */
const MAX_PARSED_CANDIDATES = 1000;
/** Shapes that are something else, rejected before the ~75 µs parse: IPv4 addresses, ISO dates, times. */
const NOT_A_PHONE = /^\d{1,3}(?:\.\d{1,3}){3}$|^\d{4}-\d{2}-\d{2}|^\d{1,2}[.\/]\d{1,2}[.\/]\d{2,4}$/;
/** Phone numbers are printed in groups of two digits or more (a leading country code aside). */
const MAX_ONE_DIGIT_GROUPS = 1;

/** Regions tried for numbers written without a country code, in this order. */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = ['US', 'GB', 'DE', 'FR'];

/**
 * Telephone numbers, international ("+44 20 7946 0958") or national in one of the configured
 * regions ("(415) 555-2671", "0151 23456789"). Numbers in international format are trusted more:
 * a bare national digit string is often an order or account number, which the context words
 * (see pii.context.ts) then tell apart.
 */
export class PhoneRecognizer implements PiiRecognizer {
  readonly type = 'phone';
  readonly detector = 'phone-recognizer';
  readonly placeholder = 'PHONE';

  constructor(private readonly regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS) {}

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    let parsed = 0;
    for (const match of text.matchAll(CANDIDATE)) {
      const candidate = trimUnbalanced(match[0]);
      if ((candidate.match(/(?<!\d)\d(?!\d)/g) ?? []).length > MAX_ONE_DIGIT_GROUPS || NOT_A_PHONE.test(candidate)) continue;
      if (++parsed > MAX_PARSED_CANDIDATES) break;
      const start = match.index + (match[0].length - match[0].trimStart().length);
      const score = this.scoreOf(candidate.trim());
      if (score > 0) spans.push({ start, end: start + candidate.trim().length, score });
    }
    return spans;
  }

  private scoreOf(candidate: string): number {
    const digits = candidate.replace(/\D/g, '').length;
    if (digits < 7 || digits > 15) return 0;
    if (candidate.startsWith('+')) return parsePhoneNumberFromString(candidate)?.isValid() ? 0.9 : 0;
    const grouped = /[\s\-.()\/]/.test(candidate);
    // A national number without trunk prefix "0" can only be NANP here; others start with 0.
    const regions = candidate.replace(/^\(/, '').startsWith('0') ? this.regions.filter((region) => region !== 'US') : this.regions.slice(0, 1);
    for (const [index, region] of regions.entries()) {
      if (parsePhoneNumberFromString(candidate, region)?.isValid()) return (grouped ? 0.6 : 0.4) - (index > 0 ? 0.05 : 0);
    }
    return 0;
  }
}

/** "(415) 555-2671)" → drop a closing bracket that has no opening one, and trailing separators. */
function trimUnbalanced(candidate: string): string {
  let result = candidate.replace(/[\s\-.\/(]+$/, '');
  const opens = (result.match(/\(/g) ?? []).length;
  const closes = (result.match(/\)/g) ?? []).length;
  if (closes > opens && result.endsWith(')')) result = result.slice(0, -1);
  return result;
}
