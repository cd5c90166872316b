import * as foldedText from '../injection/folded-text.facts';
import { FoldedTextFacts, hasSpacedLettersAt } from '../injection/folded-text.facts';

/**
 * Which of a set of literal strings occur in a text: a trigger starting with a letter or digit counts where a
 * word starts (including as the start of a longer word: "polic" in "policies"); one starting
 * with a symbol, or in a script written without spaces (Chinese, Japanese), counts anywhere.
 *
 * One pass over the text; at each word start a walk down a trie of the triggers, kept in a typed
 * array, stops at the first character no trigger continues with, which for most words is the
 * first or second. Looking words up by their first two characters in a Map instead cost two to
 * three times as much on prose, where half of all words start like some trigger.
 * presentInGathering makes the same pass gather what the prompt-injection check reads next
 * (FoldedTextFacts), which spares a long text three more reads.
 */
/** Words, a l33t token and spaced letters at the end: every branch after the scans' loops is taken. */
const WARM_UP_TEXT = 'w a r m up, then th3 n0t3 1337 w0rd';

export class TriggerTrieScanner {
  /** Each character that occurs in a trigger has a column (1..); 0 means no trigger has it. */
  private readonly columnOf = new Uint16Array(0x10000);
  private readonly columns: number;
  /** Child node by `node * columns + column`; 0 is "none" (the roots are never anyone's child). */
  private readonly children: Uint16Array | Uint32Array;
  /** The trigger that ends at a node, by node index. */
  private readonly endsAt: (string | undefined)[];
  private readonly wordStartRoot = 0;
  private readonly anywhereRoot = 1;
  /** First characters of the triggers looked for at every position. */
  private readonly startsAnywhere = new Uint8Array(0x10000);
  /**
   * For each UTF-16 code unit, what presentInGathering needs to know about it, in one look-up:
   * IS_WORD, STARTS_ANYWHERE (a trigger starts with it), ASCII_LOWER, its l33t token kind (bits 3-4).
   */
  private readonly classOf = new Uint8Array(0x10000);
  /** 1 for a node whose trigger the current scan has found (cleared before the scan returns). */
  private readonly found: Uint8Array;
  /** The nodes the current scan has found, in order. */
  private readonly firstFound: number[] = [];

  constructor(triggers: readonly string[]) {
    const unique = [...new Set(triggers.map((raw) => raw.trimStart()))];
    if (unique.some((trigger) => trigger.length === 0)) throw new Error('a trigger must not be empty');

    let columns = 1;
    for (const trigger of unique) {
      for (let index = 0; index < trigger.length; index++) {
        const code = trigger.charCodeAt(index);
        if (this.columnOf[code] === 0) this.columnOf[code] = columns++;
      }
    }
    this.columns = columns;

    const edges: number[][] = [[], []];
    this.endsAt = [undefined, undefined];
    for (const trigger of unique) {
      const first = trigger.charCodeAt(0);
      const atWordStart = trigger.length >= 2 && isWordChar(first) && !isUnspacedScript(first);
      if (!atWordStart) this.startsAnywhere[first] = 1;
      let node = atWordStart ? this.wordStartRoot : this.anywhereRoot;
      for (let index = 0; index < trigger.length; index++) {
        const column = this.columnOf[trigger.charCodeAt(index)]!;
        let child = edges[node]![column];
        if (child === undefined) {
          child = edges.length;
          edges[node]![column] = child;
          edges.push([]);
          this.endsAt.push(undefined);
        }
        node = child;
      }
      this.endsAt[node] = trigger;
    }
    this.children = edges.length <= 0xffff ? new Uint16Array(edges.length * columns) : new Uint32Array(edges.length * columns);
    edges.forEach((row, node) => row.forEach((child, column) => (this.children[node * columns + column] = child)));
    this.found = new Uint8Array(edges.length);
    for (let code = 0; code < 0x10000; code++) {
      this.classOf[code] =
        (IS_WORD_CHAR[code] === 1 ? IS_WORD : 0) | (this.startsAnywhere[code] === 1 ? STARTS_ANYWHERE : 0) | (code >= 0x61 && code <= 0x7a ? ASCII_LOWER : 0) | (LEET_TOKEN_KIND[code]! << LEET_KIND_SHIFT);
    }
    // Both scans once to the end on a short text, unoptimised, so that the code after their loops
    // has type feedback before V8 first optimises them in the middle of a long text's loop
    // (on-stack replacement). Without it the optimised code lacked feedback after the loop and was
    // thrown away there on about half of the 100 KB calls, each of which then ran ~2x slower
    // (seen with node --trace-deopt; loadtest/RESULTS.md).
    this.presentIn(WARM_UP_TEXT);
    this.presentInGathering(WARM_UP_TEXT, new FoldedTextFacts());
  }

  /** The triggers present, as given to the constructor (leading spaces trimmed), in the order first found. */
  presentIn(text: string): Set<string> {
    const { startsAnywhere, firstFound } = this;
    const length = text.length;
    let previousIsWord = false;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      const isWord = IS_WORD_CHAR[code] === 1;
      const fromWordStart = isWord && !previousIsWord;
      previousIsWord = isWord;
      const fromAnywhere = startsAnywhere[code] === 1;
      if (fromAnywhere) this.walk(text, index, this.anywhereRoot, firstFound);
      if (fromWordStart) this.walk(text, index, this.wordStartRoot, firstFound);
    }
    return this.takeFound();
  }

  /**
   * presentIn(text), and in the same pass `facts` (cleared first) for the prompt-injection check
   * (see FoldedTextFacts): one read of a long text for all of it.
   */
  presentInGathering(text: string, facts: FoldedTextFacts): Set<string> {
    const { classOf, firstFound } = this;
    const length = text.length;
    let previousIsWord = false;
    facts.clear();
    const { words, leetTokens } = facts;
    let wordHash = FNV_OFFSET;
    let inAsciiWord = false;
    let spacedLetters = false;
    let tokenStart = -1;
    let tokenHasLeet = false;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      const kind = classOf[code]!;
      // Most characters are a letter inside a word: not a word start, no trigger starts there, the token goes on.
      if (kind === INNER_LETTER && inAsciiWord) {
        wordHash = Math.imul(wordHash ^ code, FNV_PRIME);
        continue;
      }
      if ((kind & ASCII_LOWER) !== 0) {
        if (!inAsciiWord && !spacedLetters) spacedLetters = hasSpacedLettersAt(text, index);
        wordHash = Math.imul(inAsciiWord ? wordHash ^ code : FNV_OFFSET ^ code, FNV_PRIME);
        inAsciiWord = true;
      } else if (inAsciiWord) {
        words.push(wordHash >>> 0);
        inAsciiWord = false;
      }
      const leetKind = kind >>> LEET_KIND_SHIFT;
      if (leetKind !== 0) {
        if (tokenStart === -1) tokenStart = index;
        if (leetKind === LEET_CHAR) tokenHasLeet = true;
      } else if (tokenStart !== -1) {
        if (tokenHasLeet) leetTokens.push(tokenStart, index);
        tokenStart = -1;
        tokenHasLeet = false;
      }
      const isWord = (kind & IS_WORD) !== 0;
      const fromWordStart = isWord && !previousIsWord;
      previousIsWord = isWord;
      if ((kind & STARTS_ANYWHERE) !== 0) this.walk(text, index, this.anywhereRoot, firstFound);
      if (fromWordStart) this.walk(text, index, this.wordStartRoot, firstFound);
    }
    if (inAsciiWord) words.push(wordHash >>> 0);
    if (tokenStart !== -1 && tokenHasLeet) leetTokens.push(tokenStart, length);
    facts.spacedLetters = spacedLetters;
    return this.takeFound();
  }

  /** Every trigger that starts at `index`: down the trie from `root` while the text follows an edge. */
  private walk(text: string, index: number, root: number, firstFound: number[]): void {
    const { children, columnOf, columns, endsAt, found } = this;
    let node = root;
    for (let at = index; at < text.length; at++) {
      const column = columnOf[text.charCodeAt(at)]!;
      if (column === 0) return;
      node = children[node * columns + column]!;
      if (node === 0) return;
      // A trigger is noted the first time only: common ones ("show", "new ") occur hundreds of times in a long text.
      if (endsAt[node] !== undefined && found[node] === 0) {
        found[node] = 1;
        firstFound.push(node);
      }
    }
  }

  /** The triggers found by this scan, in the order first found; clears the scan's marks. */
  private takeFound(): Set<string> {
    const { firstFound, endsAt, found } = this;
    const present = new Set<string>();
    for (const node of firstFound) {
      present.add(endsAt[node]!);
      found[node] = 0;
    }
    firstFound.length = 0;
    return present;
  }
}

/** Module constants, not loads from another module's exports, in the loop over every character. */
const FNV_OFFSET = foldedText.FNV_OFFSET;
const FNV_PRIME = foldedText.FNV_PRIME;
const LEET_CHAR = foldedText.LEET_CHAR;
const LEET_TOKEN_KIND = foldedText.LEET_TOKEN_KIND;

const IS_WORD = 1;
const STARTS_ANYWHERE = 2;
const ASCII_LOWER = 4;
const LEET_KIND_SHIFT = 3;
/** The class of a-z (a l33t token letter) when no trigger starts with it. */
const INNER_LETTER = IS_WORD | ASCII_LOWER | (foldedText.LEET_LETTER << LEET_KIND_SHIFT);

const IS_WORD_CHAR = Uint8Array.from({ length: 0x10000 }, (_, code) => Number(isWordChar(code)));

/** What counts as a word character for word-start triggers. */
function isWordChar(code: number): boolean {
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
  return code >= 0xc0 && code !== 0x3000 && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f) && !(code >= 0xff00 && code <= 0xff0f);
}

/** Han, kana and Hangul: no spaces between words, so no word starts to anchor on. */
function isUnspacedScript(code: number): boolean {
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0x1100 && code <= 0x11ff);
}

