import 'reflect-metadata';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Retrieval, SearchMode, type IngestProgress } from '@llmops/contracts';
import { loadServiceEnvironment } from '@llmops/config';
import { createGrpcClient, ErrorCode, PlatformError, startGrpcService, type GrpcClient, type GrpcServiceHandle } from '@llmops/grpc';
import { EventPublisher } from '@llmops/kafka';
import type { ServiceRuntime } from '@llmops/runtime';
import { createJsonLogger, LlmopsAttributes } from '@llmops/telemetry';
import { loadRetrievalConfig } from '../src/config/retrieval.config';
import { RetrievalModule } from '../src/retrieval.module';
import { LanceChunkStore } from '../src/store/lance-chunk.store';

const REPOSITORY_CONFIG = resolve(__dirname, '../../../llmops.yaml');

const FILES: Record<string, string> = {
  'runbooks/database-failover.md': `# Database Failover

When the primary PostgreSQL node stops answering, promote the replica.

## Promote the replica

Run \`pg_ctl promote\` on the standby and repoint PgBouncer at it.

## Verify replication lag

Check that replication lag is below five seconds before sending writes.
`,
  'runbooks/certificate-rotation.md': `# Certificate Rotation

TLS certificates expire every ninety days. Renew them with certbot and reload nginx.
`,
};

const INLINE = [
  {
    source: 'https://wiki.example.com/oncall',
    mediaType: 'text/markdown',
    content: '# On-call\n\n## Paging policy\n\nThe secondary engineer is paged after fifteen minutes without acknowledgement.\n',
  },
  {
    source: 'notes/espresso.md',
    mediaType: '',
    content: '# Kitchen\n\n## Espresso machine\n\nDescale the espresso machine every Friday afternoon.\n',
  },
];

async function collect(stream: AsyncIterable<IngestProgress>): Promise<IngestProgress[]> {
  const messages: IngestProgress[] = [];
  for await (const message of stream) messages.push(message);
  return messages;
}

async function failureOf(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('Retrieval gRPC service over a real socket (real LanceDB, real files, real Kafka publisher)', () => {
  const spans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  let work: string;
  let ingestRoot: string;
  let events: EventPublisher;
  let store: LanceChunkStore;
  let handle: GrpcServiceHandle;
  let client: GrpcClient<typeof Retrieval>;

  beforeAll(async () => {
    provider.register();
    work = await mkdtemp(join(tmpdir(), 'retrieval-grpc-'));
    ingestRoot = join(work, 'corpus');
    for (const [path, content] of Object.entries(FILES)) {
      await mkdir(dirname(join(ingestRoot, path)), { recursive: true });
      await writeFile(join(ingestRoot, path), content);
    }
    await writeFile(join(work, 'outside.md'), '# Outside\n\nsecret text beyond the ingest root');

    const env = {
      LLMOPS_CONFIG: REPOSITORY_CONFIG,
      LLMOPS_STATE_DIR: work,
      LLMOPS_RETRIEVAL_DATA_DIR: join(work, 'lancedb'),
      RETRIEVAL_INGEST_ROOT: ingestRoot,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    };
    const config = loadRetrievalConfig(env);
    expect(config).toMatchObject({ dataDir: join(work, 'lancedb'), ingestRoot });

    events = new EventPublisher({
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      clientId: 'llmops-retrieval-test',
      outboxDir: join(work, 'outbox'),
    });
    await events.start();
    const runtime: ServiceRuntime = {
      environment: loadServiceEnvironment('retrieval', env),
      events,
      logger: createJsonLogger('retrieval', 'silent'),
    };
    store = new LanceChunkStore({ directory: config.dataDir });
    // Keyword-only here (no embedder); dense and hybrid search over gRPC are in dense-search.spec.ts.
    handle = await startGrpcService(RetrievalModule.forRoot(runtime, config, { store }), { address: '127.0.0.1:0', services: [Retrieval] });
    client = createGrpcClient(Retrieval, `127.0.0.1:${handle.port}`);
  });

  afterAll(async () => {
    client?.close();
    // Closing the application closes the store (RetrievalModule's shutdown hook).
    await handle?.app.close();
    await events?.close();
    await provider.shutdown();
    trace.disable();
    await rm(work, { recursive: true, force: true });
  });

  const acme = { tenantId: 'acme', requestId: 'req-1' };

  it('streams one progress message per document and a final one, then finds the right source and section', async () => {
    const progress = await collect(
      client.ingest({ context: acme, collection: 'handbook', documents: INLINE, paths: ['runbooks'] }, { timeoutMs: 30_000 }),
    );

    expect(progress.map((p) => [p.documentsDone, p.documentsTotal, p.currentSource, p.done])).toEqual([
      [1, 4, 'https://wiki.example.com/oncall', false],
      [2, 4, 'notes/espresso.md', false],
      [3, 4, 'runbooks/certificate-rotation.md', false],
      [4, 4, 'runbooks/database-failover.md', false],
      [4, 4, '', true],
    ]);
    const final = progress[progress.length - 1];
    expect(final.chunksWritten).toBeGreaterThanOrEqual(4);
    expect(final.documentsSkipped).toBe(0);

    const expectations: [string, string, string][] = [
      ['how do I promote the postgres replica', 'runbooks/database-failover.md', 'Database Failover > Promote the replica'],
      ['replication lag before writes', 'runbooks/database-failover.md', 'Database Failover > Verify replication lag'],
      ['when is the secondary engineer paged', 'https://wiki.example.com/oncall', 'On-call > Paging policy'],
      ['descale espresso', 'notes/espresso.md', 'Kitchen > Espresso machine'],
    ];
    for (const [query, source, section] of expectations) {
      const { passages } = await client.search({ context: acme, collection: 'handbook', query, topK: 3 });
      expect({ query, source: passages[0]?.source, section: passages[0]?.section }).toEqual({ query, source, section });
      expect(passages[0].score).toBeGreaterThan(0);
      expect(passages[0].chunkId).toMatch(/^[0-9a-f]{32}$/);
      expect(passages[0].text.length).toBeGreaterThan(0);
    }

    // Same content again: every document is skipped, still one message each.
    const again = await collect(client.ingest({ context: acme, collection: 'handbook', documents: INLINE, paths: ['runbooks'] }));
    expect(again).toHaveLength(5);
    expect(again[4]).toMatchObject({ done: true, documentsSkipped: 4, chunksWritten: 0 });
  });

  it('records the collection and passage count on the Search server span', async () => {
    spans.reset();
    const { passages } = await client.search({ context: acme, collection: 'handbook', query: 'certificates certbot', topK: 0 });
    expect(passages.length).toBeGreaterThan(0);
    expect(passages.length).toBeLessThanOrEqual(5);

    const server = spans.getFinishedSpans().find((span) => span.name === 'llmops.v1.Retrieval/Search' && span.kind === 1);
    expect(server?.attributes).toMatchObject({
      [LlmopsAttributes.collection]: 'handbook',
      [LlmopsAttributes.passages]: passages.length,
      [LlmopsAttributes.tenantId]: 'acme',
    });
  });

  it('keeps tenants apart through gRPC: search, ingest and delete only ever touch the caller’s tenant', async () => {
    const other = { tenantId: 'globex' };
    expect((await client.search({ context: other, collection: 'handbook', query: 'promote replica', topK: 10 })).passages).toEqual([]);

    await collect(
      client.ingest({
        context: other,
        collection: 'handbook',
        documents: [{ source: 'runbooks/database-failover.md', content: '# Globex failover\n\nGlobex uses zookeeper elections.' }],
      }),
    );
    expect((await client.search({ context: acme, collection: 'handbook', query: 'zookeeper elections' })).passages).toEqual([]);
    const own = await client.search({ context: other, collection: 'handbook', query: 'zookeeper elections' });
    expect(own.passages.map((p) => p.source)).toEqual(['runbooks/database-failover.md']);

    // Globex deleting "its" copy of the same source leaves acme's document alone.
    const globexDeleted = await client.deleteDocument({ context: other, collection: 'handbook', source: 'runbooks/database-failover.md' });
    expect(globexDeleted.chunksDeleted).toBe(1);
    const acmeHits = await client.search({ context: acme, collection: 'handbook', query: 'promote replica' });
    expect(acmeHits.passages[0]?.source).toBe('runbooks/database-failover.md');

    const acmeDeleted = await client.deleteDocument({ context: acme, collection: 'handbook', source: 'runbooks/database-failover.md' });
    expect(acmeDeleted.chunksDeleted).toBeGreaterThanOrEqual(1);
    const afterDelete = await client.search({ context: acme, collection: 'handbook', query: 'promote replica pg_ctl' });
    expect(afterDelete.passages.map((p) => p.source)).not.toContain('runbooks/database-failover.md');
  });

  it('answers a bad collection name with invalid_request on every method', async () => {
    const search = await failureOf(client.search({ context: acme, collection: '../etc', query: 'x' }));
    expect(search.code).toBe(ErrorCode.InvalidRequest);
    expect(search.message).toMatch(/invalid collection name/);

    const ingest = await failureOf(collect(client.ingest({ context: acme, collection: 'Bad Name!', documents: INLINE })));
    expect(ingest.code).toBe(ErrorCode.InvalidRequest);

    const deletion = await failureOf(client.deleteDocument({ context: acme, collection: 'dots.in.name', source: 'a.md' }));
    expect(deletion.code).toBe(ErrorCode.InvalidRequest);
  });

  it('requires a tenant in the request context', async () => {
    const noContext = await failureOf(client.search({ collection: 'handbook', query: 'replica' }));
    expect(noContext.code).toBe(ErrorCode.InvalidRequest);
    expect(noContext.message).toMatch(/tenant/);
    const blank = await failureOf(collect(client.ingest({ context: { tenantId: '  ' }, collection: 'handbook', paths: ['runbooks'] })));
    expect(blank.code).toBe(ErrorCode.InvalidRequest);
  });

  it('refuses paths outside the ingest root and missing paths, writing nothing of the request', async () => {
    const canary = { source: 'canary.md', content: '# Canary\n\nthe word marmalade appears only here' };

    const relative = await failureOf(collect(client.ingest({ context: acme, collection: 'handbook', documents: [canary], paths: ['../outside.md'] })));
    expect(relative.code).toBe(ErrorCode.PermissionDenied);
    const absolute = await failureOf(collect(client.ingest({ context: acme, collection: 'handbook', paths: [join(work, 'outside.md')] })));
    expect(absolute.code).toBe(ErrorCode.PermissionDenied);
    const missing = await failureOf(collect(client.ingest({ context: acme, collection: 'handbook', documents: [canary], paths: ['nope.md'] })));
    expect(missing.code).toBe(ErrorCode.NotFound);
    const unsupported = await failureOf(
      collect(client.ingest({ context: acme, collection: 'handbook', documents: [{ source: 'x.doc', mediaType: 'application/msword', content: 'x' }] })),
    );
    expect(unsupported.code).toBe(ErrorCode.InvalidRequest);
    const empty = await failureOf(collect(client.ingest({ context: acme, collection: 'handbook' })));
    expect(empty.code).toBe(ErrorCode.InvalidRequest);

    expect((await client.search({ context: acme, collection: 'handbook', query: 'marmalade' })).passages).toEqual([]);
    expect((await client.search({ context: acme, collection: 'handbook', query: 'secret text beyond' })).passages).toEqual([]);
  });

  it('stops ingesting when the caller cancels the stream', async () => {
    const documents = Array.from({ length: 40 }, (_, i) => ({ source: `bulk/n${i}.md`, content: `# Note ${i}\n\nquokka fact number ${i}` }));
    const controller = new AbortController();
    const seen: IngestProgress[] = [];
    const failure = await failureOf(
      (async () => {
        for await (const message of client.ingest({ context: acme, collection: 'cancelled', documents }, { signal: controller.signal })) {
          seen.push(message);
          if (seen.length === 2) controller.abort();
        }
      })(),
    );
    expect(failure.code).toBe(ErrorCode.Cancelled);
    expect(seen.length).toBeLessThan(documents.length);

    // A server that ignored the cancellation writes ~10 documents a second here; one that obeys
    // it stops after the document in flight, whatever the wait.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { passages } = await client.search({ context: acme, collection: 'cancelled', query: 'quokka', topK: 50 });
    expect(passages.length).toBeGreaterThanOrEqual(seen.length);
    expect(passages.length).toBeLessThanOrEqual(seen.length + 2);
  });

  it('filters by tags and access lists, assembles a cited context, and reports the mode used', async () => {
    await collect(
      client.ingest({
        context: acme,
        collection: 'filtered',
        documents: [
          { source: 'public.md', content: '# Lunch\n\n## Menu\n\nThe canteen serves falafel on Tuesdays.', tags: ['food'] },
          { source: 'hr.md', content: '# HR\n\n## Pay\n\nFalafel allowance is part of the salary review.', tags: ['hr'], access: ['group:hr'] },
        ],
      }),
    );
    const search = (extra: Record<string, unknown>) => client.search({ context: acme, collection: 'filtered', query: 'falafel', topK: 5, ...extra });
    expect((await search({})).passages.map((p) => p.source)).toEqual(['public.md']);
    expect((await search({ principals: ['user:ann', 'group:hr'] })).passages.map((p) => p.source).sort()).toEqual(['hr.md', 'public.md']);
    expect((await search({ principals: ['group:hr'], filter: { tagsAny: ['hr'] } })).passages.map((p) => p.source)).toEqual(['hr.md']);

    const withContext = await search({ contextTokenBudget: 200 });
    expect(withContext.mode).toBe(SearchMode.KEYWORD);
    expect(withContext.nothingRelevant).toBe(false);
    expect(withContext.passages[0]).toMatchObject({ source: 'public.md', title: 'Lunch', section: 'Lunch > Menu', citation: 1, tags: ['food'], page: 0 });
    expect(withContext.context).toBe('[1] public.md § Lunch > Menu\nThe canteen serves falafel on Tuesdays.');
    expect(withContext.contextTokens).toBeGreaterThan(5);

    const nothing = await search({ query: 'quantum chromodynamics' });
    expect(nothing).toMatchObject({ passages: [], nothingRelevant: true });
    // Dense search needs an embedder; this server has none.
    const dense = await failureOf(search({ mode: SearchMode.DENSE }));
    expect(dense.code).toBe(ErrorCode.Unavailable);
    expect(dense.message).toMatch(/embedder/);
  });

  it('serves a repeated query from the cache until the collection changes', async () => {
    const query = { context: acme, collection: 'cached', query: 'Heron  sightings?', topK: 5 };
    await collect(client.ingest({ context: acme, collection: 'cached', documents: [{ source: 'a.md', content: '# Birds\n\nheron sightings by the lake' }] }));
    expect((await client.search(query)).cached).toBe(false);
    const again = await client.search({ ...query, query: 'heron sightings' });
    expect(again.cached).toBe(true);
    expect(again.passages.map((p) => p.source)).toEqual(['a.md']);
    await collect(client.ingest({ context: acme, collection: 'cached', documents: [{ source: 'b.md', content: '# More\n\nheron sightings at dawn' }] }));
    const fresh = await client.search(query);
    expect(fresh.cached).toBe(false);
    expect(fresh.passages.map((p) => p.source).sort()).toEqual(['a.md', 'b.md']);
    await client.deleteDocument({ context: acme, collection: 'cached', source: 'b.md' });
    expect((await client.search(query)).passages.map((p) => p.source)).toEqual(['a.md']);
  });
});
