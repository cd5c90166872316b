import { createHash } from 'node:crypto';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import type { HtmlToMarkdown } from './html-to-markdown';
import { HTML, JSONL, MARKDOWN, PDF, PLAIN_TEXT, resolveMediaType, type ChunkableMediaType, type SupportedMediaType } from './media-type';
import type { PdfTextExtractor } from './pdf-text.extractor';

export interface IngestDocumentInput {
  /** Path or URL: the document's identity within the tenant's collection and the citation users see. */
  readonly source: string;
  readonly content: string;
  /** Binary content (PDF); used instead of `content` when non-empty. */
  readonly bytes?: Uint8Array;
  /** When empty, inferred from the source's extension. */
  readonly mediaType?: string;
  readonly title?: string;
  readonly tags?: readonly string[];
  /** Principals allowed to read the document; empty = the whole tenant. */
  readonly access?: readonly string[];
  readonly updatedAt?: Date;
}

export interface DocumentPart {
  /** 1-based page for PDFs; 0 otherwise. */
  readonly page: number;
  readonly mediaType: ChunkableMediaType;
  readonly content: string;
}

export interface ParsedDocument {
  readonly source: string;
  readonly mediaType: SupportedMediaType;
  /** sha256 of the content and the metadata: either changing re-indexes the document. */
  readonly contentHash: string;
  readonly title?: string;
  readonly parts: readonly DocumentPart[];
  readonly tags: readonly string[];
  readonly access: readonly string[];
  readonly updatedAt?: Date;
}

/**
 * Turns every supported format into chunkable parts: Markdown and text as they are, HTML as
 * Markdown of its main content, PDF as one part per page, and each JSONL line as a document of
 * its own (source "file#id", or "file#line" when the record has no id).
 */
export class DocumentParser {
  constructor(
    private readonly html: HtmlToMarkdown,
    private readonly pdf: PdfTextExtractor,
  ) {}

  /** Cheap checks on every document before any is parsed, so one bad input fails the request before anything is written. */
  validate(documents: readonly IngestDocumentInput[]): void {
    const seen = new Set<string>();
    documents.forEach((document, index) => {
      const source = (document.source ?? '').trim();
      if (source === '') throw invalid(`document #${index + 1} has no source`);
      if (seen.has(source)) throw invalid(`document source ${JSON.stringify(source)} appears more than once in one request`);
      seen.add(source);
      const mediaType = resolveMediaType(source, document.mediaType);
      if (mediaType === PDF ? !document.bytes?.length : typeof document.content !== 'string') {
        throw invalid(`document ${JSON.stringify(source)} has no ${mediaType === PDF ? 'binary content' : 'content'}`);
      }
    });
  }

  async parse(document: IngestDocumentInput): Promise<ParsedDocument[]> {
    const source = document.source.trim();
    const mediaType = resolveMediaType(source, document.mediaType);
    const base = {
      source,
      mediaType,
      tags: normalizedList(document.tags),
      access: normalizedList(document.access),
      ...(document.updatedAt ? { updatedAt: document.updatedAt } : {}),
    };
    // The document's own timestamp is left out: touching a file must not re-index it.
    const hash = (content: string | Uint8Array) => contentHash(content, { mediaType, tags: base.tags, access: base.access, title: document.title ?? null });
    switch (mediaType) {
      case MARKDOWN:
      case PLAIN_TEXT:
        return [{ ...base, ...titled(document.title), contentHash: hash(document.content), parts: [{ page: 0, mediaType, content: stripBom(document.content) }] }];
      case HTML: {
        const converted = await this.html.convert(source, document.content);
        return [
          {
            ...base,
            ...titled(document.title ?? converted.title),
            contentHash: hash(document.content),
            parts: [{ page: 0, mediaType: MARKDOWN, content: converted.markdown }],
          },
        ];
      }
      case PDF: {
        const bytes = document.bytes!;
        const extracted = await this.pdf.extract(source, bytes);
        return [
          {
            ...base,
            ...titled(document.title ?? extracted.title),
            contentHash: hash(bytes),
            parts: extracted.pages.filter((page) => page.text !== '').map((page) => ({ page: page.page, mediaType: PLAIN_TEXT, content: page.text })),
          },
        ];
      }
      case JSONL:
        return parseJsonLines(source, document.content, base.tags, base.access);
    }
  }
}

interface JsonRecord {
  id?: unknown;
  source?: unknown;
  title?: unknown;
  text?: unknown;
  content?: unknown;
  body?: unknown;
  tags?: unknown;
  access?: unknown;
  updated_at?: unknown;
}

function parseJsonLines(source: string, content: string, tags: readonly string[], access: readonly string[]): ParsedDocument[] {
  const documents: ParsedDocument[] = [];
  const seen = new Set<string>();
  content.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: JsonRecord;
    try {
      record = JSON.parse(line) as JsonRecord;
    } catch (error) {
      throw invalid(`${source} line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw invalid(`${source} line ${index + 1} is not a JSON object`);
    const text = [record.text, record.content, record.body].find((value) => typeof value === 'string') as string | undefined;
    if (text === undefined) throw invalid(`${source} line ${index + 1} has no "text", "content" or "body" string`);
    const recordSource =
      typeof record.source === 'string' && record.source.trim() !== ''
        ? record.source.trim()
        : `${source}#${record.id !== undefined && record.id !== null ? String(record.id) : index + 1}`;
    if (seen.has(recordSource)) throw invalid(`${source} line ${index + 1} repeats source ${JSON.stringify(recordSource)}`);
    seen.add(recordSource);
    const updatedAt = typeof record.updated_at === 'string' || typeof record.updated_at === 'number' ? new Date(record.updated_at) : undefined;
    if (updatedAt && Number.isNaN(updatedAt.getTime())) throw invalid(`${source} line ${index + 1} has an invalid updated_at`);
    const recordTags = normalizedList([...tags, ...(Array.isArray(record.tags) ? record.tags.map(String) : [])]);
    const recordAccess = normalizedList([...access, ...(Array.isArray(record.access) ? record.access.map(String) : [])]);
    const title = typeof record.title === 'string' && record.title.trim() !== '' ? record.title.trim() : undefined;
    documents.push({
      source: recordSource,
      mediaType: JSONL,
      contentHash: contentHash(line, { tags: recordTags, access: recordAccess }),
      ...titled(title),
      parts: [{ page: 0, mediaType: MARKDOWN, content: text }],
      tags: recordTags,
      access: recordAccess,
      ...(updatedAt ? { updatedAt } : {}),
    });
  });
  return documents;
}

function titled(title: string | undefined): { title?: string } {
  return title && title.trim() !== '' ? { title: title.trim() } : {};
}

function normalizedList(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((value) => String(value).trim()).filter((value) => value !== ''))].sort();
}

function contentHash(content: string | Uint8Array, metadata: unknown): string {
  return createHash('sha256').update(content).update('\u0000').update(JSON.stringify(metadata)).digest('hex');
}

function stripBom(content: string): string {
  return content.replace(/^\uFEFF/, '');
}

function invalid(message: string): RetrievalException {
  return new RetrievalException(RetrievalErrorCode.InvalidDocument, message);
}
