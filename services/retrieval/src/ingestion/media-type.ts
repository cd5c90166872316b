import { extname } from 'node:path';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export const MARKDOWN = 'text/markdown';
export const PLAIN_TEXT = 'text/plain';
export type SupportedMediaType = typeof MARKDOWN | typeof PLAIN_TEXT;

const BY_EXTENSION: Readonly<Record<string, SupportedMediaType>> = {
  '.md': MARKDOWN,
  '.markdown': MARKDOWN,
  '.txt': PLAIN_TEXT,
};

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
  if (essence === MARKDOWN || essence === 'text/x-markdown') return MARKDOWN;
  if (essence === PLAIN_TEXT) return PLAIN_TEXT;
  throw new RetrievalException(
    RetrievalErrorCode.UnsupportedMediaType,
    `document ${JSON.stringify(source)} has media type ${JSON.stringify(declared)}; supported: ${MARKDOWN}, ${PLAIN_TEXT}`,
  );
}
