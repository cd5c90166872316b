/**
 * Search results by key, each stamped with its collection's version: a write to a collection
 * bumps the version, so its older entries are never served again (and age out of the LRU).
 */
export class SearchCache<V> {
  private readonly entries = new Map<string, { value: V; version: number; expiresAt: number }>();
  private readonly versions = new Map<string, number>();

  constructor(
    private readonly capacity = 1_000,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(scope: string, key: string): V | undefined {
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (!entry) return undefined;
    if (entry.version !== this.version(scope) || entry.expiresAt <= this.now()) {
      this.entries.delete(`${scope}\u0000${key}`);
      return undefined;
    }
    return entry.value;
  }

  set(scope: string, key: string, value: V): void {
    if (this.capacity <= 0) return;
    const full = `${scope}\u0000${key}`;
    this.entries.delete(full);
    this.entries.set(full, { value, version: this.version(scope), expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  invalidate(scope: string): void {
    this.versions.set(scope, this.version(scope) + 1);
  }

  private version(scope: string): number {
    return this.versions.get(scope) ?? 0;
  }
}

/** Case, Unicode form, spacing and trailing punctuation do not change what a query asks. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim().replace(/[\s?!.。？！]+$/u, '');
}
