import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiskOutbox, OutboxLockedError, type OutboxRecord } from './disk-outbox';

function record(n: number, size = 10): OutboxRecord {
  return {
    topic: 'llmops.usage.v1',
    key: n % 2 === 0 ? `tenant-${n}` : null,
    value: Buffer.alloc(size, n % 256),
    headers: { 'content-type': 'application/x-protobuf', seq: String(n) },
    timestampMs: 1_700_000_000_000 + n,
  };
}

async function drainAll(outbox: DiskOutbox, batch = 7): Promise<OutboxRecord[]> {
  const all: OutboxRecord[] = [];
  for (;;) {
    const records = await outbox.peek(batch);
    if (records.length === 0) return all;
    all.push(...records);
    await outbox.ack(records.length);
  }
}

describe('DiskOutbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'outbox-spec-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('returns records in append order across segments and deletes acknowledged segments', async () => {
    const outbox = await DiskOutbox.open({ dir, segmentBytes: 300 });
    for (let i = 0; i < 50; i += 5) await outbox.append([0, 1, 2, 3, 4].map((j) => record(i + j)));
    expect(outbox.depth).toBe(50);
    const segmentsBefore = (await fs.readdir(dir)).filter((name) => name.startsWith('segment-'));
    expect(segmentsBefore.length).toBeGreaterThan(3);

    const drained = await drainAll(outbox);
    expect(drained.map((r) => r.headers.seq)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(drained[3]).toEqual(record(3));
    expect(outbox.depth).toBe(0);
    expect(outbox.bytes).toBe(0);
    expect((await fs.readdir(dir)).filter((name) => name.startsWith('segment-'))).toEqual([]);
    await outbox.close();
  });

  it('keeps unacknowledged records for the next process, and not the acknowledged ones', async () => {
    const first = await DiskOutbox.open({ dir, segmentBytes: 200 });
    await first.append(Array.from({ length: 20 }, (_, i) => record(i)));
    const peeked = await first.peek(8);
    await first.ack(5); // the broker acknowledged only the first five
    expect(peeked).toHaveLength(8);
    await first.close();

    const second = await DiskOutbox.open({ dir, segmentBytes: 200 });
    expect(second.depth).toBe(15);
    const rest = await drainAll(second);
    expect(rest.map((r) => r.headers.seq)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 5)));
    await second.close();
  });

  it('refuses records beyond its bound and keeps the oldest', async () => {
    const outbox = await DiskOutbox.open({ dir, maxRecords: 10 });
    expect(await outbox.append(Array.from({ length: 8 }, (_, i) => record(i)))).toEqual({ appended: 8, rejected: 0 });
    expect(await outbox.append(Array.from({ length: 5 }, (_, i) => record(8 + i)))).toEqual({ appended: 2, rejected: 3 });
    expect((await drainAll(outbox)).map((r) => r.headers.seq)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    await outbox.close();

    const byBytes = await DiskOutbox.open({ dir, maxBytes: 1_000 });
    const result = await byBytes.append(Array.from({ length: 10 }, (_, i) => record(i, 200)));
    expect(result.appended).toBe(3);
    expect(result.rejected).toBe(7);
    expect(byBytes.bytes).toBeLessThanOrEqual(1_000);
    await byBytes.close();
  });

  it('cuts off a frame torn by a crash and keeps the intact ones before it', async () => {
    const outbox = await DiskOutbox.open({ dir });
    await outbox.append([record(1), record(2), record(3)]);
    await outbox.close();
    const [segment] = (await fs.readdir(dir)).filter((name) => name.startsWith('segment-'));
    const file = path.join(dir, segment!);
    const { size } = await fs.stat(file);
    await fs.truncate(file, size - 5);

    const reopened = await DiskOutbox.open({ dir });
    expect(reopened.depth).toBe(2);
    await reopened.append([record(4)]);
    expect((await drainAll(reopened)).map((r) => r.headers.seq)).toEqual(['1', '2', '4']);
    await reopened.close();
  });

  it('lets only one open outbox own a directory', async () => {
    const outbox = await DiskOutbox.open({ dir });
    await expect(DiskOutbox.open({ dir })).rejects.toBeInstanceOf(OutboxLockedError);
    await outbox.close();
    const again = await DiskOutbox.open({ dir });
    await again.close();
  });
});
