import type { TextEmbedder } from '@llmops/embeddings';
import type { ChunkStore, ChunkToStore } from '../store/chunk-store';
import { canonicalCollectionName, requireTenantId } from '../store/collection-name';
import type { DocumentParser, IngestDocumentInput, ParsedDocument } from './document-parser';
import type { MarkdownChunker } from './markdown-chunker';
import { MinHasher } from './minhash';
import type { TokenCounter } from './token-counter';

export type { IngestDocumentInput } from './document-parser';

export interface IngestProgress {
  readonly documentsDone: number;
  readonly documentsTotal: number;
  readonly chunksWritten: number;
  /** Documents whose content was unchanged since their last ingestion. */
  readonly documentsSkipped: number;
  /** Chunks not stored because a near-identical chunk of another document is already indexed. */
  readonly chunksDeduplicated: number;
  readonly chunksTotal: number;
  /** Documents deleted because `prunePrefix` covered them and the run did not include them. */
  readonly documentsPruned: number;
  readonly currentSource: string;
  readonly done: boolean;
}

/** Awaited before the next document, so a slow consumer (a gRPC stream) applies back-pressure. */
export type IngestProgressListener = (progress: IngestProgress) => void | Promise<void>;

export interface IngestionDependencies {
  readonly store: ChunkStore;
  readonly parser: DocumentParser;
  /** The chunker configured for a collection (sizes differ per collection). */
  readonly chunkerFor: (collection: string) => MarkdownChunker;
  /** Counts each stored chunk's tokens once, for context assembly at search time. */
  readonly tokens: TokenCounter;
  /** Undefined: keyword-only collections. */
  readonly embedder?: TextEmbedder;
  /** Called after a collection changed (to drop cached search results). */
  readonly onCollectionChanged?: (tenantId: string, collection: string) => void;
  /** Text redaction applied to every chunk before it is embedded and stored, when the collection asks for it. */
  readonly redactorFor?: (collection: string) => ((tenantId: string, source: string, texts: string[]) => Promise<string[]>) | undefined;
}

/** Shared LSH band keys with a stored chunk above which a chunk counts as a near-duplicate (~Jaccard 0.8). */
const MIN_SHARED_BANDS = 6;
/** MinHash similarity above which two chunks of one ingestion run count as near-duplicates. */
const RUN_DUPLICATE_SIMILARITY = 0.8;
/**
 * Shorter chunks are never dropped as duplicates: on a dozen words one differing word (a host
 * name, a version) already leaves Jaccard above 0.8, and such chunks differ in what matters.
 */
const MIN_DEDUPLICATED_WORDS = 20;

/**
 * Ingests documents into a tenant's collection: unchanged documents (same content hash as
 * stored) are skipped, changed ones are re-chunked and replace their previous chunks, chunks
 * nearly identical to one of another document are dropped (MinHash/LSH), and the rest are
 * embedded and stored. The listener hears once per document and once more with done = true.
 */
export class IngestionService {
  private readonly minHasher = new MinHasher();

  constructor(private readonly deps: IngestionDependencies) {}

  async ingest(
    tenantId: string,
    collection: string,
    documents: readonly IngestDocumentInput[],
    onProgress?: IngestProgressListener,
    signal?: AbortSignal,
    options: { prunePrefix?: string } = {},
  ): Promise<IngestProgress> {
    requireTenantId(tenantId);
    const name = canonicalCollectionName(collection);
    this.deps.parser.validate(documents);

    const counts = { documentsDone: 0, documentsSkipped: 0, chunksWritten: 0, chunksDeduplicated: 0, chunksTotal: 0, documentsPruned: 0 };
    const seen = new Set<string>();
    let documentsTotal = documents.length;
    const progress = (currentSource: string, done: boolean): IngestProgress => ({ ...counts, documentsTotal, currentSource, done });
    const runSignatures = new Map<string, { source: string; signature: Uint32Array }[]>();
    let changed = false;

    try {
      for (const input of documents) {
        signal?.throwIfAborted();
        const parsed = await this.deps.parser.parse(input);
        // A JSONL file counts as the records it holds.
        documentsTotal += parsed.length - 1;
        for (const document of parsed) {
          signal?.throwIfAborted();
          seen.add(document.source);
          if ((await this.deps.store.documentHash(tenantId, name, document.source)) === document.contentHash) {
            counts.documentsSkipped++;
          } else {
            changed = true;
            const chunks = await this.chunksOf(tenantId, name, document, runSignatures);
            counts.chunksTotal += chunks.total;
            counts.chunksDeduplicated += chunks.total - chunks.kept.length;
            counts.chunksWritten += await this.deps.store.upsertDocumentChunks(
              tenantId,
              name,
              {
                source: document.source,
                contentHash: document.contentHash,
                mediaType: document.mediaType,
                tags: document.tags,
                access: document.access,
                updatedAt: document.updatedAt ?? new Date(),
              },
              chunks.kept,
            );
          }
          counts.documentsDone++;
          await onProgress?.(progress(document.source, false));
        }
      }
      // Only after every document went in: a run that failed half-way deletes nothing.
      if (options.prunePrefix !== undefined) {
        for (const source of await this.deps.store.listSources(tenantId, name, options.prunePrefix)) {
          if (seen.has(source)) continue;
          signal?.throwIfAborted();
          await this.deps.store.deleteDocument(tenantId, name, source);
          counts.documentsPruned++;
          changed = true;
        }
      }
    } finally {
      // Also after a failure or cancellation: whatever was written should be indexed and visible.
      if (changed) {
        await this.deps.store.refreshIndexes(tenantId, name);
        this.deps.onCollectionChanged?.(tenantId, name);
      }
    }
    const final = progress('', true);
    await onProgress?.(final);
    return final;
  }

  async deleteDocument(tenantId: string, collection: string, source: string): Promise<number> {
    const name = canonicalCollectionName(collection);
    const deleted = await this.deps.store.deleteDocument(tenantId, name, source);
    if (deleted > 0) this.deps.onCollectionChanged?.(tenantId, name);
    return deleted;
  }

  private async chunksOf(
    tenantId: string,
    collection: string,
    document: ParsedDocument,
    runSignatures: Map<string, { source: string; signature: Uint32Array }[]>,
  ): Promise<{ kept: ChunkToStore[]; total: number }> {
    const chunker = this.deps.chunkerFor(collection);
    let drafts = document.parts.flatMap((part) =>
      chunker
        .chunk({ source: document.source, mediaType: part.mediaType, content: part.content })
        .map((chunk) => ({ title: document.title ?? chunk.title, section: chunk.section, text: chunk.text, page: part.page })),
    );
    const redact = this.deps.redactorFor?.(collection);
    if (redact && drafts.length > 0) {
      const texts = await redact(tenantId, document.source, drafts.map((draft) => draft.text));
      drafts = drafts.map((draft, index) => ({ ...draft, text: texts[index] }));
    }
    const signed = drafts.map((draft) => {
      const signature = this.minHasher.signature(draft.text);
      return { ...draft, signature, lshBands: this.minHasher.bandKeys(signature) };
    });
    const stored = await this.deps.store.existingLshBands(
      tenantId,
      collection,
      signed.flatMap((chunk) => chunk.lshBands),
      document.source,
    );
    const kept = signed.filter((chunk) => {
      if (wordCount(chunk.text) < MIN_DEDUPLICATED_WORDS) return true;
      const sharedWithStored = chunk.lshBands.filter((band) => stored.has(band)).length;
      if (sharedWithStored >= MIN_SHARED_BANDS) return false;
      const candidates = chunk.lshBands.flatMap((band) => runSignatures.get(band) ?? []);
      if (candidates.some((other) => other.source !== document.source && MinHasher.similarity(other.signature, chunk.signature) >= RUN_DUPLICATE_SIMILARITY)) {
        return false;
      }
      for (const band of chunk.lshBands) {
        const entries = runSignatures.get(band) ?? [];
        entries.push({ source: document.source, signature: chunk.signature });
        runSignatures.set(band, entries);
      }
      return true;
    });
    const vectors = this.deps.embedder && kept.length > 0 ? await this.deps.embedder.embed(kept.map(embeddingText)) : undefined;
    return {
      total: drafts.length,
      kept: kept.map((chunk, index) => ({
        title: chunk.title,
        section: chunk.section,
        text: chunk.text,
        page: chunk.page,
        lshBands: chunk.lshBands,
        tokens: this.deps.tokens.count(chunk.text.trim()),
        ...(vectors ? { vector: vectors[index] } : {}),
      })),
    };
  }
}

function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/** What the embedder sees: the heading path gives short chunks the context their words lack. */
export function embeddingText(chunk: { title: string; section: string; text: string }): string {
  const heading = chunk.section.startsWith(chunk.title) ? chunk.section : [chunk.title, chunk.section].filter(Boolean).join(' > ');
  return heading ? `${heading}\n${chunk.text}` : chunk.text;
}
