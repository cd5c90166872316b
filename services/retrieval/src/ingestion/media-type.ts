import { extname } from 'node:path';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export const MARKDOWN = 'text/markdown';
export const PLAIN_TEXT = 'text/plain';
export const HTML = 'text/html';
export const PDF = 'application/pdf';
export const JSONL = 'application/x-ndjson';
export type SupportedMediaType = typeof MARKDOWN | typeof PLAIN_TEXT | typeof HTML | typeof PDF | typeof JSONL;
/** What the chunker reads: every other format is converted to one of these first. */
export type ChunkableMediaType = typeof MARKDOWN | typeof PLAIN_TEXT;

const BY_EXTENSION: Readonly<Record<string, SupportedMediaType>> = {
  '.md': MARKDOWN,
  '.markdown': MARKDOWN,
  '.txt': PLAIN_TEXT,
  '.html': HTML,
  '.htm': HTML,
  '.pdf': PDF,
  '.jsonl': JSONL,
  '.ndjson': JSONL,
};

const ALIASES: Readonly<Record<string, SupportedMediaType>> = {
  [MARKDOWN]: MARKDOWN,
  'text/x-markdown': MARKDOWN,
  [PLAIN_TEXT]: PLAIN_TEXT,
  [HTML]: HTML,
  'application/xhtml+xml': HTML,
  [PDF]: PDF,
  [JSONL]: JSONL,
  'application/jsonl': JSONL,
  'application/jsonlines': JSONL,
};

export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

/** Media type of a file we know how to ingest, or undefined for any other file. */
export function mediaTypeForPath(path: string): SupportedMediaType | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * The declared media type (parameters such as "; charset=utf-8" ignored) or, when none was
 * declared, the one the source's extension implies; plain text when neither says anything.
 */
export function resolveMediaType(source: string, declared: string | undefined): SupportedMediaType {
  const essence = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (essence === '') return mediaTypeForPath(source.split(/[?#]/)[0]) ?? PLAIN_TEXT;
  const known = ALIASES[essence];
  if (known) return known;
  throw new RetrievalException(
    RetrievalErrorCode.UnsupportedMediaType,
    `document ${JSON.stringify(source)} has media type ${JSON.stringify(declared)}; supported: ${Object.keys(ALIASES).join(', ')}`,
  );
}
