/**
 * Runs `produce`, which reports items through a listener, as an async iterable of those items.
 * The listener's promise settles only when the reader asks for the next item, so a slow reader
 * (a gRPC stream waiting for 'drain') slows the producer down instead of growing a buffer.
 * The producer's failure is thrown to the reader after the items reported before it.
 */
export async function* streamFromListener<T>(produce: (listener: (item: T) => Promise<void>) => Promise<unknown>): AsyncGenerator<T> {
  const pending: { item: T; taken: () => void }[] = [];
  let outcome: { failed: false } | { failed: true; error: unknown } | undefined;
  let readerGone = false;
  let wake: (() => void) | undefined;

  const listener = (item: T): Promise<void> => {
    // Once the reader stopped, nobody will take the item; the producer must not wait forever.
    if (readerGone) return Promise.resolve();
    return new Promise<void>((taken) => {
      pending.push({ item, taken });
      wake?.();
    });
  };
  void produce(listener).then(
    () => (outcome = { failed: false }),
    (error: unknown) => (outcome = { failed: true, error }),
  ).finally(() => wake?.());

  let handedOut: (() => void) | undefined;
  try {
    for (;;) {
      const next = pending.shift();
      if (next) {
        handedOut = next.taken;
        yield next.item;
        handedOut = undefined;
        next.taken();
        continue;
      }
      if (outcome?.failed) throw outcome.error;
      if (outcome) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    // The reader stopped while holding an item (or left some unread): release the producer.
    readerGone = true;
    handedOut?.();
    for (const { taken } of pending.splice(0)) taken();
  }
}
