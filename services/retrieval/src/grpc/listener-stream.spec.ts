import { streamFromListener } from './listener-stream';

describe('streamFromListener', () => {
  it('yields every reported item in order, and the producer waits for the reader', async () => {
    const log: string[] = [];
    const stream = streamFromListener<number>(async (listener) => {
      for (let i = 1; i <= 3; i++) {
        log.push(`report ${i}`);
        await listener(i);
        log.push(`taken ${i}`);
      }
    });
    for await (const item of stream) {
      log.push(`read ${item}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(log).toEqual(['report 1', 'read 1', 'taken 1', 'report 2', 'read 2', 'taken 2', 'report 3', 'read 3', 'taken 3']);
  });

  it('delivers the items reported before a failure, then throws it', async () => {
    const read: string[] = [];
    const failure = new Error('store failed');
    const stream = streamFromListener<string>(async (listener) => {
      await listener('a');
      await listener('b');
      throw failure;
    });
    await expect(
      (async () => {
        for await (const item of stream) read.push(item);
      })(),
    ).rejects.toBe(failure);
    expect(read).toEqual(['a', 'b']);
  });

  it('releases the producer when the reader stops early, so it can run to its end', async () => {
    let finished = false;
    const stream = streamFromListener<number>(async (listener) => {
      for (let i = 0; i < 5; i++) await listener(i);
      finished = true;
    });
    for await (const item of stream) if (item === 1) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(finished).toBe(true);
  });
});
