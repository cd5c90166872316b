/**
 * Which of a set of literal strings occur in a text: a trigger starting with a letter or digit counts where a
 * word starts (including as the start of a longer word: "polic" in "policies"); one starting
 * with a symbol, or in a script written without spaces (Chinese, Japanese), counts anywhere.
 *
 * One pass over the text; at each word start a walk down a trie of the triggers, kept in a typed
 * array, stops at the first character no trigger continues with, which for most words is the
 * first or second. Looking words up by their first two characters in a Map instead cost two to
 * three times as much on prose, where half of all words start like some trigger.
 */
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
  /** 1 for a node whose trigger the current scan has found (cleared before presentIn returns). */
  private readonly found: Uint8Array;

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
  }

  /** The triggers present, as given to the constructor (leading spaces trimmed), in the order first found. */
  presentIn(text: string): Set<string> {
    const { startsAnywhere, anywhereRoot, wordStartRoot, children, columnOf, columns, endsAt, found } = this;
    // A trigger is noted the first time only: common ones ("show", "new ") occur hundreds of times in a long text.
    const firstFound: number[] = [];
    const length = text.length;
    let previousIsWord = false;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      const isWord = IS_WORD_CHAR[code] === 1;
      const fromWordStart = isWord && !previousIsWord;
      previousIsWord = isWord;
      const fromAnywhere = startsAnywhere[code] === 1;
      if (!fromWordStart && !fromAnywhere) continue;
      // Every trigger that starts here: down the trie while the text follows an edge, from each root that applies.
      for (let pass = fromAnywhere ? 0 : 1; pass < (fromWordStart ? 2 : 1); pass++) {
        let node = pass === 0 ? anywhereRoot : wordStartRoot;
        for (let at = index; at < length; at++) {
          const column = columnOf[text.charCodeAt(at)]!;
          if (column === 0) break;
          node = children[node * columns + column]!;
          if (node === 0) break;
          if (endsAt[node] !== undefined && found[node] === 0) {
            found[node] = 1;
            firstFound.push(node);
          }
        }
      }
    }
    const present = new Set<string>();
    for (const node of firstFound) {
      present.add(endsAt[node]!);
      found[node] = 0;
    }
    return present;
  }
}

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
