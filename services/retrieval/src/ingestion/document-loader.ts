import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';
import { mediaTypeForPath, PDF, SUPPORTED_EXTENSIONS, type SupportedMediaType } from './media-type';

export interface LoadedDocument {
  /** Path relative to the loader's root, with '/' separators: the citation users see. */
  readonly source: string;
  readonly mediaType: SupportedMediaType;
  readonly content: string;
  /** PDF files only. */
  readonly bytes?: Uint8Array;
  /** The file's modification time. */
  readonly updatedAt: Date;
}

export interface DocumentLoaderOptions {
  /** Only files under this directory may be read; sources are relative to it. */
  readonly root: string;
  /** Files larger than this are refused rather than read into memory. Default 10 MiB. */
  readonly maxFileBytes?: number;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist']);
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Reads Markdown, text, HTML, PDF and JSONL files from the service's disk, walking directories recursively
 * (skipping node_modules, dist and hidden entries). Paths are confined to the root so that an
 * Ingest request cannot read arbitrary files, symbolic links included.
 */
export class DocumentLoader {
  private readonly maxFileBytes: number;

  constructor(private readonly options: DocumentLoaderOptions) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** Documents under the given files or directories (relative to the root, or absolute inside it), sorted by source. */
  async load(paths: readonly string[]): Promise<LoadedDocument[]> {
    const root = await realpath(resolve(this.options.root));
    const files = new Set<string>();
    for (const path of paths) {
      for (const file of await this.filesUnder(root, path)) files.add(file);
    }
    const documents: LoadedDocument[] = [];
    for (const file of files) documents.push(await this.read(root, file));
    return documents.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }

  private async filesUnder(root: string, path: string): Promise<string[]> {
    const requested = isAbsolute(path) ? path : resolve(root, path);
    let real: string;
    try {
      real = await realpath(requested);
    } catch {
      throw new RetrievalException(RetrievalErrorCode.PathNotFound, `path ${JSON.stringify(path)} does not exist`);
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw new RetrievalException(
        RetrievalErrorCode.PathOutsideRoot,
        `path ${JSON.stringify(path)} is outside the ingestion root ${root}`,
      );
    }
    const info = await stat(real);
    if (info.isFile()) {
      // A file named explicitly must be one we can parse; one found by walking is just skipped.
      if (!mediaTypeForPath(real)) {
        throw new RetrievalException(
          RetrievalErrorCode.UnsupportedMediaType,
          `file ${JSON.stringify(path)} is not one of ${SUPPORTED_EXTENSIONS.join(', ')}`,
        );
      }
      return [real];
    }
    return info.isDirectory() ? this.walk(root, real) : [];
  }

  private async walk(root: string, directory: string): Promise<string[]> {
    const files: string[] = [];
    const entries = await readdir(directory, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await this.walk(root, path)));
      } else if (entry.isFile() && mediaTypeForPath(entry.name)) {
        files.push(path);
      } else if (entry.isSymbolicLink() && mediaTypeForPath(entry.name)) {
        // Followed only when the target stays inside the root; links to directories are not walked (no cycles).
        const target = await realpath(path).catch(() => undefined);
        if (target?.startsWith(root + sep) && mediaTypeForPath(target) && (await stat(target)).isFile()) files.push(target);
      }
    }
    return files;
  }

  private async read(root: string, file: string): Promise<LoadedDocument> {
    const source = relative(root, file).split(sep).join('/');
    const { size, mtime } = await stat(file);
    if (size > this.maxFileBytes) {
      throw new RetrievalException(
        RetrievalErrorCode.DocumentTooLarge,
        `file ${JSON.stringify(source)} is ${size} bytes; the limit is ${this.maxFileBytes}`,
      );
    }
    const mediaType = mediaTypeForPath(file)!;
    if (mediaType === PDF) return { source, mediaType, content: '', bytes: new Uint8Array(await readFile(file)), updatedAt: mtime };
    const content = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    return { source, mediaType, content, updatedAt: mtime };
  }
}
