import { INJECTION_CONCEPTS, type InjectionConcept } from './concept.lexicon';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const PHRASE_SEED = 0x27d4eb2f;
/** Longest phrase, in words; longest substring looked up inside a run of Chinese, Japanese or Korean. */
const MAX_PHRASE_WORDS = 4;
const MAX_UNSPACED_CHARS = 8;
const FILTER_BITS = 1 << 16;

export const CONCEPT_NAMES = Object.keys(INJECTION_CONCEPTS) as InjectionConcept[];

/**
 * Which ideas of the concept lexicon a classifier reading holds, as a bit mask (bit i: the i-th
 * of CONCEPT_NAMES), in one pass over its words with no substring and no regex: every word
 * prefix, every prefix preceded by up to three whole words, and every short substring of a CJK
 * run is hashed as the loop goes (FNV-1a, the hash of the lexicon entries) and looked up in a
 * bit filter first, so the maps are only touched on a likely hit.
 */
export class ConceptScanner {
  private readonly prefixes = new Map<number, number>();
  private readonly wholeWords = new Map<number, number>();
  private readonly filter = new Uint8Array(FILTER_BITS);
  /** Keys of the first 1 to MAX_PHRASE_WORDS - 1 words of the phrases: a prefix is only chained onto one of them. */
  private readonly phraseStarts = new Set<number>();
  /** Bit filter of phraseStarts, asked first: three set look-ups per word of a text cost more than the rest of its scan. */
  private readonly phraseStartFilter = new Uint8Array(FILTER_BITS);
  /** Characters an entry starts with: a substring of a CJK run is only looked up from one of them. */
  private readonly entryStarts = new Uint8Array(0x10000);

  constructor(lexicon: Readonly<Record<string, readonly string[]>> = INJECTION_CONCEPTS) {
    Object.values(lexicon).forEach((entries, concept) => {
      for (const entry of entries) {
        const whole = entry.endsWith('$');
        // A longer phrase is looked for by its first MAX_PHRASE_WORDS words (Vietnamese writes a word per syllable).
        const words = wordsOf(whole ? entry.slice(0, -1) : entry).slice(0, MAX_PHRASE_WORDS);
        if (words.length === 0) throw new Error(`concept entry "${entry}" has no word`);
        let key = fnv(words[0]!);
        for (const word of words.slice(1)) {
          this.phraseStarts.add(key);
          this.phraseStartFilter[key & (FILTER_BITS - 1)] = 1;
          key = chain(key, fnv(word));
        }
        const table = whole ? this.wholeWords : this.prefixes;
        table.set(key, (table.get(key) ?? 0) | (1 << concept));
        this.filter[key & (FILTER_BITS - 1)] = 1;
        this.entryStarts[words[0]!.charCodeAt(0)] = 1;
      }
    });
  }

  conceptsIn(reading: string): number {
    const { filter, prefixes, wholeWords } = this;
    let mask = 0;
    // Hashes of the last three whole words, most recent first; 0: none yet.
    let last1 = 0;
    let last2 = 0;
    let last3 = 0;
    // The word being read: where it started (-1: between words), the hash of its prefix so far,
    // whether it has Han, kana or Hangul, and the heads of the phrases it may continue.
    let start = -1;
    let hash = FNV_OFFSET;
    let unspaced = false;
    let head1 = 0;
    let head2 = 0;
    let head3 = 0;
    let chained1 = false;
    let chained2 = false;
    let chained3 = false;
    for (let index = 0; index <= reading.length; index++) {
      const code = index < reading.length ? reading.charCodeAt(index) : 0x20;
      if (IS_WORD_CODE[code] === 1) {
        if (start === -1) {
          start = index;
          hash = FNV_OFFSET;
          unspaced = false;
          // The words before this one, as one, two or three words of a phrase; unchained when no phrase starts so.
          // chain(previous, prefix) is chainHead(previous) ^ prefix: the head is computed once per word, not per character.
          const two = last2 === 0 ? 0 : chain(last2, last1);
          const three = last3 === 0 ? 0 : chain(chain(last3, last2), last1);
          chained1 = last1 !== 0 && this.isPhraseStart(last1);
          chained2 = two !== 0 && this.isPhraseStart(two);
          chained3 = three !== 0 && this.isPhraseStart(three);
          head1 = chained1 ? chainHead(last1) : 0;
          head2 = chained2 ? chainHead(two) : 0;
          head3 = chained3 ? chainHead(three) : 0;
        }
        hash = Math.imul(hash ^ code, FNV_PRIME);
        if (code >= 0x3040 && isUnspacedCode(code)) unspaced = true;
        if (filter[hash & (FILTER_BITS - 1)] === 1) mask |= prefixes.get(hash) ?? 0;
        if (chained1) mask |= this.lookUp(head1 ^ hash);
        if (chained2) mask |= this.lookUp(head2 ^ hash);
        if (chained3) mask |= this.lookUp(head3 ^ hash);
        continue;
      }
      if (start === -1) continue;
      if (filter[hash & (FILTER_BITS - 1)] === 1) mask |= wholeWords.get(hash) ?? 0;
      if (unspaced) mask |= this.substringsOf(reading, start + 1, index);
      last3 = last2;
      last2 = last1;
      last1 = hash;
      start = -1;
    }
    return mask;
  }

  private isPhraseStart(key: number): boolean {
    return this.phraseStartFilter[key & (FILTER_BITS - 1)] === 1 && this.phraseStarts.has(key);
  }

  private lookUp(key: number): number {
    return this.filter[key & (FILTER_BITS - 1)] === 1 ? (this.prefixes.get(key) ?? 0) : 0;
  }

  /** Chinese and Japanese have no spaces between words (and Korean glues particles on): every short substring counts. */
  private substringsOf(reading: string, from: number, end: number): number {
    let mask = 0;
    for (let first = from; first < end; first++) {
      if (this.entryStarts[reading.charCodeAt(first)] !== 1) continue;
      let hash = FNV_OFFSET;
      for (let at = first; at < end && at - first < MAX_UNSPACED_CHARS; at++) {
        hash = Math.imul(hash ^ reading.charCodeAt(at), FNV_PRIME);
        if (at > first && this.filter[hash & (FILTER_BITS - 1)] === 1) mask |= this.prefixes.get(hash) ?? 0;
      }
    }
    return mask;
  }
}

function chain(previous: number, word: number): number {
  return chainHead(previous) ^ word;
}

/** The part of chain(previous, word) that does not depend on the word. */
function chainHead(previous: number): number {
  return Math.imul(previous ^ PHRASE_SEED, FNV_PRIME);
}

function fnv(word: string): number {
  let hash = FNV_OFFSET;
  for (let at = 0; at < word.length; at++) hash = Math.imul(hash ^ word.charCodeAt(at), FNV_PRIME);
  return hash;
}

/** The words of a lexicon entry, cut where the scan cuts a reading. */
function wordsOf(entry: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const char of `${entry.toLowerCase()} `) {
    if (isWordCode(char.charCodeAt(0))) current += char;
    else if (current !== '') {
      words.push(current);
      current = '';
    }
  }
  return words;
}

/** isWordCode of every UTF-16 code unit: one look-up per character of a reading. */
const IS_WORD_CODE = Uint8Array.from({ length: 0x10000 }, (_, code) => Number(isWordCode(code)));

/**
 * ASCII letters and digits, and anything above U+00BF but the punctuation of other scripts
 * (quotes „“, dashes, CJK and full-width commas and stops, Arabic comma, Devanagari danda), which
 * would glue onto the word next to them.
 */
function isWordCode(code: number): boolean {
  if (code < 0xc0) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
  return !((code >= 0x2000 && code <= 0x206f) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xff20) || code === 0x060c || code === 0x061f || code === 0x0964 || code === 0x0965);
}

/** Han, kana and Hangul. */
function isUnspacedCode(code: number): boolean {
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af);
}
