import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TokenCounter } from '../ingestion/token-counter';
import { ContextAssembler, type CitablePassage } from './context-assembler';

const tokens = new TokenCounter();
const assembler = new ContextAssembler(tokens);

/** Paragraph groups of the retrieval eval corpus: real Markdown, text, HTML, JSONL. */
function corpusPassages(): CitablePassage[] {
  const root = join(__dirname, '../../eval/corpus');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(root);
  return files.flatMap((file, f) =>
    readFileSync(file, 'latin1')
      .split(/\n\n+/)
      .filter((text) => text.trim() !== '')
      .map((text, i) => ({ source: file.slice(root.length + 1), section: i % 3 === 0 ? '' : `Part ${f} > "Step" ${i}.`, page: i % 4, text })),
  );
}

describe('ContextAssembler', () => {
  const passages = corpusPassages();
  const odd: CitablePassage[] = ['(see below) then', '123 apples', '  leading spaces', '\tTab', 'Émile 日本語', '- item', '"quoted"', '```js\ncode\n```', '\n\nblank first']
    .map((text, i) => ({ source: `odd-${i}.md`, section: i % 2 ? 'A > B.' : '', page: i, text }));

  it('counts a passage with its stored token count exactly as it counts the text itself', () => {
    const all = [...passages, ...odd];
    expect(all.length).toBeGreaterThan(100);
    for (let start = 0; start < all.length; start += 5) {
      const group = all.slice(start, start + 5);
      const withStored = group.map((passage) => ({ ...passage, tokens: tokens.count(passage.text.trim()) }));
      for (const budget of [60, 400, 100_000]) {
        expect(assembler.assemble(withStored, budget)).toEqual(assembler.assemble(group, budget));
      }
    }
  });

  it('keeps within the budget, leaves out a passage that does not fit whole and cites the rest in order', () => {
    const group = passages.slice(0, 6).map((passage) => ({ ...passage, tokens: tokens.count(passage.text.trim()) }));
    const budget = group[0].tokens + group[2].tokens + 40;
    const context = assembler.assemble(group, budget);
    expect(context.tokens).toBeLessThanOrEqual(budget);
    expect(tokens.count(context.text)).toBeLessThanOrEqual(context.tokens);
    expect(context.citations[0]).toBe(1);
    expect(context.text.startsWith(`[1] ${group[0].source}`)).toBe(true);
    const cited = context.citations.filter((citation) => citation > 0);
    expect(cited).toEqual(cited.map((_, i) => i + 1));
    expect(cited.length).toBeLessThan(group.length);
  });
});
