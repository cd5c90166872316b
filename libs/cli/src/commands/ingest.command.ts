import { Retrieval, type IngestProgress } from '@llmops/contracts';
import { createGrpcClient } from '@llmops/grpc';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { CliTarget } from './cli-context';

const MEDIA_TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.pdf': 'application/pdf',
  '.jsonl': 'application/x-ndjson',
  '.ndjson': 'application/x-ndjson',
};

function collect(path: string, into: string[]): void {
  const stats = statSync(path);
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry.startsWith('.') || entry === 'node_modules' || entry === 'dist') continue;
      collect(join(path, entry), into);
    }
  } else if (MEDIA_TYPES[extname(path).toLowerCase()]) {
    into.push(path);
  }
}

/** One line of the progress display: a bar over documents, then what was written, skipped and deduplicated. */
export function progressLine(progress: IngestProgress, width = 24): string {
  const total = Math.max(1, progress.documentsTotal);
  const filled = Math.min(width, Math.round((width * progress.documentsDone) / total));
  const percent = Math.floor((100 * progress.documentsDone) / total);
  const current = progress.currentSource ? `  ${progress.currentSource.length > 40 ? `…${progress.currentSource.slice(-39)}` : progress.currentSource}` : '';
  return (
    `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${String(percent).padStart(3)}% ` +
    `${progress.documentsDone}/${progress.documentsTotal} documents, ${progress.chunksWritten} chunks, ` +
    `${progress.documentsSkipped} unchanged, ${progress.chunksDeduplicated} duplicates${current}`
  );
}

/** Reads Markdown, text, HTML, PDF and JSONL files here and sends them to the retrieval service, with a progress bar from the stream. */
export async function ingest(
  target: CliTarget,
  path: string,
  options: { collection: string; tenant: string; prune?: boolean },
): Promise<{ chunks: number; documents: number; pruned: number }> {
  const root = resolve(path);
  const files: string[] = [];
  collect(root, files);
  if (files.length === 0) throw new Error(`no ${Object.keys(MEDIA_TYPES).join(', ')} files under ${path}`);
  const directory = statSync(root).isDirectory();
  if (options.prune && !directory) throw new Error('--prune needs a directory: it deletes what is no longer in it');
  const base = directory ? root : resolve(root, '..');
  // Inside the repository a source is its path from the repository root, else from the directory.
  const sourceOf = (file: string) => (relative(target.repoRoot, file).startsWith('..') ? relative(base, file) : relative(target.repoRoot, file));
  const prunePrefix = relative(target.repoRoot, root).startsWith('..') ? '' : `${relative(target.repoRoot, root)}/`;
  const documents = files.map((file) => {
    const mediaType = MEDIA_TYPES[extname(file).toLowerCase()] ?? 'text/plain';
    const binary = mediaType === 'application/pdf';
    return {
      source: sourceOf(file),
      content: binary ? '' : readFileSync(file, 'utf8'),
      ...(binary ? { contentBytes: new Uint8Array(readFileSync(file)) } : {}),
      mediaType,
      updatedAtMs: BigInt(Math.floor(statSync(file).mtimeMs)),
    };
  });
  const retrieval = createGrpcClient(Retrieval, target.addresses.retrieval);
  let last: IngestProgress | undefined;
  const interactive = process.stderr.isTTY === true;
  try {
    for await (const progress of retrieval.ingest(
      { context: { tenantId: options.tenant }, collection: options.collection, documents, ...(options.prune ? { prunePrefix } : {}) },
      { timeoutMs: 30 * 60_000 },
    )) {
      last = progress;
      // A terminal gets one line redrawn in place; a log gets a line per tenth of the work.
      if (interactive) process.stderr.write(`\r\x1b[2K${progressLine(progress)}`);
      else if (progress.done || progress.documentsDone % Math.max(1, Math.ceil(progress.documentsTotal / 10)) === 0) process.stderr.write(`${progressLine(progress)}\n`);
    }
    if (interactive) process.stderr.write('\n');
  } finally {
    retrieval.close();
  }
  const chunks = last?.chunksWritten ?? 0;
  const pruned = last?.documentsPruned ?? 0;
  console.log(
    `ingested ${last?.documentsTotal ?? documents.length} documents into collection "${options.collection}" (${chunks} chunks written` +
      `${options.prune ? `; ${pruned} document${pruned === 1 ? '' : 's'} no longer in ${path} deleted` : ''})`,
  );
  return { chunks, documents: documents.length, pruned };
}
