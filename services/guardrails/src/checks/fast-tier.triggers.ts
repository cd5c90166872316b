import { HARM_RULES } from '../content/harm.lexicon';
import { INJECTION_PATTERNS } from '../injection/injection.patterns';
import { TriggerTrieScanner } from './trigger-trie.scanner';

/**
 * The trigger words of the injection patterns and of the harm lexicon in one trie, scanned once
 * per text: both checks read the same lower-cased message (the injection check's folded text is
 * the harm lexicon's lower-cased one unless the message has Cyrillic or Greek letters), so the
 * second check asks for the text the first one just scanned and gets the answer remembered.
 * Each check only asks about its own triggers: the others in the set change nothing for it.
 */
export class RememberingTriggerScanner {
  private readonly scanner: TriggerTrieScanner;
  private lastText: string | undefined;
  private lastPresent: ReadonlySet<string> = new Set();

  constructor(triggers: readonly string[]) {
    this.scanner = new TriggerTrieScanner(triggers);
  }

  /** The triggers present (see TriggerTrieScanner); the set may be shared with the next caller, so it is read-only. */
  presentIn(text: string): ReadonlySet<string> {
    if (text !== this.lastText) {
      this.lastPresent = this.scanner.presentIn(text);
      this.lastText = text;
    }
    return this.lastPresent;
  }
}

export const FAST_TIER_TRIGGERS = new RememberingTriggerScanner([...INJECTION_PATTERNS.flatMap((pattern) => pattern.triggers ?? []), ...HARM_RULES.flatMap((rule) => rule.triggers)]);
