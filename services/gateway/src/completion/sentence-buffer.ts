/** Where a sentence ends: terminal punctuation (and closing quotes) followed by white space, or a line break. */
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*\s+|\n+/g;

/**
 * Holds back streamed text until it can be checked on its own: whole sentences, or, for a run
 * without a sentence end, up to `maxChars` cut at a space. Every cut follows white space, which
 * a redaction placeholder (`[EMAIL_1]`) never contains, so a placeholder reaches the check whole
 * even when the model's tokens split it.
 */
export class SentenceBuffer {
  private pending = '';

  constructor(private readonly maxChars = 500) {}

  /** Adds a delta; returns the text now complete, in order (often nothing). */
  push(delta: string): string[] {
    this.pending += delta;
    const cut = this.lastCut();
    if (cut === 0) return [];
    const piece = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return [piece, ...(this.pending.length > this.maxChars ? this.push('') : [])];
  }

  /** What is left at the end of the stream. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  private lastCut(): number {
    let cut = 0;
    for (const match of this.pending.matchAll(SENTENCE_END)) cut = match.index + match[0].length;
    if (cut > 0 || this.pending.length <= this.maxChars) return cut;
    const space = this.pending.lastIndexOf(' ', this.maxChars);
    return space > 0 ? space + 1 : 0;
  }
}
