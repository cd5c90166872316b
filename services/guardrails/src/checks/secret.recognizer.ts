import type { PiiRecognizer, PiiSpan } from './pii.recognizer';

interface KeyFormat {
  /**
   * Literal every key of this format contains; the regex only runs when it is present. Chosen to
   * start with an uncommon character: the search skips to each occurrence of the first one.
   */
  marker: string;
  pattern: RegExp;
}

/** Published key formats (prefixes and lengths as the providers document them). Every repetition is bounded. */
const KEY_FORMATS: readonly KeyFormat[] = [
  { marker: 'A', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { marker: '_', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { marker: '_pat_', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}/g },
  { marker: 'glpat-', pattern: /\bglpat-[A-Za-z0-9_-]{20,64}/g },
  { marker: 'xox', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,250}/g },
  { marker: 'k_', pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,247}\b/g },
  { marker: 'k-', pattern: /\bsk-(?:[a-z]{2,8}-)?(?:[a-z0-9]{2,6}-)?[A-Za-z0-9_-]{20,200}/g },
  { marker: 'AIza', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { marker: '.eyJ', pattern: /\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,1000}/g },
  { marker: 'SG.', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g },
  { marker: 'm_', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { marker: 'hf_', pattern: /\bhf_[A-Za-z0-9]{34,40}\b/g },
];

/** `password: ...`, `"client_secret": "..."`: a secret-sounding name, then the value. */
const ASSIGNMENT =
  /\b(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|client[_-]?secret|auth[_-]?token|private[_-]?key)["']?[ \t]*[:=][ \t]*["']?([^\s"',;<>`]{8,200})/gi;
/**
 * `STRIPE_API_KEY=...`: any name ending in _KEY, _TOKEN, _SECRET or _PASSWORD. Tried at every word
 * start with up to 40 characters of backtracking, so it only runs when SUFFIXED_NAME (a literal
 * first, skipped through at memchr speed) finds such a name before a `:` or `=`.
 */
const SUFFIXED_ASSIGNMENT = /\b[A-Z0-9_]{0,40}_(?:KEY|TOKEN|SECRET|PASSWORD)["']?[ \t]*[:=][ \t]*["']?([^\s"',;<>`]{8,200})/gi;
const SUFFIXED_NAME = /_(?:key|token|secret|password)["']?[ \t]*[:=]/i;
/**
 * Every name ASSIGNMENT, SUFFIXED_ASSIGNMENT and PHRASE look for contains one of these words. Most
 * text has none, and this one scan is cheaper than each of those patterns tried at every word.
 */
const SECRET_NAME_WORD = /pass|pwd|secret|token|key/i;
const PHRASE = /\b(?:secret|password|api key|token|key)[ \t]+(?:is|was|lautet|est|es)[ \t]+["'`]?([A-Za-z0-9_\-+\/=.]{12,200})/gi;
const BEARER = /\bBearer[ \t]+([A-Za-z0-9._~+\/-]{16,4000}=*)/g;
const PEM_BEGIN = /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/g;

/**
 * API keys, tokens, passwords and private keys: the published formats of common providers, plus
 * any value assigned to a secret-sounding name when it looks random (Shannon entropy), so that
 * `password: hunter2hunter2` counts but `password: <your password>` does not.
 */
export class SecretRecognizer implements PiiRecognizer {
  readonly type = 'secret';
  readonly detector = 'secret-recognizer';
  readonly placeholder = 'SECRET';

  find(text: string): PiiSpan[] {
    const spans: PiiSpan[] = [];
    // Five markers have an underscore, which most prose lacks: one search for it spares four.
    const hasUnderscore = text.includes('_');
    for (const format of KEY_FORMATS) {
      if (!hasUnderscore && format.marker.includes('_')) continue;
      if (!text.includes(format.marker)) continue;
      for (const match of text.matchAll(format.pattern)) spans.push({ start: match.index, end: match.index + match[0].length, score: 0.97 });
    }
    for (const match of text.matchAll(PEM_BEGIN)) {
      const endMarker = text.indexOf('-----END', match.index);
      const end = endMarker === -1 ? text.length : (text.indexOf('-----', endMarker + 8) + 5 || text.length);
      spans.push({ start: match.index, end, score: 0.99 });
    }
    const assigned = new Set<number>();
    for (const pattern of this.assignmentPatternsFor(text)) {
      for (const match of text.matchAll(pattern)) {
        const value = match[1]!;
        const start = match.index + match[0].length - value.length;
        // A value after "password_key:" is found by both assignment patterns: one span.
        if (assigned.has(start) || !looksRandom(value)) continue;
        assigned.add(start);
        spans.push({ start, end: start + value.length, score: 0.8 });
      }
    }
    return spans;
  }

  /** The patterns for values after a name or a phrase that can match in `text`. */
  private assignmentPatternsFor(text: string): RegExp[] {
    if (!SECRET_NAME_WORD.test(text)) return [BEARER];
    if (text.includes('_') && SUFFIXED_NAME.test(text)) return [ASSIGNMENT, SUFFIXED_ASSIGNMENT, PHRASE, BEARER];
    return [ASSIGNMENT, PHRASE, BEARER];
  }
}

/** Placeholders and prose are not secrets: needs mixed character classes and ≥ 3 bits of entropy per character. */
export function looksRandom(value: string): boolean {
  if (/^(?:x+|\*+|\.+)$|^(?:your[_-]|<|\$\{|%|\{\{)/i.test(value)) return false;
  const classes = Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/\d/.test(value)) + Number(/[^A-Za-z0-9]/.test(value));
  return classes >= 2 && shannonEntropy(value) >= 3;
}

export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
