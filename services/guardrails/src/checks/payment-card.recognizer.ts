import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
const MIN_GROUP_DIGITS = 3;

/**
 * The start of every run of digit groups (joined by one space or dash) with at least 13 digits:
 * shorter runs cannot hold a card. Found by the regex engine, several times faster than visiting
 * every character in JavaScript; every repetition consumes a digit, so it stays linear. A run
 * never starts right after a digit, so the engine does not try there.
 */
const CARD_LENGTH_RUN = new RegExp(`(?<!\\d)\\d(?:[ -]?\\d){${MIN_DIGITS - 1},}`, 'g');

/**
 * Payment card numbers: 13 to 19 digits, optionally grouped with single spaces or dashes, that
 * pass the Luhn check. Digit strings failing Luhn are left alone, which keeps order numbers and
 * most phone numbers readable. When a longer run of digit groups contains a card (e.g. "ref 12
 * 4111 1111 1111 1111"), windows aligned on group boundaries are tried as well.
 */
export class PaymentCardRecognizer implements PiiRecognizer {
  readonly type = 'payment_card';
  readonly detector = 'payment-card-recognizer';
  readonly placeholder = 'CARD';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    for (const { index } of text.matchAll(CARD_LENGTH_RUN)) {
      const groups = readDigitGroups(text, index);
      const runEnd = groups[groups.length - 1]!.end;
      if (!isPartOfDecimal(text, index, runEnd)) for (const card of cardsIn(text, groups)) spans.push(card);
    }
    return spans;
  }
}

interface DigitGroup {
  start: number;
  end: number;
}

/** Maximal run of digit groups joined by exactly one space or dash. */
function readDigitGroups(text: string, from: number): DigitGroup[] {
  const groups: DigitGroup[] = [];
  let position = from;
  for (;;) {
    const start = position;
    while (position < text.length && isDigit(text.charCodeAt(position))) position++;
    groups.push({ start, end: position });
    const separator = text[position];
    if ((separator === ' ' || separator === '-') && isDigit(text.charCodeAt(position + 1))) position++;
    else return groups;
  }
}

function cardsIn(text: string, groups: DigitGroup[]): PiiSpan[] {
  let total = 0;
  for (const group of groups) total += group.end - group.start;
  if (total < MIN_DIGITS) return [];
  if (total <= MAX_DIGITS && isPlausibleCard(text, groups, 0, groups.length - 1)) return [span(text, groups, 0, groups.length - 1)];
  if (groups.length === 1) return [];

  // Inside a longer run, only windows of groups of 3+ digits (how cards are printed) are tried;
  // this keeps "1 2 3 4 ..." cheap and avoids picking cards out of tables of small numbers.
  const spans: PiiSpan[] = [];
  let first = 0;
  while (first < groups.length) {
    let best: number | undefined;
    let count = 0;
    for (let last = first; last < groups.length; last++) {
      const length = groups[last]!.end - groups[last]!.start;
      count += length;
      if (length < MIN_GROUP_DIGITS || count > MAX_DIGITS) break;
      if (count >= MIN_DIGITS && isPlausibleCard(text, groups, first, last)) best = last;
    }
    if (best !== undefined) {
      spans.push(span(text, groups, first, best));
      first = best + 1;
    } else {
      first++;
    }
  }
  return spans;
}

function span(text: string, groups: DigitGroup[], first: number, last: number): PiiSpan {
  let prefix = '';
  for (let index = first; index <= last && prefix.length < 4; index++) prefix += text.slice(groups[index]!.start, groups[index]!.end);
  return { start: groups[first]!.start, end: groups[last]!.end, score: hasKnownIssuerPrefix(prefix) ? 0.95 : 0.7 };
}

/**
 * Luhn over the digits of groups first..last, read in place: building a string per candidate
 * window made long runs of digit groups several times slower.
 */
function isPlausibleCard(text: string, groups: DigitGroup[], first: number, last: number): boolean {
  let sum = 0;
  let double = false;
  let allSame = true;
  const firstDigit = text.charCodeAt(groups[first]!.start);
  for (let index = last; index >= first; index--) {
    const group = groups[index]!;
    for (let position = group.end - 1; position >= group.start; position--) {
      const code = text.charCodeAt(position);
      if (code !== firstDigit) allSame = false;
      let digit = code - 48;
      if (double) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
      double = !double;
    }
  }
  // "0000 0000 0000 0000" passes Luhn but is a placeholder, not a card.
  return sum % 10 === 0 && !allSame;
}

/** The Luhn (mod 10) checksum that every payment card number satisfies. */
export function passesLuhn(digits: string): boolean {
  if (digits.length === 0) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Visa, Mastercard (51-55, 2221-2720), Amex, Diners, JCB, Discover, UnionPay, Maestro. */
function hasKnownIssuerPrefix(digits: string): boolean {
  if (/^(4|5[1-5]|3[47]|3[0689]|6|50|5[6-9])/.test(digits)) return true;
  const four = Number(digits.slice(0, 4));
  return four >= 2221 && four <= 2720;
}

/** "3.1415926535897932" is a number with decimals, not a card. */
function isPartOfDecimal(text: string, start: number, end: number): boolean {
  const before = text[start - 1];
  const after = text[end];
  return (
    ((before === '.' || before === ',') && isDigit(text.charCodeAt(start - 2))) ||
    ((after === '.' || after === ',') && isDigit(text.charCodeAt(end + 1)))
  );
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
