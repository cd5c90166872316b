import * as path from 'node:path';
import { AttackSimilarityIndex } from './attack-similarity.index';
import { LinearTextClassifier, type EvidenceCombinerFile } from './linear-text.classifier';
import { INJECTION_PATTERNS, META_DISCUSSION, META_DISCUSSION_TRIGGERS, QUOTED_ATTACK_CONTEXT, type InjectionTechnique } from './injection.patterns';
import { FAST_TIER_TRIGGERS } from '../checks/fast-tier.triggers';
import { countMixedScriptWords, foldPreservingOffsets, rot13, unmask } from './text-folding';

export interface InjectionSignal {
  technique: InjectionTechnique;
  score: number;
  /** Offsets into the original text; the whole text when the signal came from a decoded or unmasked reading. */
  start: number;
  end: number;
}

export interface InjectionEvidence {
  /** Signals of the patterns, decoders and known-attack index (no classifier), strongest first. */
  signals: InjectionSignal[];
  /** The text talks about attacks ("what is prompt injection", a quoted attack in a test request). */
  discussed: boolean;
  /** The folded, unmasked text the classifier reads. */
  reading: string;
}

export interface InjectionAssessment {
  /**
   * 0..1, the chance the text tries to take over the model: the evidence combiner's probability,
   * mapped so that its threshold is 0.5 (without a combiner: noisy-or of the signals).
   */
  score: number;
  /** The strongest signal first. */
  signals: InjectionSignal[];
}

const MIN_BASE64_RUN = 16;
/** Trained by src/eval/train-injection-model.ts; the same relative path from src/ and dist/. */
const DEFAULT_MODEL_FILE = path.resolve(__dirname, '../../models/injection-classifier.json');
/**
 * Texts longer than this are also scored by the classifier in sentence windows of this size, and
 * the evidence with the best window's logit is judged against the combiner's `windowThreshold`
 * (calibrated on rows inside long benign texts), so one attack inside a web page, passage or mail
 * is not diluted by the rest; 0 turns it off. Off: `train-injection-model.js --cv --window=480`
 * measured recall inside 1.6 KB of benign text 0.346 -> 0.406 at FPR 0.068 -> 0.071 (rows as
 * written unchanged), for CheckInput 2 KB CPU 0.41 -> 0.71 ms (guardrails-build-compare.bench.cjs).
 */
export const CLASSIFIER_SENTENCE_WINDOW_CHARS = 0;
const HEX_RUN_MIN_PAIRS = 12;
const HEX_RUN = /\b(?:[0-9a-f]{2}[ :]?){12,}\b/gi;
const MAX_DECODED_PAYLOADS = 16;
/** Talking about an attack keeps this share of the score. */
const META_DISCOUNT = 0.4;
const SIMILARITY_FLOOR = 0.3;
const ENCODED_MIN_SCORE = 0.7;

/**
 * Scores how likely a message is a prompt-injection or jailbreak attempt, from phrasing (several
 * languages), role-play set-ups, forged chat delimiters, requests for the system prompt, payloads
 * hidden in base64, hex, ROT13, homoglyphs, invisible characters or l33t, and similarity to known
 * jailbreaks, and a learned classifier; a second learned model (the evidence combiner) weighs the
 * patterns against the classifier, so a pattern is evidence, not a verdict ("override other
 * rules" in a CSS question). Every step is a linear scan: it is meant to run on every request.
 */
export class PromptInjectionDetector {
  /** Shared with the harm lexicon, which scans the same lower-cased text: one pass for both. */
  private readonly triggers = FAST_TIER_TRIGGERS;

  constructor(
    private readonly similarityIndex: AttackSimilarityIndex = new AttackSimilarityIndex(),
    private readonly classifier: LinearTextClassifier | undefined = LinearTextClassifier.fromFile(DEFAULT_MODEL_FILE, CLASSIFIER_SENTENCE_WINDOW_CHARS),
  ) {}

  assess(text: string): InjectionAssessment {
    const evidence = this.evidence(text);
    const { signals, discussed, reading } = evidence;
    const combiner = this.classifier?.combiner;
    if (this.classifier && combiner) {
      const { whole: logit, windows } = this.classifier.logits(reading);
      const probability = 1 / (1 + Math.exp(-logit));
      const threshold = this.classifier.threshold;
      let score = round(combinedScore(evidenceVector(evidence, logit), combiner));
      // A long text whose best sentence window reads hotter than the whole: the same evidence with
      // the window's logit, against the threshold calibrated on rows inside long benign texts.
      if (windows > logit && combiner.windowThreshold !== undefined) {
        score = Math.max(score, round(combinedScore(evidenceVector(evidence, windows), combiner, combiner.windowThreshold)));
      }
      // The classifier's own verdict stays a signal (it says whether, the patterns say how and
      // where), and a flagged message always has one: callers report the strongest signal.
      if (probability >= threshold || (score >= 0.5 && signals.length === 0)) {
        signals.push({ technique: 'classifier', score: round(Math.max(score, 0.5 + (0.45 * (probability - threshold)) / Math.max(1e-6, 1 - threshold))), start: 0, end: text.length });
      }
      return { score, signals };
    }
    if (this.classifier) {
      // Above its threshold the classifier alone is enough to flag (score ≥ 0.5); below, it adds nothing.
      const probability = this.classifier.probability(reading);
      const threshold = this.classifier.threshold;
      if (probability >= threshold) signals.push({ technique: 'classifier', score: 0.5 + (0.45 * (probability - threshold)) / Math.max(1e-6, 1 - threshold), start: 0, end: text.length });
      signals.sort(patternsFirst);
    }
    let score = noisyOr(signals);
    if (score > 0 && discussed) score *= META_DISCOUNT;
    return { score: round(score), signals };
  }

  /**
   * What the phrase patterns, decoders and the known-attack index find, strongest first, whether
   * the text discusses attacks rather than making one, and the reading the classifier scores.
   */
  evidence(text: string): InjectionEvidence {
    const folded = foldPreservingOffsets(text);
    const signals = this.scan(folded, text.length, true);
    // Asked now, while the scan's pass over `folded` is the one remembered.
    const { present, facts } = this.triggers.presentWithFacts(folded);
    const mayDiscuss = META_DISCUSSION_TRIGGERS.some((trigger) => present.has(trigger));

    const unmasked = unmask(folded, facts);
    if (unmasked !== undefined) for (const signal of this.scan(unmasked, text.length, false)) signals.push(signal);

    for (const decoded of decodedPayloads(text, folded)) {
      const inner = this.scan(foldPreservingOffsets(decoded), text.length, false);
      const best = Math.max(0, ...inner.map((signal) => signal.score));
      if (best > 0) signals.push({ technique: 'encoded_payload', score: Math.max(best, ENCODED_MIN_SCORE), start: 0, end: text.length });
    }

    // Counted only when there is a signal to back: it is another pass over the whole text.
    if (signals.length > 0 && countMixedScriptWords(text) >= 2) signals.push({ technique: 'encoded_payload', score: 0.3, start: 0, end: text.length });

    signals.sort(patternsFirst);
    const discussed = (mayDiscuss && META_DISCUSSION.test(folded)) || (signals.length > 0 && isQuotedAndDiscussed(folded, signals[0]!));
    return { signals, discussed, reading: unmasked ?? folded };
  }

  private scan(folded: string, originalLength: number, offsetsHold: boolean): InjectionSignal[] {
    const signals: InjectionSignal[] = [];
    const { present, facts } = this.triggers.presentWithFacts(folded);
    let required: Map<RegExp, boolean> | undefined;
    for (const { technique, score, pattern, triggers, requires } of INJECTION_PATTERNS) {
      if (triggers && !triggers.some((trigger) => present.has(trigger))) continue;
      if (requires) {
        required ??= new Map();
        let found = required.get(requires);
        if (found === undefined) required.set(requires, (found = requires.test(folded)));
        if (!found) continue;
      }
      pattern.lastIndex = 0;
      const match = pattern.exec(folded);
      pattern.lastIndex = 0;
      if (!match) continue;
      signals.push(offsetsHold ? { technique, score, start: match.index, end: match.index + match[0].length } : { technique, score, start: 0, end: originalLength });
    }
    const similarity = this.similarityIndex.similarityOfWords(facts.words);
    if (similarity >= SIMILARITY_FLOOR) signals.push({ technique: 'known_attack', score: Math.min(0.95, 0.3 + similarity * 0.7), start: 0, end: originalLength });
    return signals;
  }
}

/** The techniques whose strongest score is a feature of the evidence combiner, in this order. */
export const COMBINED_TECHNIQUES: readonly InjectionTechnique[] = ['instruction_override', 'role_play', 'context_breaking', 'prompt_extraction', 'data_exfiltration', 'encoded_payload', 'known_attack'];
const LOGIT_SCALE = 4;
const LOGIT_LIMIT = 12;

/**
 * The evidence of one message as the combiner's input: the strongest score of each pattern
 * technique, their noisy-or, whether the text discusses attacks (alone and with the patterns'
 * score), and the classifier's logit (clamped and scaled to the patterns' range).
 */
export function evidenceVector(evidence: Pick<InjectionEvidence, 'signals' | 'discussed'>, classifierLogit: number): number[] {
  const strongest = new Map<InjectionTechnique, number>();
  for (const signal of evidence.signals) if (signal.technique !== 'classifier') strongest.set(signal.technique, Math.max(strongest.get(signal.technique) ?? 0, signal.score));
  const patterns = noisyOr(evidence.signals.filter((signal) => signal.technique !== 'classifier'));
  const discussed = evidence.discussed ? 1 : 0;
  const logit = Math.max(-LOGIT_LIMIT, Math.min(LOGIT_LIMIT, classifierLogit)) / LOGIT_SCALE;
  return [...COMBINED_TECHNIQUES.map((technique) => strongest.get(technique) ?? 0), patterns, discussed, discussed * patterns, logit];
}

/** The combiner's probability, mapped so that `threshold` (by default its own) is 0.5 (and 0 and 1 stay where they are). */
export function combinedScore(vector: readonly number[], combiner: EvidenceCombinerFile, threshold = combiner.threshold): number {
  let logit = combiner.bias;
  vector.forEach((value, index) => (logit += (combiner.weights[index] ?? 0) * value));
  const probability = 1 / (1 + Math.exp(-logit));
  return probability >= threshold ? 0.5 + (0.5 * (probability - threshold)) / Math.max(1e-6, 1 - threshold) : (0.5 * probability) / threshold;
}

/** Noisy-or of the strongest signal per technique: three override phrasings in one message are one piece of evidence, not three. */
function noisyOr(signals: readonly InjectionSignal[]): number {
  return 1 - strongestPerTechnique(signals).reduce((remaining, signal) => remaining * (1 - signal.score), 1);
}

/** Patterns lead when the classifier fired too: they say how and where. */
function patternsFirst(a: InjectionSignal, b: InjectionSignal): number {
  return Number(a.technique === 'classifier') - Number(b.technique === 'classifier') || b.score - a.score;
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** The strongest evidence sits inside quotation marks, and the words around it handle it as an example. */
function isQuotedAndDiscussed(folded: string, strongest: InjectionSignal): boolean {
  if (strongest.end - strongest.start >= folded.length) return false;
  const before = folded.slice(0, strongest.start);
  const opens = (before.match(/["“«„]/g) ?? []).length;
  const closesAfter = /["”»“]/.test(folded.slice(strongest.end));
  if (opens % 2 === 0 && !/[“«„]/.test(before) || !closesAfter) return false;
  return QUOTED_ATTACK_CONTEXT.test(folded.slice(0, strongest.start) + folded.slice(strongest.end));
}

/** One signal per technique: three override phrasings in one message are one piece of evidence, not three. */
function strongestPerTechnique(sortedSignals: readonly InjectionSignal[]): InjectionSignal[] {
  const seen = new Set<InjectionTechnique>();
  return sortedSignals.filter((signal) => !seen.has(signal.technique) && seen.add(signal.technique));
}

/** Base64 and hex runs that decode to readable text, and the ROT13 reading when the text mentions ROT13. */
function decodedPayloads(text: string, folded: string): string[] {
  const decoded: string[] = [];
  const { runs, hasHexRun } = base64RunsAndHex(text);
  // A long text repeats its identifiers (a tracking number in every tenth line): each is decoded once.
  const readableByRun = new Map<string, string | undefined>();
  for (const run of runs) {
    if (decoded.length >= MAX_DECODED_PAYLOADS) break;
    let candidate = readableByRun.get(run);
    if (!readableByRun.has(run)) {
      const decodedRun = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
      candidate = isReadable(decodedRun) ? decodedRun : undefined;
      readableByRun.set(run, candidate);
    }
    if (candidate !== undefined) decoded.push(candidate);
  }
  if (hasHexRun) for (const match of text.matchAll(HEX_RUN)) {
    if (decoded.length >= MAX_DECODED_PAYLOADS) break;
    const candidate = Buffer.from(match[0].replace(/[ :]/g, ''), 'hex').toString('utf8');
    if (isReadable(candidate)) decoded.push(candidate);
  }
  if (/\brot-?13\b|\bcaesar\b/.test(folded)) decoded.push(rot13(text));
  return decoded;
}

/**
 * Runs of 16+ base64 characters (standard or URL-safe alphabet), and whether some stretch of hex
 * digits, spaces and colons holds 24+ hex digits (as every HEX_RUN match does). Neither looks at
 * every character: a run of 16 or more covers one of any 16 positions in a row, so the text is
 * sampled every 16th character and grown to the whole run around a sample that is in one (likewise
 * every 24th for the hex stretches). On prose that reads a fraction of the characters a loop over
 * every one reads (half a millisecond per 100 KB; a regex retried at every letter cost several).
 */
function base64RunsAndHex(text: string): { runs: string[]; hasHexRun: boolean } {
  const runs: string[] = [];
  forEachRunAround(text, BASE64, MIN_BASE64_RUN, (start, end) => {
    if (end - start >= MIN_BASE64_RUN) runs.push(text.slice(start, end));
    return true;
  });
  let hasHexRun = false;
  forEachRunAround(text, HEX_DIGIT | HEX_SEPARATOR, 2 * HEX_RUN_MIN_PAIRS, (start, end) => {
    let hexDigits = 0;
    for (let index = start; index < end; index++) if ((kindOf(text.charCodeAt(index)) & HEX_DIGIT) !== 0) hexDigits++;
    hasHexRun = hexDigits >= 2 * HEX_RUN_MIN_PAIRS;
    return !hasHexRun;
  });
  return { runs, hasHexRun };
}

/**
 * Calls `visit` with each maximal run of characters of `kinds` that holds one of the positions
 * sampled, in text order, until it returns false: every run of `minLength` or more is visited
 * (and shorter ones may be).
 */
function forEachRunAround(text: string, kinds: number, minLength: number, visit: (start: number, end: number) => boolean): void {
  const length = text.length;
  let index = minLength - 1;
  while (index < length) {
    if ((kindOf(text.charCodeAt(index)) & kinds) === 0) {
      index += minLength;
      continue;
    }
    let start = index;
    while (start > 0 && (kindOf(text.charCodeAt(start - 1)) & kinds) !== 0) start--;
    let end = index + 1;
    while (end < length && (kindOf(text.charCodeAt(end)) & kinds) !== 0) end++;
    if (!visit(start, end)) return;
    // text[end] is outside the run: the next run starts after it.
    index = end + minLength;
  }
}

const BASE64 = 1;
const HEX_DIGIT = 2;
const HEX_SEPARATOR = 4;
/**
 * BASE64 for the characters of the standard and URL-safe base64 alphabets; HEX_DIGIT and
 * HEX_SEPARATOR as the hex count has always read them (the code with bit 0x20 set: a hex digit,
 * or a space or colon). Every code from 0x80 on is none of them.
 */
const CHARACTER_KIND = Uint8Array.from({ length: 0x80 }, (_, code) => {
  const base64 = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2f || code === 0x2d || code === 0x5f;
  const folded = code | 0x20;
  const hexDigit = (folded >= 0x30 && folded <= 0x39) || (folded >= 0x61 && folded <= 0x66);
  const hexSeparator = folded === 0x20 || folded === 0x3a;
  return (base64 ? BASE64 : 0) | (hexDigit ? HEX_DIGIT : 0) | (hexSeparator ? HEX_SEPARATOR : 0);
});

function kindOf(code: number): number {
  return code < 0x80 ? CHARACTER_KIND[code]! : 0;
}

/** Mostly letters and spaces, as an instruction would be; random bytes and binary data are not. */
function isReadable(candidate: string): boolean {
  if (candidate.length < 8 || candidate.includes('\ufffd')) return false;
  let letters = 0;
  let spaces = 0;
  for (let index = 0; index < candidate.length; index++) {
    const code = candidate.charCodeAt(index);
    if (code === 0x20) spaces++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code > 0x7f) letters++;
    else if (code < 0x20 && code !== 0x0a) return false;
  }
  return spaces >= 1 && (letters + spaces) / candidate.length > 0.8;
}
