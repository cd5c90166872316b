import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

const SSN = /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g;

/** Numbers the SSA published or used in advertising; never issued to anyone. */
const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789']);

/**
 * US Social Security numbers that could have been issued: area not 000, 666 or 900-999, group
 * not 00, serial not 0000. Nine digits without separators are far more often something else, so
 * they start with a low score and need a context word ("SSN", "social security") to count.
 */
export class UsSsnRecognizer implements PiiRecognizer {
  readonly type = 'us_ssn';
  readonly detector = 'us-ssn-recognizer';
  readonly placeholder = 'SSN';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    for (const match of text.matchAll(SSN)) {
      const [, area, separator, group, serial] = match as unknown as [string, string, string, string, string];
      const areaNumber = Number(area);
      if (areaNumber === 0 || areaNumber === 666 || areaNumber >= 900 || group === '00' || serial === '0000') continue;
      if (KNOWN_INVALID.has(area + group + serial)) continue;
      const score = separator === '-' ? 0.6 : separator === ' ' ? 0.5 : 0.3;
      spans.push({ start: match.index, end: match.index + match[0].length, score });
    }
    return spans;
  }
}
