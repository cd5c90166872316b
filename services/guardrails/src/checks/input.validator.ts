import type { GuardedMessage, GuardrailFinding } from './guardrail-verdict';

export const DEFAULT_ALLOWED_ROLES: readonly string[] = ['system', 'user', 'assistant', 'tool'];

/** A blocked request gets findings for where, but a few are enough to say what is wrong. */
const MAX_ENCODING_FINDINGS_PER_MESSAGE = 20;

const DETECTOR = 'input-validator';

export interface InputValidatorOptions {
  /** Limit on the total length of all message contents, in UTF-16 code units (JavaScript length). */
  maxInputChars: number;
  allowedRoles?: readonly string[];
}

export interface InputValidation {
  findings: GuardrailFinding[];
  /** Set when the input must be blocked; worded for the end user. */
  blockReason?: string;
}

/**
 * Checks that input is something we are willing to process at all: present, within size, with
 * known roles, and valid text. Anything it reports blocks the request.
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

/** Lone surrogates, U+FFFD and control characters (other than tab, line feed, carriage return). */
function scanEncoding(text: string, messageIndex: number): GuardrailFinding[] {
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

function finding(type: string, messageIndex: number, start: number, end: number): GuardrailFinding {
  return { type, detector: DETECTOR, messageIndex, start, end, score: 1 };
}
