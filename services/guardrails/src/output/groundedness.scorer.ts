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
const WORD = /[\p{L}\p{N}]+/gu;
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
  const vocabularies = passages.map((passage) => new Set(contentWords(passage)));
  const sentences: SentenceSupport[] = [];
  for (const match of answer.matchAll(SENTENCE)) {
    const words = contentWords(match[0]);
    if (words.length < MIN_CONTENT_WORDS) continue;
    let best = 0;
    for (const vocabulary of vocabularies) {
      let found = 0;
      for (const word of words) if (vocabulary.has(word)) found++;
      best = Math.max(best, found / words.length);
    }
    const leading = match[0].length - match[0].trimStart().length;
    sentences.push({ start: match.index + leading, end: match.index + match[0].trimEnd().length, support: Math.round(best * 1000) / 1000 });
  }
  const unsupported = sentences.filter((sentence) => sentence.support < threshold);
  return { score: sentences.length === 0 ? 1 : (sentences.length - unsupported.length) / sentences.length, sentences, unsupported };
}

function contentWords(text: string): string[] {
  const words: string[] = [];
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    if (STOP_WORDS.has(word) || (word.length < 3 && !/\d/.test(word))) continue;
    words.push(stem(word));
  }
  return words;
}

/** Plural and verb endings only: "passages"/"passage", "supported"/"supports" meet. */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && (word.endsWith('ing') || word.endsWith('ed'))) return word.replace(/(?:ing|ed)$/, '');
  if (word.length > 4 && word.endsWith('es')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
