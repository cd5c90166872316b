import type { GuardedMessage, GuardrailFinding } from './guardrail-verdict';
import { mayHaveRareCharacters } from './rare-characters';

export const DEFAULT_ALLOWED_ROLES: readonly string[] = ['system', 'user', 'assistant', 'tool'];

/** A blocked request gets findings for where, but a few are enough to say what is wrong. */
const MAX_ENCODING_FINDINGS_PER_MESSAGE = 20;

const DETECTOR = 'input-validator';

export interface InputValidatorOptions {
  /** Limit on the total length of all message contents, in UTF-16 code units (JavaScript length). */
  maxInputChars: number;
  allowedRoles?: readonly string[];
  maxMessages?: number;
}

export const DEFAULT_MAX_MESSAGES = 1000;

export interface InputValidation {
  findings: GuardrailFinding[];
  /** Set when the input must be blocked; worded for the end user. */
  blockReason?: string;
}

/**
 * Checks that input is something we are willing to process at all: present, within size, with
 * known roles, and valid text. Anything it reports blocks the request. Invisible characters are
 * reported separately (see findInvisibleCharacters): they are removed, not refused.
 */
export class InputValidator {
  private readonly allowedRoles: ReadonlySet<string>;

  constructor(private readonly options: InputValidatorOptions) {
    this.allowedRoles = new Set(options.allowedRoles ?? DEFAULT_ALLOWED_ROLES);
  }

  validate(messages: readonly GuardedMessage[]): InputValidation {
    if (messages.length === 0) {
      return {
        findings: [finding('empty_messages', 0, 0, 0)],
        blockReason: 'The request contains no messages.',
      };
    }

    // Size first and alone: there is no point scanning megabytes we are about to refuse.
    const oversized = this.findOversize(messages);
    if (oversized) return oversized;
    const maxMessages = this.options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    if (messages.length > maxMessages) {
      return {
        findings: [finding('too_many_messages', maxMessages, 0, 0)],
        blockReason: `The request has ${messages.length} messages; the limit is ${maxMessages}.`,
      };
    }

    const findings: GuardrailFinding[] = [];
    const reasons: string[] = [];
    const badRoles = new Set<string>();
    messages.forEach((message, index) => {
      if (!this.allowedRoles.has(message.role)) {
        findings.push(finding('invalid_role', index, 0, 0));
        badRoles.add(message.role);
      }
    });
    if (badRoles.size > 0) {
      const roles = [...badRoles].map((role) => JSON.stringify(role.slice(0, 40))).join(', ');
      reasons.push(`Unsupported message role ${roles}; allowed roles are ${[...this.allowedRoles].join(', ')}.`);
    }

    const encodingIndexes: number[] = [];
    messages.forEach((message, index) => {
      const found = scanEncoding(message.content, index);
      if (found.length > 0) {
        findings.push(...found);
        encodingIndexes.push(index);
      }
    });
    if (encodingIndexes.length > 0) {
      reasons.push(
        `Message ${encodingIndexes.map((index) => index + 1).join(', ')} contains characters that are not valid text ` +
          '(control characters, broken Unicode or U+FFFD replacement characters).',
      );
    }
    return reasons.length > 0 ? { findings, blockReason: reasons.join(' ') } : { findings };
  }

  private findOversize(messages: readonly GuardedMessage[]): InputValidation | undefined {
    const limit = this.options.maxInputChars;
    const total = messages.reduce((sum, message) => sum + message.content.length, 0);
    if (total <= limit) return undefined;
    let before = 0;
    let index = 0;
    while (before + messages[index]!.content.length <= limit) before += messages[index++]!.content.length;
    const content = messages[index]!.content;
    return {
      findings: [finding('oversized_input', index, limit - before, content.length)],
      blockReason: `The request is too long: ${total.toLocaleString('en-US')} characters, the limit is ${limit.toLocaleString('en-US')}.`,
    };
  }
}

/** Control characters other than tab, line feed and carriage return, and U+FFFD. */
export const CONTROL_OR_REPLACEMENT = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]/;
/** Every character {@link findInvisibleCharacters} may report (a joiner only in some places). */
export const INVISIBLE_OR_BIDI = /[\u200b-\u200d\u2060-\u2064\ufeff\u180e\u202a-\u202e\u2066-\u2069]/g;

/** `String.prototype.isWellFormed` (ES2024, in every Node this repository supports; not in its ES2023 lib typings). */
type WellFormedCheckable = string & { isWellFormed(): boolean };

/**
 * Lone surrogates, U+FFFD and control characters (other than tab, line feed, carriage return).
 * Almost all text has none: the look shared with the other checks for rare characters (any
 * surrogate among them) says so, else one native regex pass and one native well-formedness check
 * do; the per-character loop (several times slower on 100 KB) only runs on text with findings.
 */
function scanEncoding(text: string, messageIndex: number): GuardrailFinding[] {
  if (!mayHaveRareCharacters(text)) return [];
  if (!CONTROL_OR_REPLACEMENT.test(text) && (text as WellFormedCheckable).isWellFormed()) return [];
  const findings: GuardrailFinding[] = [];
  let open: GuardrailFinding | undefined;
  for (let i = 0; i < text.length && findings.length < MAX_ENCODING_FINDINGS_PER_MESSAGE; i++) {
    const code = text.charCodeAt(i);
    let type: string | undefined;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        open = undefined;
        continue;
      }
      type = 'invalid_encoding';
    } else if ((code >= 0xdc00 && code <= 0xdfff) || code === 0xfffd) {
      type = 'invalid_encoding';
    } else if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f)) {
      type = 'control_character';
    }
    if (type === undefined) {
      open = undefined;
    } else if (open && open.type === type && open.end === i) {
      open.end = i + 1; // one finding per run, not per character
    } else {
      open = finding(type, messageIndex, i, i + 1);
      findings.push(open);
    }
  }
  return findings;
}

/**
 * Zero-width characters (U+200B–U+200D, U+2060, U+FEFF…) hide words from people and filters
 * ("ig\u200bnore"); bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) make
 * text display in another order than it is read ("Trojan Source"). One finding per run. A
 * zero-width joiner between two emoji or inside an Indic script is how those are written, and
 * is left alone.
 */
export function findInvisibleCharacters(text: string, messageIndex: number): GuardrailFinding[] {
  const findings: GuardrailFinding[] = [];
  if (!mayHaveRareCharacters(text)) return findings;
  let open: GuardrailFinding | undefined;
  // Only the candidates are visited; a run continues while they are adjacent (open.end === i).
  for (const { index: i } of text.matchAll(INVISIBLE_OR_BIDI)) {
    const code = text.charCodeAt(i);
    let type: string | undefined;
    if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) type = 'bidi_control';
    else if (code !== 0x200d || !joinsGraphemes(text, i)) type = 'invisible_character';
    if (type === undefined) {
      open = undefined;
    } else if (open && open.type === type && open.end === i) {
      open.end = i + 1;
    } else {
      open = finding(type, messageIndex, i, i + 1);
      findings.push(open);
    }
  }
  return findings;
}

/** A zero-width joiner after an emoji or a non-Latin letter is part of how that text is written. */
function joinsGraphemes(text: string, index: number): boolean {
  const before = text.codePointAt(index - 1) ?? 0;
  const low = index >= 2 ? text.codePointAt(index - 2) ?? 0 : 0;
  const previous = before >= 0xdc00 && before <= 0xdfff ? low : before;
  return previous >= 0x0900 && !(previous >= 0x2000 && previous <= 0x206f);
}

function finding(type: string, messageIndex: number, start: number, end: number): GuardrailFinding {
  return { type, detector: DETECTOR, messageIndex, start, end, score: 1 };
}
