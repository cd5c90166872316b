import { TriggerTrieScanner } from './trigger-trie.scanner';

const present = (scanner: { presentIn(text: string): Set<string> }, text: string): string[] => [...scanner.presentIn(text)].sort();

describe('TriggerTrieScanner', () => {
  it('finds triggers at word starts and anywhere', () => {
    const scanner = new TriggerTrieScanner(['ignor', ' previous', '<|', '忽略', '[']);
    expect(present(scanner, 'please ignore <|im_start|> 请忽略 [x]')).toEqual(['<|', '[', 'ignor', '忽略']);
    expect(present(scanner, 'unignorable, no previous')).toEqual(['previous']);
    expect(present(scanner, '<')).toEqual([]);
  });

  it('finds every trigger that starts at one place, including one that is the start of another', () => {
    const scanner = new TriggerTrieScanner(['kill', 'kill myself', 'kills', 'myself']);
    expect(present(scanner, 'i want to kill myself')).toEqual(['kill', 'kill myself', 'myself']);
    expect(present(scanner, 'skill, killer')).toEqual(['kill']);
    expect(present(scanner, 'kil')).toEqual([]);
  });

  it('treats accented letters as part of a word and punctuation as a word break', () => {
    const scanner = new TriggerTrieScanner(['töten', 'od', '/etc/']);
    expect(present(scanner, 'jemanden töten; cat /etc/passwd; (od)')).toEqual(['/etc/', 'od', 'töten']);
    expect(present(scanner, 'ätöten éod')).toEqual([]);
  });

  it('matches case as given, finds symbol triggers inside words and counts a trimmed trigger', () => {
    const scanner = new TriggerTrieScanner(['in', 'into', 'instead of', 'plan', ':|:', 'rm -rf', '手机', 'ex', 'тел', ' od']);
    const text = 'Plan B: get INTO it instead of planning; rm -rf / or :(){ :|:& };: 手机 text, exex тел.телефон od';
    expect(present(scanner, text)).toEqual([':|:', 'ex', 'in', 'instead of', 'od', 'plan', 'rm -rf', 'тел', '手机']);
    expect(present(scanner, text.toLowerCase())).toEqual([':|:', 'ex', 'in', 'instead of', 'into', 'od', 'plan', 'rm -rf', 'тел', '手机']);
    expect(present(scanner, '')).toEqual([]);
  });

  it('rejects an empty trigger', () => {
    expect(() => new TriggerTrieScanner(['ok', '  '])).toThrow('a trigger must not be empty');
  });
});
