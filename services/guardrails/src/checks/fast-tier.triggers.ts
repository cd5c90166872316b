import { HARM_RULES } from '../content/harm.lexicon';
import { FoldedTextFacts } from '../injection/folded-text.facts';
import { INJECTION_PATTERNS, META_DISCUSSION_TRIGGERS } from '../injection/injection.patterns';
import { TriggerTrieScanner } from './trigger-trie.scanner';

/**
 * The trigger words of the injection patterns (and of talk about attacks) and of the harm lexicon
 * in one trie, scanned once per text: both checks read the same lower-cased message (the
 * injection check's folded text is the harm lexicon's lower-cased one unless the message has
 * Cyrillic or Greek letters), so the second check asks for the text the first one just scanned
 * and gets the answer remembered, with the FoldedTextFacts the same pass gathered.
 * Each check only asks about its own triggers: the others in the set change nothing for it.
 */
export class RememberingTriggerScanner {
  private readonly scanner: TriggerTrieScanner;
  private lastText: string | undefined;
  private lastPresent: ReadonlySet<string> = new Set();
  /** The last text's facts for the prompt-injection check, when they were gathered in its pass (factsHold). */
  private readonly lastFacts = new FoldedTextFacts();
  private factsHold = false;

  constructor(triggers: readonly string[]) {
    this.scanner = new TriggerTrieScanner(triggers);
  }

  /** The triggers present (see TriggerTrieScanner); the set may be shared with the next caller, so it is read-only. */
  presentIn(text: string): ReadonlySet<string> {
    if (text !== this.lastText) {
      this.lastPresent = this.scanner.presentIn(text);
      this.lastText = text;
      this.factsHold = false;
    }
    return this.lastPresent;
  }

  /**
   * presentIn(text), and the FoldedTextFacts of `text` from the same pass (the prompt-injection
   * check asks first, then the harm lexicon gets the triggers remembered); the facts are valid
   * until another text is asked about.
   */
  presentWithFacts(text: string): { present: ReadonlySet<string>; facts: FoldedTextFacts } {
    if (text !== this.lastText || !this.factsHold) {
      this.lastPresent = this.scanner.presentInGathering(text, this.lastFacts);
      this.lastText = text;
      this.factsHold = true;
    }
    return { present: this.lastPresent, facts: this.lastFacts };
  }
}

export const FAST_TIER_TRIGGERS = new RememberingTriggerScanner([
  ...INJECTION_PATTERNS.flatMap((pattern) => pattern.triggers ?? []),
  ...META_DISCUSSION_TRIGGERS,
  ...HARM_RULES.flatMap((rule) => rule.triggers),
]);
