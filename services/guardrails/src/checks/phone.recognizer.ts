import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

/**
 * Candidate phone numbers: an optional "+", then digits with the separators people type
 * (space, dash, dot, slash, brackets), 7 to 24 characters, ending on a digit (so a trailing
 * bracket or separator is never part of one). The repetition is bounded, so a scan is linear
 * in the text length; libphonenumber-js then decides whether a candidate is a valid number of
 * a real numbering plan.
 */
const CANDIDATE = /(?<![\w+.\/-])(?:\+[ \t]?)?\(?\d[\d \t\-.()\/]{5,22}\d(?![\w@]|[.,]\d)/g;

/**
 * libphonenumber needs 15-35 µs per parse (up to three regions per candidate); past this many
 * parsed candidates in one text (a table of numbers, or an attack on latency) the rest are not
 * parsed, which bounds the check to ~100 ms.
 */
const MAX_PARSED_CANDIDATES = 1000;
/** Shapes that are something else, rejected before the parse: IPv4 addresses, ISO dates, times. */
const NOT_A_PHONE = /^\d{1,3}(?:\.\d{1,3}){3}$|^\d{4}-\d{2}-\d{2}|^\d{1,2}[.\/]\d{1,2}[.\/]\d{2,4}$/;
/** Phone numbers are printed in groups of two digits or more (a leading country code aside). */
const MAX_ONE_DIGIT_GROUPS = 1;
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;

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

  /** Regions for a national number with trunk prefix "0"; one without can only be NANP here, the first region. */
  private readonly trunkPrefixRegions: readonly CountryCode[];
  private readonly firstRegion: readonly CountryCode[];

  constructor(regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS) {
    this.trunkPrefixRegions = regions.filter((region) => region !== 'US');
    this.firstRegion = regions.slice(0, 1);
  }

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    // A long text often repeats a number (a signature in every quoted mail, a hotline in every
    // section): each distinct candidate is parsed once per text.
    const scores = new Map<string, number>();
    let parsed = 0;
    // exec rather than matchAll: no iterator result per candidate (a long text has hundreds).
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match !== null; match = CANDIDATE.exec(text)) {
      // Most candidates in prose are card, account or IBAN digit groups: their digit count drops
      // them first, without a regex or a string built per candidate.
      const candidate = match[0];
      const digits = countDigits(candidate);
      if (digits < MIN_DIGITS || digits > MAX_DIGITS) continue;
      let score = scores.get(candidate);
      if (score === undefined) {
        if (countOneDigitGroups(candidate) > MAX_ONE_DIGIT_GROUPS || NOT_A_PHONE.test(candidate)) score = 0;
        else if (++parsed > MAX_PARSED_CANDIDATES) break;
        else score = this.scoreOf(candidate);
        scores.set(candidate, score);
      }
      if (score > 0) spans.push({ start: match.index, end: match.index + candidate.length, score });
    }
    return spans;
  }

  /** `candidate` has 7 to 15 digits (E.164 allows 15; shorter is a local number without area code). */
  private scoreOf(candidate: string): number {
    if (candidate.startsWith('+')) return parsePhoneNumberFromString(candidate)?.isValid() ? 0.9 : 0;
    const grouped = /[\s\-.()\/]/.test(candidate);
    const regions = candidate.startsWith('0') || candidate.startsWith('(0') ? this.trunkPrefixRegions : this.firstRegion;
    for (const [index, region] of regions.entries()) {
      if (parsePhoneNumberFromString(candidate, region)?.isValid()) return (grouped ? 0.6 : 0.4) - (index > 0 ? 0.05 : 0);
    }
    return 0;
  }
}

function countDigits(candidate: string): number {
  let digits = 0;
  for (let index = 0; index < candidate.length; index++) if (isDigit(candidate.charCodeAt(index))) digits++;
  return digits;
}

/** Groups of exactly one digit ("1 2 3"). */
function countOneDigitGroups(candidate: string): number {
  let groups = 0;
  for (let index = 0; index < candidate.length; index++) {
    if (isDigit(candidate.charCodeAt(index)) && !isDigit(candidate.charCodeAt(index - 1)) && !isDigit(candidate.charCodeAt(index + 1))) groups++;
  }
  return groups;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
