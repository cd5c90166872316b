import type { TokenCounter } from '../ingestion/token-counter';

export interface CitablePassage {
  readonly source: string;
  readonly section: string;
  readonly page: number;
  readonly text: string;
  /** cl100k_base tokens of the trimmed text, when the store kept them; counted here otherwise. */
  readonly tokens?: number;
}

export interface AssembledContext {
  readonly text: string;
  /** Upper bound of the text's tokens (each block counted, plus its separator). */
  readonly tokens: number;
  /** For each passage, its [n] marker in the text, or 0 when it did not fit. */
  readonly citations: number[];
}

/**
 * The prompt context for the gateway: passages in rank order, each headed by its citation
 * "[n] source § section (p. N)", within a token budget. A passage that does not fit is left
 * out whole (a cut passage misleads more than a missing one) and smaller later ones still go in.
 */
export class ContextAssembler {
  constructor(private readonly tokens: TokenCounter) {}

  assemble(passages: readonly CitablePassage[], budget: number): AssembledContext {
    const blocks: string[] = [];
    const citations: number[] = [];
    let used = 0;
    for (const passage of passages) {
      const heading = `[${blocks.length + 1}] ${citationLabel(passage)}\n`;
      const text = passage.text.trim();
      // cl100k_base splits text into pieces before merging, and a piece never runs past a line
      // break into the next line, so heading and text count apart exactly as they count together.
      const cost = this.tokens.count(heading) + (passage.tokens ?? this.tokens.count(text)) + (blocks.length > 0 ? 2 : 0);
      const block = heading + text;
      if (used + cost > budget) {
        citations.push(0);
        continue;
      }
      blocks.push(block);
      citations.push(blocks.length);
      used += cost;
    }
    // `used` already counts every block plus 2 tokens per "\n\n" between them: an upper bound of
    // the joined text's count (cl100k encodes "\n\n" as one token; measured 5-7 over for 5
    // passages), so the budget still holds and the whole context is not encoded a second time.
    return { text: blocks.join('\n\n'), tokens: used, citations };
  }
}

export function citationLabel(passage: Pick<CitablePassage, 'source' | 'section' | 'page'>): string {
  return [passage.source, passage.section ? `§ ${passage.section}` : '', passage.page > 0 ? `(p. ${passage.page})` : ''].filter(Boolean).join(' ');
}
