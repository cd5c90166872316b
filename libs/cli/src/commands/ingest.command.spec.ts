import { create } from '@bufbuild/protobuf';
import { IngestProgressSchema } from '@llmops/contracts';
import { progressLine } from './ingest.command';

describe('llmops ingest progress line', () => {
  it('draws the bar from the stream’s progress counts', () => {
    const line = progressLine(
      create(IngestProgressSchema, { documentsDone: 5, documentsTotal: 20, chunksWritten: 42, documentsSkipped: 3, chunksDeduplicated: 2, currentSource: 'docs/a.md' }),
      20,
    );
    expect(line).toBe('█████░░░░░░░░░░░░░░░  25% 5/20 documents, 42 chunks, 3 unchanged, 2 duplicates  docs/a.md');
  });

  it('fills the bar when done and shortens long sources from the left', () => {
    const done = progressLine(create(IngestProgressSchema, { documentsDone: 3, documentsTotal: 3, done: true }), 10);
    expect(done.startsWith('██████████ 100% 3/3 documents')).toBe(true);
    const long = progressLine(create(IngestProgressSchema, { documentsDone: 0, documentsTotal: 0, currentSource: `${'x'.repeat(60)}/end.md` }), 4);
    expect(long.endsWith(`…${'x'.repeat(32)}/end.md`)).toBe(true);
    expect(long).toContain('░░░░   0% 0/0');
  });
});
