/**
 * Asks `probe` until it returns something other than undefined (an event on a topic, a row in
 * ClickHouse), and fails with what was awaited once `timeoutMs` has passed.
 */
export async function poll<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, { timeoutMs = 30_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
