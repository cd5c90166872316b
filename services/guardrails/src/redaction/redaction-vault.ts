import { randomUUID } from 'node:crypto';

export interface Clock {
  now(): number;
}

export interface RedactionVaultOptions {
  ttlMs: number;
  maxEntries: number;
  clock?: Clock;
}

interface VaultEntry {
  caller: string;
  expiresAt: number;
  /** Placeholder → original value. */
  values: ReadonlyMap<string, string>;
}

const PLACEHOLDER = /\[[A-Z]+_\d+\]/g;

/**
 * What reversible redaction needs to restore: the values behind one request's placeholders, in
 * this process's memory only (never logged, never on disk), for a bounded number of requests and
 * a bounded time. Entries are keyed by a random id AND bound to the caller that created them, so
 * another caller that learns the id gets nothing back.
 */
export class RedactionVault {
  private readonly entries = new Map<string, VaultEntry>();
  private readonly clock: Clock;

  constructor(private readonly options: RedactionVaultOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Keeps the mapping; returns the id the caller passes back with the output check. */
  put(caller: string, values: ReadonlyMap<string, string>): string {
    this.evictExpired();
    while (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const id = randomUUID();
    this.entries.set(id, { caller, values: new Map(values), expiresAt: this.clock.now() + this.options.ttlMs });
    return id;
  }

  /**
   * The text with every known placeholder replaced by its value, when `id` exists, has not
   * expired and belongs to `caller`; otherwise undefined and the text stays as it is.
   */
  restore(id: string, caller: string, text: string): string | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.caller !== caller) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return text.replace(PLACEHOLDER, (placeholder) => entry.values.get(placeholder) ?? placeholder);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries are inserted in expiry order (one TTL for all), so expired ones are at the front. */
  private evictExpired(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }
}

/** Who may get values back: the same tenant, project, user and API key as the request that gave them. */
export function callerKeyOf(context: { tenantId: string; projectId: string; userId: string; apiKeyId: string } | undefined): string {
  if (!context) return '';
  return [context.tenantId, context.projectId, context.userId, context.apiKeyId].join('\u0000');
}
