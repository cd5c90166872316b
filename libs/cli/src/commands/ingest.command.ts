import { Retrieval } from '@llmops/contracts';
import { createGrpcClient } from '@llmops/grpc';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { CliTarget } from './cli-context';

const MEDIA_TYPES: Record<string, string> = { '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain' };

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

/** Reads text and Markdown files here and sends them to the retrieval service, with progress. */
export async function ingest(target: CliTarget, path: string, options: { collection: string; tenant: string }): Promise<{ chunks: number; documents: number }> {
  const root = resolve(path);
  const files: string[] = [];
  collect(root, files);
  if (files.length === 0) throw new Error(`no .md, .markdown or .txt files under ${path}`);
  const base = statSync(root).isDirectory() ? root : resolve(root, '..');
  const documents = files.map((file) => ({
    source: relative(target.repoRoot, file).startsWith('..') ? relative(base, file) : relative(target.repoRoot, file),
    content: readFileSync(file, 'utf8'),
    mediaType: MEDIA_TYPES[extname(file).toLowerCase()] ?? 'text/plain',
  }));
  const retrieval = createGrpcClient(Retrieval, target.addresses.retrieval);
  let chunks = 0;
  try {
    for await (const progress of retrieval.ingest(
      { context: { tenantId: options.tenant }, collection: options.collection, documents },
      { timeoutMs: 10 * 60_000 },
    )) {
      chunks = progress.chunksWritten;
      const bar = '█'.repeat(Math.round((20 * progress.documentsDone) / Math.max(1, progress.documentsTotal))).padEnd(20, '░');
      process.stderr.write(`\r${bar} ${progress.documentsDone}/${progress.documentsTotal} documents, ${progress.chunksWritten} chunks, ${progress.documentsSkipped} unchanged`);
    }
    process.stderr.write('\n');
  } finally {
    retrieval.close();
  }
  console.log(`ingested ${documents.length} documents into collection "${options.collection}" (${chunks} chunks written)`);
  return { chunks, documents: documents.length };
}
