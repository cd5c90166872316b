import { KNOWN_ATTACKS } from './known-attacks.corpus';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MIN_SHARED = 3;
/** Word ids fit in 12 bits, so a trigram is one number: no string per trigram. */
const ID_BITS = 4096;
/** Twice the most words the corpus may have: probe chains stay short. */
const WORD_SLOTS = 2 * ID_BITS;

/**
 * Finds how much of a message repeats a known attack: the share of word trigrams the two have in
 * common, over the smaller of the two sets (so a short excerpt of a long jailbreak still counts).
 * Only words of the corpus get an id and only trigrams of three such words are built, so a
 * message costs one pass over its words and a few map look-ups.
 */
export class AttackSimilarityIndex {
  /**
   * FNV-1a hash of a corpus word → its id, in an open-addressing table (linear probing): a
   * message looks up every one of its words, and typed arrays beat a Map at that.
   */
  private readonly slotHashes = new Uint32Array(WORD_SLOTS);
  private readonly slotIds = new Int16Array(WORD_SLOTS).fill(-1);
  private wordCount = 0;
  /** Trigrams of the last text read by trigramsOf, including those with words not in the corpus. */
  private lastTotal = 0;
  private readonly byTrigram = new Map<number, number[]>();
  private readonly sizes: number[] = [];

  constructor(corpus: readonly string[] = KNOWN_ATTACKS) {
    corpus.forEach((text, entry) => {
      const trigrams = this.trigramsOf(text.toLowerCase(), true);
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
    const shared = new Map<number, number>();
    const trigrams = this.trigramsOf(foldedText, false);
    const total = this.lastTotal;
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
   * Trigram keys of three corpus words; `lastTotal` is set to the count of every trigram of the
   * text, including those with unknown words. Words are runs of ASCII letters, looked up by an
   * FNV hash of their characters (no substring per word); the corpus side registers the hash.
   */
  private trigramsOf(text: string, learn: boolean): Set<number> {
    const trigrams = new Set<number>();
    let first = -1;
    let second = -1;
    let seen = 0;
    let hash = FNV_OFFSET;
    let inWord = false;
    for (let index = 0; index <= text.length; index++) {
      const code = index < text.length ? text.charCodeAt(index) : 0;
      if (code >= 0x61 && code <= 0x7a) {
        hash = Math.imul(inWord ? hash ^ code : FNV_OFFSET ^ code, FNV_PRIME);
        inWord = true;
        continue;
      }
      if (!inWord) continue;
      inWord = false;
      const current = this.wordId(hash >>> 0, learn);
      if (++seen >= 3 && first >= 0 && second >= 0 && current >= 0) trigrams.add((first * ID_BITS + second) * ID_BITS + current);
      first = second;
      second = current;
    }
    this.lastTotal = Math.max(0, seen - 2);
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
