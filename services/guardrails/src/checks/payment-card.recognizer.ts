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
    // exec rather than matchAll: no iterator result per run (a long text has hundreds of runs).
    CARD_LENGTH_RUN.lastIndex = 0;
    for (let match = CARD_LENGTH_RUN.exec(text); match !== null; match = CARD_LENGTH_RUN.exec(text)) {
      const groups = readDigitGroups(text, match.index);
      if (!isPartOfDecimal(text, match.index, groups.end(groups.count - 1))) cardsIn(text, groups, spans);
    }
    return spans;
  }
}

/**
 * The digit groups of one run, as [start, end) pairs in one flat array: a run is read for every
 * candidate, and an object per group was most of this recognizer's garbage.
 */
class DigitGroups {
  private readonly bounds: number[] = [];

  get count(): number {
    return this.bounds.length / 2;
  }

  add(start: number, end: number): void {
    this.bounds.push(start, end);
  }

  start(group: number): number {
    return this.bounds[2 * group]!;
  }

  end(group: number): number {
    return this.bounds[2 * group + 1]!;
  }
}

/** Maximal run of digit groups joined by exactly one space or dash. */
function readDigitGroups(text: string, from: number): DigitGroups {
  const groups = new DigitGroups();
  let position = from;
  for (;;) {
    const start = position;
    while (position < text.length && isDigit(text.charCodeAt(position))) position++;
    groups.add(start, position);
    const separator = text[position];
    if ((separator === ' ' || separator === '-') && isDigit(text.charCodeAt(position + 1))) position++;
    else return groups;
  }
}

/** Adds the cards in a run of digit groups to `spans`. */
function cardsIn(text: string, groups: DigitGroups, spans: PiiSpan[]): void {
  let total = 0;
  for (let group = 0; group < groups.count; group++) total += groups.end(group) - groups.start(group);
  if (total < MIN_DIGITS) return;
  if (total <= MAX_DIGITS && isPlausibleCard(text, groups, 0, groups.count - 1)) {
    spans.push(span(text, groups, 0, groups.count - 1));
    return;
  }
  if (groups.count === 1) return;

  // Inside a longer run, only windows of groups of 3+ digits (how cards are printed) are tried;
  // this keeps "1 2 3 4 ..." cheap and avoids picking cards out of tables of small numbers.
  let first = 0;
  while (first < groups.count) {
    let best: number | undefined;
    let count = 0;
    for (let last = first; last < groups.count; last++) {
      const length = groups.end(last) - groups.start(last);
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
}

function span(text: string, groups: DigitGroups, first: number, last: number): PiiSpan {
  let prefix = '';
  for (let index = first; index <= last && prefix.length < 4; index++) prefix += text.slice(groups.start(index), groups.end(index));
  return { start: groups.start(first), end: groups.end(last), score: hasKnownIssuerPrefix(prefix) ? 0.95 : 0.7 };
}

/**
 * Luhn over the digits of groups first..last, read in place: building a string per candidate
 * window made long runs of digit groups several times slower.
 */
function isPlausibleCard(text: string, groups: DigitGroups, first: number, last: number): boolean {
  let sum = 0;
  let double = false;
  let allSame = true;
  const firstDigit = text.charCodeAt(groups.start(first));
  for (let index = last; index >= first; index--) {
    for (let position = groups.end(index) - 1; position >= groups.start(index); position--) {
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
