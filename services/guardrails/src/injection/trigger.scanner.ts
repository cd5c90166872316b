/**
 * Which of a set of literal strings occur in a text, found in one pass over its words: a
 * trigger starting with a letter or digit is looked for only where a word starts (every pattern
 * gated by triggers starts its match at a word boundary), through a map from the first two
 * characters to the candidates; the few that start with a symbol, or in a script without spaces
 * (Chinese, Japanese), are looked for with `includes`. A trigger counts as present when the text
 * has it at a word start, including as the start of a longer word ("polic" in "policies").
 */
export class TriggerScanner {
  /** Keyed by the first two character codes (first × 65536 + second): no substring per word. */
  private readonly byStart = new Map<number, string[]>();
  /** Triggers looked for at any position, by their first character code, flagged in `anywhereFirst`. */
  private readonly anywhere = new Map<number, string[]>();
  private readonly anywhereFirst = new Uint8Array(0x10000);

  constructor(triggers: readonly string[]) {
    for (const raw of new Set(triggers)) {
      const trigger = raw.trimStart();
      if (trigger.length === 0) throw new Error('a trigger must not be empty');
      const first = trigger.charCodeAt(0);
      if (trigger.length >= 2 && isWordChar(first) && !isUnspacedScript(first)) {
        appendTo(this.byStart, first * 0x10000 + trigger.charCodeAt(1), trigger);
      } else {
        appendTo(this.anywhere, first, trigger);
        this.anywhereFirst[first] = 1;
      }
    }
  }

  /**
   * The triggers present, as given to the constructor (leading spaces trimmed). One pass: word
   * starts are looked up by their first two characters, every other position only when its
   * character starts one of the few triggers allowed anywhere.
   */
  presentIn(text: string): Set<string> {
    const present = new Set<string>();
    const { anywhere, anywhereFirst, byStart } = this;
    const last = text.length - 1;
    let previousIsWord = false;
    for (let index = 0; index <= last; index++) {
      const code = text.charCodeAt(index);
      if (anywhereFirst[code] === 1) addPresent(text, index, anywhere.get(code)!, present);
      const isWord = code < 0x80 ? ASCII_WORD[code] === 1 : isWordChar(code);
      if (isWord && !previousIsWord && index < last) {
        const candidates = byStart.get(code * 0x10000 + text.charCodeAt(index + 1));
        if (candidates) addPresent(text, index, candidates, present);
      }
      previousIsWord = isWord;
    }
    return present;
  }
}

function appendTo(map: Map<number, string[]>, key: number, trigger: string): void {
  const list = map.get(key);
  if (list) list.push(trigger);
  else map.set(key, [trigger]);
}

function addPresent(text: string, index: number, candidates: readonly string[], present: Set<string>): void {
  for (const trigger of candidates) if (!present.has(trigger) && text.startsWith(trigger, index)) present.add(trigger);
}

const ASCII_WORD = Uint8Array.from({ length: 0x80 }, (_, code) => Number(isWordChar(code)));

function isWordChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0xc0 && code !== 0x3000 && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f) && !(code >= 0xff00 && code <= 0xff0f));
}

/** Han, kana and Hangul: no spaces between words, so no word starts to anchor on. */
function isUnspacedScript(code: number): boolean {
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff);
}
