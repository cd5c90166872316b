import { posix } from 'node:path';
import { MARKDOWN, type SupportedMediaType } from './media-type';
import type { TokenCounter } from './token-counter';

export interface ChunkingOptions {
  /** Size a chunk grows to before a new one starts. */
  readonly targetTokens: number;
  /** Hard ceiling: no chunk is ever longer (overlap included). */
  readonly maxTokens: number;
  /** Trailing sentences of a chunk repeated at the start of the next one in the same section. */
  readonly overlapTokens: number;
}

export const DEFAULT_CHUNKING_OPTIONS: ChunkingOptions = { targetTokens: 384, maxTokens: 512, overlapTokens: 58 };

export interface ChunkableDocument {
  readonly source: string;
  readonly mediaType: SupportedMediaType;
  readonly content: string;
}

export interface DocumentChunk {
  readonly title: string;
  /** Heading path "A > B > C"; empty before the first heading and for plain text. */
  readonly section: string;
  readonly text: string;
  readonly tokenCount: number;
}

interface Block {
  readonly kind: 'prose' | 'code';
  readonly text: string;
}

interface Section {
  readonly path: string[];
  readonly blocks: Block[];
}

interface Unit {
  readonly kind: 'prose' | 'code';
  readonly text: string;
  readonly tokens: number;
  /** How the unit attaches to the one before it: a new paragraph, or the next sentence of the same one. */
  readonly joiner: '\n\n' | ' ';
}

/**
 * Splits a document into token-bounded chunks that follow its structure: headings give each
 * chunk its section path, paragraphs are the preferred cut points, long paragraphs are cut
 * between sentences, and fenced code blocks stay whole unless they alone exceed the ceiling.
 */
export class MarkdownChunker {
  private readonly options: ChunkingOptions;
  private readonly sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

  constructor(
    private readonly tokens: TokenCounter,
    options: Partial<ChunkingOptions> = {},
  ) {
    this.options = { ...DEFAULT_CHUNKING_OPTIONS, ...options };
    const { targetTokens, maxTokens, overlapTokens } = this.options;
    if (!(targetTokens > 0 && targetTokens <= maxTokens && overlapTokens >= 0 && overlapTokens < targetTokens)) {
      throw new Error(
        `invalid chunking options ${JSON.stringify(this.options)}: need 0 < targetTokens <= maxTokens and 0 <= overlapTokens < targetTokens`,
      );
    }
  }

  chunk(document: ChunkableDocument): DocumentChunk[] {
    const content = document.content.replace(/\r\n?/g, '\n');
    const parsed = document.mediaType === MARKDOWN ? parseMarkdown(content) : parsePlainText(content);
    const title = parsed.title ?? titleFromSource(document.source);
    return parsed.sections.flatMap((section) =>
      this.chunkSection(section).map((text) => ({
        title,
        section: section.path.join(' > '),
        text,
        tokenCount: this.tokens.count(text),
      })),
    );
  }

  private chunkSection(section: Section): string[] {
    const { targetTokens, maxTokens } = this.options;
    const units = section.blocks.flatMap((block) => this.unitsOf(block));
    const texts: string[] = [];
    let current: Unit[] = [];
    let hasNewContent = false;

    for (const unit of units) {
      const combined = tokensOf([...current, unit]);
      // A chunk still under half the target absorbs the next unit up to the ceiling rather than
      // leaving a fragment that the next chunk's overlap would mostly repeat.
      const closeCurrent =
        hasNewContent && combined > targetTokens && (tokensOf(current) >= targetTokens / 2 || combined > maxTokens);
      if (closeCurrent) {
        texts.push(joinUnits(current));
        current = this.overlapAfter(current);
        hasNewContent = false;
      }
      if (tokensOf([...current, unit]) > maxTokens) current = [];
      current.push(unit);
      hasNewContent = true;
    }
    if (hasNewContent) texts.push(joinUnits(current));

    // Unit counts are summed, and BPE of joined text can differ by a token or two at the seams;
    // the re-count makes the ceiling exact.
    return texts
      .flatMap((text) => (this.tokens.count(text) > maxTokens ? this.splitToFit(text, targetTokens) : [text]))
      .map((text) => text.trim())
      .filter((text) => text !== '');
  }

  private unitsOf(block: Block): Unit[] {
    const { targetTokens, maxTokens } = this.options;
    const tokens = this.tokens.count(block.text);
    if (block.kind === 'code') {
      if (tokens <= maxTokens) return [{ kind: 'code', text: block.text, tokens, joiner: '\n\n' }];
      return this.splitCode(block.text).map((text) => ({
        kind: 'code',
        text,
        tokens: this.tokens.count(text),
        joiner: '\n\n',
      }));
    }
    if (tokens <= targetTokens) return [{ kind: 'prose', text: block.text, tokens, joiner: '\n\n' }];
    const pieces = this.sentencesOf(block.text).flatMap((sentence) =>
      this.tokens.count(sentence) <= targetTokens ? [sentence] : this.splitToFit(sentence, targetTokens),
    );
    return pieces.map((text, index) => ({
      kind: 'prose',
      text,
      tokens: this.tokens.count(text),
      joiner: index === 0 ? '\n\n' : ' ',
    }));
  }

  /** Trailing sentences of the chunk's closing prose, within the overlap budget (never code). */
  private overlapAfter(chunk: Unit[]): Unit[] {
    const budget = Math.min(this.options.overlapTokens, Math.floor(tokensOf(chunk) / 2));
    if (budget <= 0) return [];
    const picked: string[] = [];
    let used = 0;
    for (let u = chunk.length - 1; u >= 0 && chunk[u].kind === 'prose'; u--) {
      const sentences = this.sentencesOf(chunk[u].text);
      for (let s = sentences.length - 1; s >= 0; s--) {
        const cost = this.tokens.count(sentences[s]) + 1;
        if (used + cost > budget) {
          if (picked.length === 0) picked.unshift(this.trailingWords(sentences[s], budget));
          return overlapUnit(picked, this.tokens);
        }
        picked.unshift(sentences[s]);
        used += cost;
      }
    }
    return overlapUnit(picked, this.tokens);
  }

  private trailingWords(text: string, budget: number): string {
    const words = text.split(/\s+/).filter((word) => word !== '');
    let start = words.length;
    while (start > 0 && this.tokens.count(words.slice(start - 1).join(' ')) <= budget) start--;
    return words.slice(start).join(' ');
  }

  private sentencesOf(text: string): string[] {
    return Array.from(this.sentences.segment(text), (segment) => segment.segment.trim()).filter((s) => s !== '');
  }

  /** Cuts an oversized fenced block between lines, re-fencing every piece so each stays valid markdown. */
  private splitCode(text: string): string[] {
    const lines = text.split('\n');
    const opener = lines[0];
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(opener)?.[1] ?? '```';
    const closed = lines.length > 1 && isFenceClose(lines[lines.length - 1], fence);
    const body = lines.slice(1, closed ? -1 : undefined);
    const wrap = (inner: string[]): string => [opener, ...inner, fence].join('\n');
    const budget = this.options.targetTokens - this.tokens.count(wrap([]));

    const pieces: string[] = [];
    let current: string[] = [];
    let used = 0;
    for (const line of body) {
      const cost = this.tokens.count(line) + 1;
      if (cost > budget) {
        if (current.length > 0) pieces.push(wrap(current));
        pieces.push(...this.splitToFit(line, budget).map((part) => wrap([part])));
        current = [];
        used = 0;
        continue;
      }
      if (used + cost > budget && current.length > 0) {
        pieces.push(wrap(current));
        current = [];
        used = 0;
      }
      current.push(line);
      used += cost;
    }
    if (current.length > 0) pieces.push(wrap(current));
    return pieces;
  }

  /** Last resort for text with no usable boundary: whole words, then raw token windows. */
  private splitToFit(text: string, budget: number): string[] {
    const pieces: string[] = [];
    let current = '';
    let used = 0;
    for (const word of text.split(/(?<=\s)/)) {
      const cost = this.tokens.count(word);
      if (cost > budget) {
        if (current.trim() !== '') pieces.push(current.trim());
        const ids = this.tokens.encode(word);
        for (let i = 0; i < ids.length; i += budget) pieces.push(this.tokens.decode(ids.slice(i, i + budget)));
        current = '';
        used = 0;
        continue;
      }
      if (used + cost > budget && current.trim() !== '') {
        pieces.push(current.trim());
        current = '';
        used = 0;
      }
      current += word;
      used += cost;
    }
    if (current.trim() !== '') pieces.push(current.trim());
    return pieces;
  }
}

function tokensOf(units: readonly Unit[]): number {
  // One token per seam for the joiner ("\n\n" and " " are single tokens in cl100k_base).
  return units.reduce((sum, unit, index) => sum + unit.tokens + (index > 0 ? 1 : 0), 0);
}

function joinUnits(units: readonly Unit[]): string {
  return units.map((unit, index) => (index === 0 ? unit.text : unit.joiner + unit.text)).join('');
}

function overlapUnit(sentences: string[], tokens: TokenCounter): Unit[] {
  const text = sentences.join(' ').trim();
  return text === '' ? [] : [{ kind: 'prose', text, tokens: tokens.count(text), joiner: '\n\n' }];
}

function titleFromSource(source: string): string {
  const path = source.split(/[?#]/)[0];
  const base = posix.basename(path.replace(/\\/g, '/'));
  const withoutExtension = base.replace(/\.[^.]+$/, '');
  return withoutExtension || base || source;
}

function parsePlainText(content: string): { title?: string; sections: Section[] } {
  const blocks = content
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((text): Block => ({ kind: 'prose', text }));
  return { sections: [{ path: [], blocks }] };
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-{2,})[ \t]*$/;

function isFenceClose(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return match !== null && match[1][0] === fence[0] && match[1].length >= fence.length;
}

/**
 * A line scanner for the structure chunking needs (ATX and setext headings, fenced code,
 * paragraphs, YAML front matter), not a full CommonMark parser: everything else is prose.
 */
function parseMarkdown(content: string): { title?: string; sections: Section[] } {
  const lines = stripFrontMatter(content.split('\n'));
  const sections: Section[] = [{ path: [], blocks: [] }];
  const headings: (string | undefined)[] = [];
  let title: string | undefined;
  let paragraph: string[] = [];
  let fence: { marker: string; lines: string[] } | undefined;

  const current = (): Section => sections[sections.length - 1];
  const flushParagraph = (): void => {
    const text = paragraph.join('\n').trim();
    if (text !== '') current().blocks.push({ kind: 'prose', text });
    paragraph = [];
  };
  const startSection = (level: number, rawText: string): void => {
    const text = cleanHeading(rawText);
    headings.length = level - 1;
    headings[level - 1] = text;
    if (level === 1 && title === undefined && text !== '') title = text;
    sections.push({ path: headings.filter((h): h is string => h !== undefined && h !== ''), blocks: [] });
  };

  for (const line of lines) {
    if (fence) {
      fence.lines.push(line);
      if (isFenceClose(line, fence.marker)) {
        current().blocks.push({ kind: 'code', text: fence.lines.join('\n') });
        fence = undefined;
      }
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      flushParagraph();
      fence = { marker: open[1], lines: [line] };
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      flushParagraph();
      startSection(atx[1].length, atx[2] ?? '');
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    if (underline && paragraph.length === 1) {
      const text = paragraph[0];
      paragraph = [];
      startSection(underline[1][0] === '=' ? 1 : 2, text);
      continue;
    }
    if (line.trim() === '') {
      flushParagraph();
      continue;
    }
    paragraph.push(line);
  }
  // An unclosed fence runs to the end of the document, as CommonMark renders it.
  if (fence) current().blocks.push({ kind: 'code', text: fence.lines.join('\n') });
  flushParagraph();
  return { title, sections: sections.filter((section) => section.blocks.length > 0) };
}

function stripFrontMatter(lines: string[]): string[] {
  if (lines[0]?.trim() !== '---') return lines;
  const end = lines.findIndex((line, index) => index > 0 && (line.trim() === '---' || line.trim() === '...'));
  return end > 0 ? lines.slice(end + 1) : lines;
}

function cleanHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim();
}
