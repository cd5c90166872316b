export interface SentenceSupport {
  start: number;
  end: number;
  /** Share of the sentence's content words found in the best-matching passage (0..1). */
  support: number;
}

export interface GroundednessResult {
  /** Share of scored sentences whose support reaches the threshold; 1 when nothing was scored. */
  score: number;
  sentences: SentenceSupport[];
  unsupported: SentenceSupport[];
}

const SENTENCE = /[^.!?。！？\n]+(?:[.!?。！？]+|\n|$)/g;
/** Sentences with fewer content words than this ("Sure!", "Here it is:") are not scored. */
const MIN_CONTENT_WORDS = 3;
const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as is are was were be been being it its this that these those there here ' +
    'i you he she we they me him her us them my your his our their what which who whom whose when where why how not no yes do does did done ' +
    'has have had can could will would shall should may might must about into over under than too very so such also just only any all some ' +
    'each other more most less least own same both few many much again once per via based according answer question following'
  ).split(' '),
);

/**
 * How much of an answer the retrieved passages support, sentence by sentence: each sentence's
 * content words (lower-cased, crudely stemmed, stop words dropped) are looked up in each
 * passage's vocabulary and the best passage counts. Lexical, so a faithful paraphrase with other
 * words scores low; good enough to flag answers that have nothing to do with their sources.
 */
export function scoreGroundedness(answer: string, passages: readonly string[], threshold: number): GroundednessResult {
  // One lookup per answer word finds every passage that has it, instead of one per passage.
  const passagesWith = new Map<string, number[]>();
  passages.forEach((passage, index) => {
    for (const word of contentWords(passage)) {
      const holders = passagesWith.get(word);
      if (!holders) passagesWith.set(word, [index]);
      else if (holders[holders.length - 1] !== index) holders.push(index);
    }
  });
  const found = new Int32Array(passages.length);
  const sentences: SentenceSupport[] = [];
  for (const match of answer.matchAll(SENTENCE)) {
    const words = contentWords(match[0]);
    if (words.length < MIN_CONTENT_WORDS) continue;
    found.fill(0);
    for (const word of words) for (const index of passagesWith.get(word) ?? NONE) found[index]!++;
    let best = 0;
    for (const count of found) best = Math.max(best, count / words.length);
    const leading = match[0].length - match[0].trimStart().length;
    sentences.push({ start: match.index + leading, end: match.index + match[0].trimEnd().length, support: Math.round(best * 1000) / 1000 });
  }
  const unsupported = sentences.filter((sentence) => sentence.support < threshold);
  return { score: sentences.length === 0 ? 1 : (sentences.length - unsupported.length) / sentences.length, sentences, unsupported };
}

const NONE: readonly number[] = [];

/**
 * The stemmed content words of a text: its runs of letters and digits (Unicode categories L and
 * N), lower-cased, without stop words and without one- and two-letter words that have no digit.
 * A loop over character codes with a table of letters and digits: matching /[\p{L}\p{N}]+/gu
 * word by word was most of the cost of scoring a long answer.
 */
function contentWords(text: string): string[] {
  const lowered = text.toLowerCase();
  const words: string[] = [];
  let start = -1;
  let hasDigit = false;
  for (let index = 0; index <= lowered.length; index++) {
    const width = index < lowered.length ? letterOrDigitWidth(lowered, index) : 0;
    if (width > 0) {
      if (start === -1) {
        start = index;
        hasDigit = false;
      }
      const code = lowered.charCodeAt(index);
      if (code >= 0x30 && code <= 0x39) hasDigit = true;
      index += width - 1;
      continue;
    }
    if (start === -1) continue;
    const word = lowered.slice(start, index);
    start = -1;
    if (STOP_WORDS.has(word) || (word.length < 3 && !hasDigit)) continue;
    words.push(stem(word));
  }
  return words;
}

/** 1 or 2 (a surrogate pair) when a letter or digit starts at `index`, else 0. */
function letterOrDigitWidth(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return LETTER_OR_DIGIT[code]!;
  const next = text.charCodeAt(index + 1);
  if (!(next >= 0xdc00 && next <= 0xdfff)) return 0;
  return ASTRAL_LETTER_OR_DIGIT.test(text.slice(index, index + 2)) ? 2 : 0;
}

const ASTRAL_LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** Per UTF-16 code unit of the Basic Multilingual Plane: 1 for a letter or digit. Surrogates are 0. */
const LETTER_OR_DIGIT = (() => {
  const table = new Uint8Array(0x10000);
  const letterOrDigit = /[\p{L}\p{N}]/u;
  for (let code = 0; code < 0x10000; code++) if (code < 0xd800 || code > 0xdfff) table[code] = Number(letterOrDigit.test(String.fromCharCode(code)));
  return table;
})();

/** Plural and verb endings only: "studies"/"study", "supported"/"supports" meet (crudely: "passages" becomes "passag"). */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 5 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('es')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
