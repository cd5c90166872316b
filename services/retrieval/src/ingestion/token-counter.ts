import { getEncoding, type Tiktoken } from 'js-tiktoken';

/** Counts and slices text in model tokens (cl100k_base, the ranks bundled in js-tiktoken: no download). */
export class TokenCounter {
  private readonly encoding: Tiktoken;

  /** Parsing the ranks takes ~0.5 s: build one counter per process and share it. */
  constructor() {
    this.encoding = getEncoding('cl100k_base');
  }

  count(text: string): number {
    return this.encode(text).length;
  }

  /** Special-token strings such as "<|endoftext|>" in documents are ordinary text here, never an error. */
  encode(text: string): number[] {
    return this.encoding.encode(text, [], []);
  }

  decode(tokens: number[]): string {
    return this.encoding.decode(tokens);
  }
}
