import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Guardrails } from '@llmops/contracts';
import { GuardrailsRedactor } from '../src/redaction/guardrails.redactor';
import { createRetrievalComponents } from '../src/retrieval.module';
import { LanceChunkStore } from '../src/store/lance-chunk.store';
import { RetrievalErrorCode } from '../src/store/retrieval.exception';
import { startBuiltService, type BuiltService } from './factories/built-service';

const REPOSITORY_CONFIG = resolve(__dirname, '../../../llmops.yaml');

describe('PII redaction before indexing, through the real guardrails service (built dist/)', () => {
  let work: string;
  let guardrails: BuiltService<typeof Guardrails>;
  let store: LanceChunkStore;
  let components: ReturnType<typeof createRetrievalComponents>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'retrieval-pii-'));
    guardrails = await startBuiltService('guardrails', Guardrails, { LLMOPS_CONFIG: REPOSITORY_CONFIG, LLMOPS_STATE_DIR: work }, work);
    store = new LanceChunkStore({ directory: join(work, 'lancedb') });
    const chunking = { targetTokens: 384, maxTokens: 512, overlapTokens: 58 };
    components = createRetrievalComponents(
      { ingestRoot: work, collection: (name) => ({ chunking, pii: name === 'private' ? 'redact' : 'off' }) },
      { store, redactor: new GuardrailsRedactor(guardrails.client) },
    );
  });

  afterAll(async () => {
    await store?.close();
    await guardrails?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const document = {
    source: 'crm/notes.md',
    content: '# Customer notes\n\nCall Jane back at jane.doe@example.com about the invoice dispute before Friday.',
  };
  const texts = async (collection: string, query: string) =>
    (await components.searches.search({ tenantId: 'acme', collection, query, topK: 5 })).passages.map((p) => p.text);

  it('stores redacted text in a collection whose policy says redact, and the original elsewhere', async () => {
    await components.ingestion.ingest('acme', 'private', [document]);
    await components.ingestion.ingest('acme', 'plain', [document]);

    const [redacted] = await texts('private', 'invoice dispute');
    expect(redacted).toContain('invoice dispute');
    expect(redacted).not.toContain('jane.doe@example.com');
    expect(await texts('private', 'jane.doe@example.com')).not.toContainEqual(expect.stringContaining('jane.doe@example.com'));
    expect((await texts('plain', 'invoice dispute'))[0]).toContain('jane.doe@example.com');
  });

  it('fails the ingestion clearly when the guardrails service cannot be reached', async () => {
    const unreachable = createRetrievalComponents(
      { ingestRoot: work, collection: () => ({ chunking: { targetTokens: 384, maxTokens: 512, overlapTokens: 58 }, pii: 'redact' }) },
      { store },
    );
    await expect(unreachable.ingestion.ingest('acme', 'private2', [document])).rejects.toMatchObject({ code: RetrievalErrorCode.RedactionFailure });
    expect(await texts('private2', 'invoice')).toEqual([]);
  });
});
