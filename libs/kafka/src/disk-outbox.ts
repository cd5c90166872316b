import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';

/** A Kafka record as the publisher would send it, kept on disk until the broker acknowledges it. */
export interface OutboxRecord {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Publish time in ms since the epoch; replayed records keep it as their Kafka timestamp. */
  timestampMs: number;
}

export interface DiskOutboxOptions {
  /** Directory owned by one publisher, e.g. `.llmops/outbox/<service>`. */
  dir: string;
  /** Bound on unacknowledged bytes on disk. Default 256 MiB. */
  maxBytes?: number;
  /** Bound on unacknowledged records. Default 1,000,000. */
  maxRecords?: number;
  /** A new segment file starts once the current one is this large. Default 8 MiB. */
  segmentBytes?: number;
}

export interface OutboxAppendResult {
  appended: number;
  /** Records refused because the outbox was full; see the overflow policy in README.md. */
  rejected: number;
}

export class OutboxLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`outbox ${dir} is in use by process ${pid}; each publisher needs its own outbox directory`);
    this.name = 'OutboxLockedError';
  }
}

interface Segment {
  seq: number;
  file: string;
  /** Bytes in the file, acknowledged or not. */
  size: number;
}

interface Cursor {
  seq: number;
  offset: number;
}

interface ParsedFrame {
  record: OutboxRecord;
  /** Offset just past this frame in its segment. */
  end: number;
  bytes: number;
}

const FRAME_HEADER_BYTES = 8; // u32 body length, u32 crc32(body)
const SEGMENT_PATTERN = /^segment-(\d{12})\.log$/;
const CURSOR_FILE = 'cursor.json';
const LOCK_FILE = 'outbox.lock';

/**
 * An append-only, bounded, on-disk FIFO of Kafka records.
 *
 * Records are length-prefixed, CRC-checked frames in numbered segment files. A cursor file says
 * where the first unacknowledged record starts; `ack` moves it and deletes segments that are
 * wholly acknowledged, so nothing leaves the disk before the broker has it. A torn frame at the
 * end of a file (a crash mid-write) is cut off when the outbox is opened.
 *
 * Not safe for concurrent use by two processes (a lock file prevents it); within one process
 * every operation is serialized.
 */
export class DiskOutbox {
  private readonly maxBytes: number;
  private readonly maxRecords: number;
  private readonly segmentBytes: number;
  private segments: Segment[] = [];
  private cursor: Cursor = { seq: 0, offset: 0 };
  private nextSeq = 1;
  private tail: fs.FileHandle | undefined;
  private headFrames: ParsedFrame[] = [];
  private headParsedUpTo = 0;
  private depthRecords = 0;
  private depthBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(readonly dir: string, options: DiskOutboxOptions) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxRecords = options.maxRecords ?? 1_000_000;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  }

  /** Opens (or creates) the outbox, takes its lock and recovers what a previous process left. */
  static async open(options: DiskOutboxOptions): Promise<DiskOutbox> {
    const outbox = new DiskOutbox(path.resolve(options.dir), options);
    await fs.mkdir(outbox.dir, { recursive: true });
    await outbox.lock();
    try {
      await outbox.recover();
    } catch (error) {
      await fs.rm(path.join(outbox.dir, LOCK_FILE), { force: true });
      throw error;
    }
    return outbox;
  }

  /** Unacknowledged records. */
  get depth(): number {
    return this.depthRecords;
  }

  /** Unacknowledged bytes (frames included). */
  get bytes(): number {
    return this.depthBytes;
  }

  /**
   * Appends in order and syncs to disk. When a record would exceed a bound, it and every record
   * after it in this call are refused: the records already stored are older and are kept, and
   * refusing the rest (rather than skipping just the one) keeps the stored sequence gap-free.
   */
  append(records: readonly OutboxRecord[]): Promise<OutboxAppendResult> {
    return this.serialized(async () => {
      this.assertOpen();
      const frames: Buffer[] = [];
      let bytes = 0;
      for (const record of records) {
        const frame = encodeFrame(record);
        if (this.depthRecords + frames.length + 1 > this.maxRecords || this.depthBytes + bytes + frame.length > this.maxBytes) break;
        frames.push(frame);
        bytes += frame.length;
      }
      if (frames.length > 0) {
        const tail = await this.tailForAppend();
        const chunk = Buffer.concat(frames);
        await tail.handle.write(chunk, 0, chunk.length, null);
        await tail.handle.datasync();
        tail.segment.size += chunk.length;
        this.depthRecords += frames.length;
        this.depthBytes += bytes;
      }
      return { appended: frames.length, rejected: records.length - frames.length };
    });
  }

  /** The oldest unacknowledged records, oldest first, without removing them. */
  peek(maxRecords: number): Promise<OutboxRecord[]> {
    return this.serialized(async () => {
      this.assertOpen();
      await this.dropConsumedHead();
      const head = this.segments[0];
      if (!head) return [];
      if (this.headFrames.length < maxRecords && this.headParsedUpTo < head.size) {
        const buffer = await readRange(head.file, this.headParsedUpTo, head.size);
        const { frames, validBytes } = parseFrames(buffer, this.headParsedUpTo);
        if (validBytes !== buffer.length) {
          throw new Error(`outbox segment ${head.file} is corrupt at byte ${this.headParsedUpTo + validBytes}`);
        }
        this.headFrames.push(...frames);
        this.headParsedUpTo = head.size;
      }
      return this.headFrames.slice(0, maxRecords).map((frame) => frame.record);
    });
  }

  /** Removes the `count` oldest records, which a preceding `peek` returned and the broker acknowledged. */
  ack(count: number): Promise<void> {
    return this.serialized(async () => {
      this.assertOpen();
      if (count <= 0) return;
      if (count > this.headFrames.length) throw new Error(`cannot acknowledge ${count} records; only ${this.headFrames.length} were read`);
      const acked = this.headFrames.splice(0, count);
      const last = acked[acked.length - 1]!;
      this.cursor = { seq: this.segments[0]!.seq, offset: last.end };
      this.depthRecords -= acked.length;
      this.depthBytes -= acked.reduce((sum, frame) => sum + frame.bytes, 0);
      await this.dropConsumedHead();
      await this.saveCursor();
    });
  }

  /** Releases the lock; records not yet acknowledged stay on disk for the next process. */
  close(): Promise<void> {
    return this.serialized(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.tail?.close();
      this.tail = undefined;
      await fs.rm(path.join(this.dir, LOCK_FILE), { force: true });
    });
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`outbox ${this.dir} is closed`);
  }

  private async lock(): Promise<void> {
    const lockFile = path.join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(lockFile, String(process.pid), { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number((await fs.readFile(lockFile, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) throw new OutboxLockedError(this.dir, owner);
        // The previous owner died without closing: the lock is stale.
        await fs.rm(lockFile, { force: true });
      }
    }
    throw new Error(`could not lock outbox ${this.dir}`);
  }

  private async recover(): Promise<void> {
    const names = (await fs.readdir(this.dir)).filter((name) => SEGMENT_PATTERN.test(name)).sort();
    const cursor = await this.loadCursor();
    for (const name of names) {
      const seq = Number(SEGMENT_PATTERN.exec(name)![1]);
      const file = path.join(this.dir, name);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      if (cursor && seq < cursor.seq) {
        await fs.rm(file, { force: true }); // acknowledged before the previous process could delete it
        continue;
      }
      const start = cursor && seq === cursor.seq ? cursor.offset : 0;
      const buffer = await fs.readFile(file);
      const { frames, validBytes } = parseFrames(buffer.subarray(start), start);
      if (start + validBytes < buffer.length) {
        // A crash mid-append leaves a partial frame; everything before it is intact.
        await fs.truncate(file, start + validBytes);
      }
      const size = start + validBytes;
      if (frames.length === 0) {
        await fs.rm(file, { force: true });
        continue;
      }
      this.segments.push({ seq, file, size });
      this.depthRecords += frames.length;
      this.depthBytes += frames.reduce((sum, frame) => sum + frame.bytes, 0);
      if (this.segments.length === 1) {
        this.cursor = { seq, offset: start };
        this.headFrames = frames;
        this.headParsedUpTo = size;
      }
    }
    if (this.segments.length === 0) await fs.rm(path.join(this.dir, CURSOR_FILE), { force: true });
    else await this.saveCursor();
  }

  private async loadCursor(): Promise<Cursor | undefined> {
    try {
      const parsed = JSON.parse(await fs.readFile(path.join(this.dir, CURSOR_FILE), 'utf8')) as Partial<Cursor>;
      if (Number.isInteger(parsed.seq) && Number.isInteger(parsed.offset)) return { seq: parsed.seq!, offset: parsed.offset! };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return undefined;
  }

  private async saveCursor(): Promise<void> {
    const file = path.join(this.dir, CURSOR_FILE);
    if (this.segments.length === 0) {
      await fs.rm(file, { force: true });
      return;
    }
    // Write-then-rename so a crash leaves either the old or the new cursor, never half of one.
    const temporary = `${file}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(this.cursor));
    await fs.rename(temporary, file);
  }

  /** Deletes the head segment once all of it is acknowledged. */
  private async dropConsumedHead(): Promise<void> {
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      const consumed = this.cursor.seq === head.seq && this.cursor.offset >= head.size;
      if (!consumed) return;
      if (this.tail && this.segments.length === 1) {
        await this.tail.close();
        this.tail = undefined;
      }
      await fs.rm(head.file, { force: true });
      this.segments.shift();
      this.headFrames = [];
      this.headParsedUpTo = 0;
      const next = this.segments[0];
      this.cursor = next ? { seq: next.seq, offset: 0 } : { seq: this.nextSeq, offset: 0 };
    }
  }

  private async tailForAppend(): Promise<{ segment: Segment; handle: fs.FileHandle }> {
    let segment: Segment | undefined = this.segments[this.segments.length - 1];
    if (segment && segment.size >= this.segmentBytes) {
      await this.tail?.close();
      this.tail = undefined;
      segment = undefined;
    }
    if (!segment) {
      const seq = this.nextSeq++;
      segment = { seq, file: path.join(this.dir, `segment-${String(seq).padStart(12, '0')}.log`), size: 0 };
      this.segments.push(segment);
      if (this.segments.length === 1) {
        this.cursor = { seq, offset: 0 };
        this.headFrames = [];
        this.headParsedUpTo = 0;
        await this.saveCursor();
      }
    }
    if (!this.tail) {
      this.tail = await fs.open(segment.file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND);
    }
    return { segment, handle: this.tail };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/*
 * Frame: u32 body length | u32 crc32(body) | body
 * Body:  f64 timestampMs | u16 topic length | topic | i32 key length (-1: no key) | key
 *        | u16 header count | (u16 name length | name | u32 value length | value)* | u32 value length | value
 */
export function encodeFrame(record: OutboxRecord): Buffer {
  const topic = Buffer.from(record.topic, 'utf8');
  const key = record.key === null ? null : Buffer.from(record.key, 'utf8');
  const headers = Object.entries(record.headers).map(([name, value]) => [Buffer.from(name, 'utf8'), Buffer.from(value, 'utf8')] as const);
  let size = 8 + 2 + topic.length + 4 + (key?.length ?? 0) + 2 + 4 + record.value.length;
  for (const [name, value] of headers) size += 2 + name.length + 4 + value.length;
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + size);
  let at = FRAME_HEADER_BYTES;
  at = frame.writeDoubleBE(record.timestampMs, at);
  at = frame.writeUInt16BE(topic.length, at);
  at += topic.copy(frame, at);
  at = frame.writeInt32BE(key ? key.length : -1, at);
  if (key) at += key.copy(frame, at);
  at = frame.writeUInt16BE(headers.length, at);
  for (const [name, value] of headers) {
    at = frame.writeUInt16BE(name.length, at);
    at += name.copy(frame, at);
    at = frame.writeUInt32BE(value.length, at);
    at += value.copy(frame, at);
  }
  at = frame.writeUInt32BE(record.value.length, at);
  record.value.copy(frame, at);
  frame.writeUInt32BE(size, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Parses whole, intact frames; stops at the first torn or corrupt one. */
export function parseFrames(buffer: Buffer, baseOffset: number): { frames: ParsedFrame[]; validBytes: number } {
  const frames: ParsedFrame[] = [];
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= buffer.length) {
    const size = buffer.readUInt32BE(at);
    const end = at + FRAME_HEADER_BYTES + size;
    if (end > buffer.length) break;
    const body = buffer.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(body) !== buffer.readUInt32BE(at + 4)) break;
    frames.push({ record: decodeBody(body), end: baseOffset + end, bytes: end - at });
    at = end;
  }
  return { frames, validBytes: at };
}

function decodeBody(body: Buffer): OutboxRecord {
  let at = 0;
  const timestampMs = body.readDoubleBE(at);
  at += 8;
  const topicLength = body.readUInt16BE(at);
  at += 2;
  const topic = body.toString('utf8', at, at + topicLength);
  at += topicLength;
  const keyLength = body.readInt32BE(at);
  at += 4;
  let key: string | null = null;
  if (keyLength >= 0) {
    key = body.toString('utf8', at, at + keyLength);
    at += keyLength;
  }
  const headerCount = body.readUInt16BE(at);
  at += 2;
  const headers: Record<string, string> = {};
  for (let i = 0; i < headerCount; i++) {
    const nameLength = body.readUInt16BE(at);
    at += 2;
    const name = body.toString('utf8', at, at + nameLength);
    at += nameLength;
    const valueLength = body.readUInt32BE(at);
    at += 4;
    headers[name] = body.toString('utf8', at, at + valueLength);
    at += valueLength;
  }
  const valueLength = body.readUInt32BE(at);
  at += 4;
  // Copy: the frame buffer may be a slice of a whole segment that should not stay referenced.
  const value = Buffer.from(body.subarray(at, at + valueLength));
  return { topic, key, value, headers, timestampMs };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
