import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

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
    let index = 0;
    while (index < text.length) {
      if (!isDigit(text.charCodeAt(index))) {
        index++;
        continue;
      }
      const groups = readDigitGroups(text, index);
      const runEnd = groups[groups.length - 1]!.end;
      if (!isPartOfDecimal(text, index, runEnd)) spans.push(...cardsIn(text, groups));
      index = runEnd;
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
  const spans: PiiSpan[] = [];
  let first = 0;
  while (first < groups.length) {
    let best: { last: number; digits: string } | undefined;
    let digits = '';
    for (let last = first; last < groups.length; last++) {
      digits += text.slice(groups[last]!.start, groups[last]!.end);
      if (digits.length > MAX_DIGITS) break;
      if (digits.length >= MIN_DIGITS && isPlausibleCardNumber(digits)) best = { last, digits };
    }
    if (best) {
      spans.push({ start: groups[first]!.start, end: groups[best.last]!.end, score: hasKnownIssuerPrefix(best.digits) ? 0.95 : 0.7 });
      first = best.last + 1;
    } else {
      first++;
    }
  }
  return spans;
}

function isPlausibleCardNumber(digits: string): boolean {
  // "0000 0000 0000 0000" passes Luhn but is a placeholder, not a card.
  return passesLuhn(digits) && !/^(\d)\1*$/.test(digits);
}

/** The Luhn (mod 10) checksum that every payment card number satisfies. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
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
