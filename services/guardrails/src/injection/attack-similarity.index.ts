import { AsciiWordHashes, hashAsciiWords } from './folded-text.facts';
import { KNOWN_ATTACKS } from './known-attacks.corpus';

const MIN_SHARED = 3;
/** Word ids fit in 12 bits, so a trigram is one number: no string per trigram. */
const ID_BITS = 4096;
/** Twice the most words the corpus may have: probe chains stay short. */
const WORD_SLOTS = 2 * ID_BITS;

/**
 * Finds how much of a message repeats a known attack: the share of word trigrams the two have in
 * common, over the smaller of the two sets (so a short excerpt of a long jailbreak still counts).
 * Only words of the corpus get an id and only trigrams of three such words are built, so a
 * message costs a look-up per word, hashed in the trigger scan's pass over the text.
 */
export class AttackSimilarityIndex {
  /**
   * FNV-1a hash of a corpus word → its id, in an open-addressing table (linear probing): a
   * message looks up every one of its words, and typed arrays beat a Map at that.
   */
  private readonly slotHashes = new Uint32Array(WORD_SLOTS);
  private readonly slotIds = new Int16Array(WORD_SLOTS).fill(-1);
  private wordCount = 0;
  /** Words of a text hashed here (a caller that has no trigger scan to do it). */
  private readonly scratch = new AsciiWordHashes();
  private readonly byTrigram = new Map<number, number[]>();
  private readonly sizes: number[] = [];

  constructor(corpus: readonly string[] = KNOWN_ATTACKS) {
    corpus.forEach((text, entry) => {
      const trigrams = this.trigramsOf(hashAsciiWords(text.toLowerCase(), this.scratch), true);
      this.sizes.push(trigrams.size);
      for (const trigram of trigrams) {
        const entries = this.byTrigram.get(trigram);
        if (entries) entries.push(entry);
        else this.byTrigram.set(trigram, [entry]);
      }
    });
    if (this.wordCount >= ID_BITS) throw new Error('the known-attack corpus has too many distinct words');
  }

  /** 0..1: the overlap with the closest known attack. `foldedText` is lower-cased. */
  similarity(foldedText: string): number {
    return this.similarityOfWords(hashAsciiWords(foldedText, this.scratch));
  }

  /** similarity() of the text whose words these are (hashed as hashAsciiWords does, e.g. by the trigger scan: FoldedTextFacts.words). */
  similarityOfWords(words: AsciiWordHashes): number {
    const shared = new Map<number, number>();
    const trigrams = this.trigramsOf(words, false);
    // Every trigram of the text, including those with words not in the corpus.
    const total = Math.max(0, words.length - 2);
    for (const trigram of trigrams) {
      for (const entry of this.byTrigram.get(trigram) ?? []) shared.set(entry, (shared.get(entry) ?? 0) + 1);
    }
    let best = 0;
    for (const [entry, count] of shared) {
      if (count < MIN_SHARED) continue;
      best = Math.max(best, count / Math.min(total, this.sizes[entry]!));
    }
    return best;
  }

  /**
   * Trigram keys of three consecutive words that are all corpus words. Words are looked up by
   * their hash (see AsciiWordHashes: no substring per word); the corpus side registers it.
   */
  private trigramsOf(words: AsciiWordHashes, learn: boolean): Set<number> {
    const trigrams = new Set<number>();
    let first = -1;
    let second = -1;
    for (let index = 0; index < words.length; index++) {
      const current = this.wordId(words.at(index), learn);
      if (index >= 2 && first >= 0 && second >= 0 && current >= 0) trigrams.add((first * ID_BITS + second) * ID_BITS + current);
      first = second;
      second = current;
    }
    return trigrams;
  }

  /** The id of a corpus word by its hash, -1 for any other word; `learn` gives a new word the next id. */
  private wordId(hash: number, learn: boolean): number {
    let slot = hash & (WORD_SLOTS - 1);
    for (;;) {
      const id = this.slotIds[slot]!;
      if (id === -1) break;
      if (this.slotHashes[slot] === hash) return id;
      slot = (slot + 1) & (WORD_SLOTS - 1);
    }
    if (!learn || this.wordCount >= ID_BITS) return -1;
    this.slotHashes[slot] = hash;
    this.slotIds[slot] = this.wordCount;
    return this.wordCount++;
  }
}
