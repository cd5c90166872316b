/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently.
 * LanceDB commits are optimistic: concurrent delete/merge commits on one table can conflict,
 * so every write to a table goes through this queue.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued so far (on every key) has settled. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
