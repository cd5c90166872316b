import { mayHaveRareCharacters } from '../checks/rare-characters';
import { collectLeetTokens, LEET_CHAR, LEET_LETTER, LEET_TOKEN_KIND, SpanBuffer, type FoldedTextFacts } from './folded-text.facts';

/**
 * Ways attackers disguise words from a detector, undone: look-alike letters from other scripts,
 * full-width forms, invisible characters, l33t digits, and letters spaced or dotted apart.
 */

/** Cyrillic and Greek letters that render like Latin ones (Unicode confusables, the common subset). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ӏ: 'l', һ: 'h', ԛ: 'q', ԝ: 'w',
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', Х: 'x', І: 'i', Ј: 'j', Ѕ: 's',
  α: 'a', β: 'b', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
};
const CONFUSABLE_CHARS = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');
const LATIN = /[a-z]/i;
const LETTER_RUN = /\p{L}+/gu;
const HAS_LATIN = /\p{Script=Latin}/u;
const HAS_LOOKALIKE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;

export const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/**
 * Single letters joined by one separator, at least four: "i g n o r e", "I.g.n.o.r.e". It may
 * only start where a run starts (not after "a."), else "a.a.a.…" would be retried from every
 * letter: quadratic. ASCII only: the disguise is used on English payloads, and the ASCII class
 * is several times faster than \p{L}.
 */
const SPACED_LETTERS = /(?<![a-z0-9]|[a-z0-9][ ._*\-])[a-z]([ ._*\-])(?:[a-z]\1){2,}[a-z](?![a-z0-9])/g;
/** Whether SPACED_LETTERS can match; hasSpacedLettersAt (folded-text.facts.ts) answers the same at one index, for the trigger scan. */
const MAYBE_SPACED = /\b[a-z][ ._*\-][a-z][ ._*\-][a-z][ ._*\-][a-z]\b/;
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };
/** Letters next to l33t characters inside l33t tokens, at least this many before the text is rewritten ("1gn0r3" has four). */
const MIN_LEET_PAIRS = 4;

/**
 * Lower-cased text with look-alike letters mapped to Latin, keeping every offset: detectors
 * report spans into the original. Falls back to plain lower case where case mapping would change
 * the length (rare letters such as "İ").
 */
export function foldPreservingOffsets(text: string): string {
  if (text === lastFolded.input) return lastFolded.output;
  const lowered = lowerPreservingOffsets(text);
  // One look at the text for every rare character a step here or in unmask() handles: most texts
  // have none, and the look shared with input validation (on the text as given) usually says so.
  const plain = !(mayHaveRareCharacters(text) && RARE_CHARACTER.test(lowered));
  const folded = !plain && /[\u0370-\u04ff]/.test(lowered) ? lowered.replace(CONFUSABLE_CHARS, (char) => (latinAround(lowered, char) ? CONFUSABLES[char]! : char)) : lowered;
  lastFolded.input = text;
  lastFolded.output = folded;
  lastFolded.plain = plain;
  return folded;
}

/** Greek and Cyrillic, full-width forms, the high half of mathematical letters, and INVISIBLE's characters. */
export const RARE_CHARACTER = /[\u0370-\u04ff\uff01-\uff5e\ud835\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** Lower case, keeping every offset (plain lower case would change the length of rare letters such as "İ"). */
export function lowerPreservingOffsets(text: string): string {
  if (text === lastLowered.input) return lastLowered.output;
  const lowered = text.toLowerCase();
  lastLowered.input = text;
  lastLowered.exact = lowered.length === text.length;
  lastLowered.output = lastLowered.exact ? lowered : text.replace(/[A-Z]/g, (char) => char.toLowerCase());
  return lastLowered.output;
}

/**
 * `text.toLowerCase()` when that keeps every offset (almost always), else undefined; the same
 * copy lowerPreservingOffsets makes, so a check that asks first makes it for the others.
 */
export function lowerCaseKeepingOffsets(text: string): string | undefined {
  const lowered = lowerPreservingOffsets(text);
  return lastLowered.exact ? lowered : undefined;
}

/**
 * The last input and result of a folding step. The fast tier reads each message several times
 * (injection patterns, the classifiers' readings, the harm lexicon), one message after another:
 * remembering the last message's copies spares a 100 KB text two or three more copies of itself
 * (time, and garbage to collect). Strings are immutable, so a hit is always the same answer.
 */
interface LastResult<T> {
  input: string | undefined;
  output: T;
}

/** `exact`: the output is text.toLowerCase() (not the ASCII-only fallback). */
const lastLowered: LastResult<string> & { exact: boolean } = { input: undefined, output: '', exact: true };
/** `plain`: the folded text has none of RARE_CHARACTER's characters, so unmask() need not look for them. */
const lastFolded: LastResult<string> & { plain: boolean } = { input: undefined, output: '', plain: false };
const lastUnmasked: LastResult<string | undefined> = { input: undefined, output: undefined };

/**
 * Only map a Cyrillic or Greek letter when the text also has Latin: Russian and Greek prose must
 * stay as written (the detectors have patterns in those languages).
 */
function latinAround(text: string, _char: string): boolean {
  return LATIN.test(text);
}

/** Words mixing Latin letters with look-alikes from Cyrillic or Greek, the tell-tale of homoglyph disguise. */
export function countMixedScriptWords(text: string): number {
  if (!/[\u0370-\u04ff]/.test(text)) return 0;
  let count = 0;
  for (const [word] of text.matchAll(LETTER_RUN)) if (HAS_LATIN.test(word) && HAS_LOOKALIKE_SCRIPT.test(word)) count++;
  return count;
}

/**
 * A second reading for disguised text, or undefined when there is nothing to undo. Offsets do not
 * survive it: findings from it cover the whole message.
 */
export function unmask(folded: string, facts?: FoldedTextFacts): string | undefined {
  if (folded === lastUnmasked.input) return lastUnmasked.output;
  const unmasked = unmaskOnce(folded, facts);
  lastUnmasked.input = folded;
  lastUnmasked.output = unmasked;
  return unmasked;
}

/** `facts`: the FoldedTextFacts of `folded` if the trigger scan has gathered them; they hold while the text is unchanged. */
function unmaskOnce(folded: string, facts: FoldedTextFacts | undefined): string | undefined {
  let text = folded;
  let changed = false;
  const plain = lastFolded.plain && folded === lastFolded.output;
  // Full-width and mathematical letters ("ｉｇｎｏｒｅ", "𝗶𝗴𝗻𝗼𝗿𝗲") are compatibility forms of plain ones.
  if (!plain && /[\uff01-\uff5e\ud835]/.test(text)) {
    text = text.normalize('NFKC').toLowerCase();
    changed = true;
  }
  if (!plain && INVISIBLE.test(text)) {
    text = text.replace(INVISIBLE, '');
    changed = true;
  }
  INVISIBLE.lastIndex = 0;
  const spaced = facts !== undefined && !changed ? facts.spacedLetters : MAYBE_SPACED.test(text);
  const joined = spaced ? text.replace(SPACED_LETTERS, (run) => run.replace(/[ ._*\-]/g, '')) : text;
  if (joined !== text) {
    text = joined;
    changed = true;
  }
  const deLeeted = deLeet(text, facts !== undefined && !changed ? facts.leetTokens : collectLeetTokens(text, leetTokens));
  if (deLeeted !== text) {
    text = deLeeted;
    changed = true;
  }
  return changed ? text : undefined;
}

/** The l33t token candidates of a text no trigger scan has read, in a buffer kept from text to text. */
const leetTokens = new SpanBuffer();

/**
 * Rewrites l33t characters in l33t tokens ("pr3v10u5" → "previous") when the text has at least
 * MIN_LEET_PAIRS letter/l33t neighbours in such tokens (else returns it unchanged). A l33t token
 * has letters, only l33t digits (0 1 3 4 5 7) and no more of them than letters + 1:
 * "1z999aa1", "10h30", hashes and part numbers are not, nor is the
 * "name@domain" of an e-mail address; numbers with a unit and ordinals ("10kg", "3rd") do not
 * count towards the threshold. So prose full of numbers and addresses is not read a second time.
 * Only the runs of token characters that hold a l33t character are looked at closely (most words
 * hold none): `candidates`, as collectLeetTokens finds them (or the trigger scan, on its way).
 */
function deLeet(text: string, candidates: SpanBuffer): string {
  const tokens: number[] = [];
  let pairs = 0;
  for (let candidate = 0; candidate < candidates.length; candidate++) {
    const start = candidates.start(candidate);
    const end = candidates.end(candidate);
    let letters = 0;
    let leet = 0;
    let otherDigit = false;
    let digitAfterLetter = false;
    let symbol = false;
    let at = -1;
    let tokenPairs = 0;
    let previousKind = 0;
    for (let position = start; position < end; position++) {
      const code = text.charCodeAt(position);
      const kind = LEET_TOKEN_KIND[code]!;
      if ((kind === LEET_LETTER && previousKind === LEET_CHAR) || (kind === LEET_CHAR && previousKind === LEET_LETTER)) tokenPairs++;
      if (kind === LEET_LETTER) letters++;
      else if (kind === LEET_CHAR) {
        leet++;
        if (code === 0x40 || code === 0x24) symbol = true;
        if (code === 0x40) at = position;
        else if (letters > 0) digitAfterLetter = true;
      } else otherDigit = true;
      previousKind = kind;
    }
    if (letters > 0 && !otherDigit && leet <= letters + 1 && !isEmailAddressPart(text, start, at, end)) {
      tokens.push(start, end);
      // "10kg" and "3rd" are rewritten with the rest of a l33t text ("4ll") but are no sign of one.
      if (!isNumberWithUnit(letters, digitAfterLetter, symbol)) pairs += tokenPairs;
    }
  }
  if (pairs < MIN_LEET_PAIRS) return text;
  const parts: string[] = [];
  let cursor = 0;
  for (let token = 0; token < tokens.length; token += 2) {
    parts.push(text.slice(cursor, tokens[token]), text.slice(tokens[token], tokens[token + 1]).replace(/[013457@$]/g, (char) => LEET[char]!));
    cursor = tokens[token + 1]!;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** Digits, then at most three letters: "5th", "10kg", "4k" (and, as a price, "$5" has no letters). */
function isNumberWithUnit(letters: number, digitAfterLetter: boolean, symbol: boolean): boolean {
  return !digitAfterLetter && !symbol && letters <= MAX_UNIT_LETTERS;
}

const MAX_UNIT_LETTERS = 3;

/** "name@example" followed by ".com": the middle of an e-mail address. */
function isEmailAddressPart(text: string, start: number, at: number, end: number): boolean {
  if (at === -1) return false;
  const next = text.charCodeAt(end + 1);
  return at > start && at < end - 1 && text.charCodeAt(end) === 0x2e && next >= 0x61 && next <= 0x7a;
}

export function rot13(text: string): string {
  return text.replace(/[a-z]/gi, (char) => {
    const base = char <= 'Z' ? 65 : 97;
    return String.fromCharCode(((char.charCodeAt(0) - base + 13) % 26) + base);
  });
}
