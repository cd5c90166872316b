import { CONCEPT_NAMES, ConceptScanner } from './concept.scanner';
import { foldPreservingOffsets, unmask } from './text-folding';

/** 2^18 buckets: few collisions for the vocabulary of a few thousand messages. */
export const FEATURE_BUCKETS = 1 << 18;
const CONCEPT_COUNT = CONCEPT_NAMES.length;
/** Slots for "how many concepts", 0 to MAX_COUNTED (or more). */
const MAX_COUNTED = 7;
/**
 * Concept features sit after the hashed buckets, unnormalised (a concept is present or not,
 * however long the text around it): each concept, each pair of concepts, and how many there are.
 */
export const CONCEPT_FEATURES = CONCEPT_COUNT + (CONCEPT_COUNT * (CONCEPT_COUNT - 1)) / 2 + MAX_COUNTED + 1;
const conceptScanner = new ConceptScanner();
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Seeds keep words, word pairs and character n-grams of each size in separate hash spaces. */
const SEED_WORD = 0x9e3779b1;
const SEED_PAIR = 0x85ebca6b;
const SEED_GRAM_3 = 0xc2b2ae35;
const SEED_GRAM_4 = 0x27d4eb2f;
const SEED_GRAM_5 = 0x165667b1;
const SPACE = 0x20;

/** The reading the classifier sees: folded (lower case, look-alikes mapped) and unmasked. */
export function classifierReading(text: string): string {
  const folded = foldPreservingOffsets(text);
  return unmask(folded) ?? folded;
}

/**
 * Adds the features of a message (already in its classifier reading) to `counts`, listing each
 * bucket the first time it is hit in `touched`: words, word pairs and character 3–5-grams inside
 * space-padded words, which carry across languages and inflections ("ignor", "instruc",
 * "règle"). One loop over character codes, hashes rolled as it goes: no regex, no substring.
 * A word is a run of ASCII letters and digits or of any character above U+00BF (letters of
 * other scripts; their punctuation is rare in prompts and only costs a merged token).
 */
export function accumulateFeatures(reading: string, counts: Float64Array | Uint16Array, touched: TouchedBuckets): void {
  let previous = 0;
  let start = -1;
  for (let index = 0; index <= reading.length; index++) {
    const code = index < reading.length ? reading.charCodeAt(index) : SPACE;
    const inWord = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || code >= 0xc0;
    if (inWord) {
      if (start === -1) start = index;
      continue;
    }
    if (start === -1) continue;
    const end = index;
    const letters = end - start;
    // " word " as character codes, read from the text once: every code takes part in up to five n-grams.
    const padded = paddedWord(letters);
    padded[0] = SPACE;
    let word = FNV_OFFSET;
    for (let at = 0; at < letters; at++) {
      const char = reading.charCodeAt(start + at);
      padded[at + 1] = char;
      word = Math.imul(word ^ char, FNV_PRIME);
    }
    padded[letters + 1] = SPACE;
    add(counts, touched, word ^ SEED_WORD);
    if (previous !== 0) add(counts, touched, Math.imul(previous ^ SEED_PAIR, FNV_PRIME) ^ word);
    previous = word;
    // Character 3-, 4- and 5-grams of " word " (the 1- and 2-grams only lead up to them), first to last.
    const last = letters + 1;
    for (let first = 0; first + 2 <= last; first++) {
      let gram = Math.imul(Math.imul(FNV_OFFSET ^ padded[first]!, FNV_PRIME) ^ padded[first + 1]!, FNV_PRIME);
      gram = Math.imul(gram ^ padded[first + 2]!, FNV_PRIME);
      add(counts, touched, gram ^ SEED_GRAM_3);
      if (first + 3 > last) continue;
      gram = Math.imul(gram ^ padded[first + 3]!, FNV_PRIME);
      add(counts, touched, gram ^ SEED_GRAM_4);
      if (first + 4 > last) continue;
      gram = Math.imul(gram ^ padded[first + 4]!, FNV_PRIME);
      add(counts, touched, gram ^ SEED_GRAM_5);
    }
    start = -1;
  }
}

/** The codes of " word " (padding spaces included), in a buffer kept from word to word. */
let paddedCodes = new Int32Array(64);

function paddedWord(letters: number): Int32Array {
  if (paddedCodes.length < letters + 2) paddedCodes = new Int32Array(2 * (letters + 2));
  return paddedCodes;
}

/**
 * The buckets a message hit, in the order they were first hit, in a buffer kept from message to
 * message: a plain array emptied with `length = 0` gives up its storage and grows again (copying
 * as it goes) on every message, tens of kilobytes of garbage per 2 KB text.
 */
export class TouchedBuckets {
  private buckets = new Int32Array(1024);
  length = 0;

  push(bucket: number): void {
    if (this.length === this.buckets.length) {
      const grown = new Int32Array(this.buckets.length * 2);
      grown.set(this.buckets);
      this.buckets = grown;
    }
    this.buckets[this.length++] = bucket;
  }

  at(index: number): number {
    return this.buckets[index]!;
  }

  clear(): void {
    this.length = 0;
  }
}

/** Counts one feature; FEATURE_BUCKETS is a power of two, so the mask is the unsigned remainder. */
function add(counts: Float64Array | Uint16Array, touched: TouchedBuckets, hash: number): void {
  const bucket = hash & BUCKET_MASK;
  if (counts[bucket] === 0) touched.push(bucket);
  counts[bucket]! += 1;
}

const BUCKET_MASK = FEATURE_BUCKETS - 1;

/** Indices (from FEATURE_BUCKETS on) of the concept features of a reading. */
export function conceptFeatures(reading: string): number[] {
  const mask = conceptScanner.conceptsIn(reading);
  const present: number[] = [];
  for (let concept = 0; concept < CONCEPT_COUNT; concept++) if ((mask & (1 << concept)) !== 0) present.push(concept);
  const indices = present.map((concept) => FEATURE_BUCKETS + concept);
  for (let first = 0; first < present.length; first++) {
    for (let second = first + 1; second < present.length; second++) indices.push(FEATURE_BUCKETS + CONCEPT_COUNT + pairIndex(present[first]!, present[second]!));
  }
  indices.push(FEATURE_BUCKETS + CONCEPT_FEATURES - MAX_COUNTED - 1 + Math.min(present.length, MAX_COUNTED));
  return indices;
}

/** Position of the pair (a, b), a < b, in the upper triangle read row by row. */
function pairIndex(a: number, b: number): number {
  return a * CONCEPT_COUNT - (a * (a + 1)) / 2 + (b - a - 1);
}

/** The features as a sparse, L2-normalised vector (for training and tests). */
export function hashedFeatures(reading: string): Map<number, number> {
  const counts = new Float64Array(FEATURE_BUCKETS);
  const touched = new TouchedBuckets();
  accumulateFeatures(reading, counts, touched);
  const buckets = Array.from({ length: touched.length }, (_, index) => touched.at(index));
  let norm = 0;
  for (const bucket of buckets) norm += counts[bucket]! * counts[bucket]!;
  norm = Math.sqrt(norm) || 1;
  return new Map(buckets.map((bucket) => [bucket, counts[bucket]! / norm]));
}

/** hashedFeatures plus the concept features (value 1), as a model with `conceptFeatures: true` reads a text. */
export function hashedAndConceptFeatures(reading: string): Map<number, number> {
  const features = hashedFeatures(reading);
  for (const index of conceptFeatures(reading)) features.set(index, 1);
  return features;
}
