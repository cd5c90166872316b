/**
 * What the prompt-injection check needs to know about a folded text besides its triggers, found
 * in the trigger scan's one pass over it (see TriggerTrieScanner.presentIn): the words the
 * known-attack index reads, the tokens that may be l33t, and whether letters are spaced apart.
 * On a long text every extra pass costs about as much as the work it feeds; here the text is
 * read once for all of them. Each fact also has its own pass below, for a text no scan has read
 * (and for the specs, which check that both give the same answer).
 */

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** Kinds of the characters of a l33t token: a token is a run of them (see deLeet in text-folding.ts). */
export const LEET_LETTER = 1;
export const LEET_CHAR = 2;
export const LEET_OTHER_DIGIT = 3;
const LEET_CHARACTERS = '013457@$';
/** LEET_LETTER, LEET_CHAR, LEET_OTHER_DIGIT or 0 (ends a token) for each UTF-16 code unit: one look-up per character. */
export const LEET_TOKEN_KIND = Uint8Array.from({ length: 0x10000 }, (_, code) => {
  if (code >= 0x80) return 0;
  if (code >= 0x61 && code <= 0x7a) return LEET_LETTER;
  if (LEET_CHARACTERS.includes(String.fromCharCode(code))) return LEET_CHAR;
  return code >= 0x30 && code <= 0x39 ? LEET_OTHER_DIGIT : 0;
});

/**
 * The words of a text as the known-attack index reads them: each maximal run of ASCII lower-case
 * letters (a–z) as the unsigned FNV-1a hash of its character codes, in text order, in a buffer
 * kept from text to text.
 */
export class AsciiWordHashes {
  private hashes = new Uint32Array(1024);
  length = 0;

  push(hash: number): void {
    if (this.length === this.hashes.length) this.hashes = grown(this.hashes, new Uint32Array(this.hashes.length * 2));
    this.hashes[this.length++] = hash;
  }

  at(index: number): number {
    return this.hashes[index]!;
  }

  clear(): void {
    this.length = 0;
  }
}

/** [start, end) pairs in one flat buffer kept from text to text. */
export class SpanBuffer {
  private bounds = new Int32Array(256);
  /** Number of spans. */
  length = 0;

  push(start: number, end: number): void {
    if (2 * this.length === this.bounds.length) this.bounds = grown(this.bounds, new Int32Array(this.bounds.length * 2));
    this.bounds[2 * this.length] = start;
    this.bounds[2 * this.length + 1] = end;
    this.length++;
  }

  start(span: number): number {
    return this.bounds[2 * span]!;
  }

  end(span: number): number {
    return this.bounds[2 * span + 1]!;
  }

  clear(): void {
    this.length = 0;
  }
}

function grown<T extends Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export class FoldedTextFacts {
  /** See AsciiWordHashes. */
  readonly words = new AsciiWordHashes();
  /** Each maximal run of LEET_TOKEN_KIND characters that holds a l33t character (LEET_CHAR), in text order. */
  readonly leetTokens = new SpanBuffer();
  /** Whether the text has four single letters joined by separators ("i g n o r e"; see hasSpacedLettersAt). */
  spacedLetters = false;

  clear(): void {
    this.words.clear();
    this.leetTokens.clear();
    this.spacedLetters = false;
  }
}

/** The facts of `text` in a pass of their own (what the trigger scan gathers on the way). */
export function factsOf(text: string, into: FoldedTextFacts): FoldedTextFacts {
  into.clear();
  hashAsciiWords(text, into.words);
  collectLeetTokens(text, into.leetTokens);
  for (let index = 0; index < text.length && !into.spacedLetters; index++) into.spacedLetters = hasSpacedLettersAt(text, index);
  return into;
}

/** Fills `into` (cleared first) with the words of `text`. */
export function hashAsciiWords(text: string, into: AsciiWordHashes): AsciiWordHashes {
  into.clear();
  let hash = FNV_OFFSET;
  let inWord = false;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x61 && code <= 0x7a) {
      hash = Math.imul(inWord ? hash ^ code : FNV_OFFSET ^ code, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      into.push(hash >>> 0);
      inWord = false;
    }
  }
  if (inWord) into.push(hash >>> 0);
  return into;
}

/**
 * Fills `into` (cleared first) with the tokens that may be l33t: skips from one l33t character to
 * the next, and takes the whole run of token characters around it.
 */
export function collectLeetTokens(text: string, into: SpanBuffer): SpanBuffer {
  into.clear();
  const length = text.length;
  let index = 0;
  for (;;) {
    while (index < length && LEET_TOKEN_KIND[text.charCodeAt(index)] !== LEET_CHAR) index++;
    if (index >= length) return into;
    let start = index;
    while (start > 0 && LEET_TOKEN_KIND[text.charCodeAt(start - 1)] !== 0) start--;
    let end = index + 1;
    while (end < length && LEET_TOKEN_KIND[text.charCodeAt(end)] !== 0) end++;
    into.push(start, end);
    // text[end] ends the token: the next one starts after it.
    index = end + 1;
  }
}

/**
 * Whether /\b[a-z][ ._*\-][a-z][ ._*\-][a-z][ ._*\-][a-z]\b/ matches at `index`: four single
 * letters joined by separators, a word boundary (JavaScript's: ASCII letters, digits and "_"
 * are word characters) before and after. Reads past `index` only when a separator follows it.
 */
export function hasSpacedLettersAt(text: string, index: number): boolean {
  if (!isSpacedSeparator(text.charCodeAt(index + 1)) || !isLowerAscii(text.charCodeAt(index))) return false;
  if (index > 0 && isRegexWordChar(text.charCodeAt(index - 1))) return false;
  for (let letter = index + 2; letter <= index + 6; letter += 2) {
    if (!isLowerAscii(text.charCodeAt(letter))) return false;
    if (letter < index + 6 && !isSpacedSeparator(text.charCodeAt(letter + 1))) return false;
  }
  return index + 7 >= text.length || !isRegexWordChar(text.charCodeAt(index + 7));
}

function isLowerAscii(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

/** Space, ".", "_", "*" or "-". */
function isSpacedSeparator(code: number): boolean {
  return code === 0x20 || code === 0x2e || code === 0x5f || code === 0x2a || code === 0x2d;
}

/** \w without the u flag. */
function isRegexWordChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f;
}
