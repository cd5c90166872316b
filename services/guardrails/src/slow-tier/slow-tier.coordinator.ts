import type { ModerationClient, ModerationFinding } from './moderation.client';

export interface SlowTierOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  expiresAt: number;
  findings?: ModerationFinding[];
}

/**
 * Runs the model-based check on a request's input BESIDE the request: CheckInput starts it and
 * returns the fast verdict without waiting; CheckOutput of the same request (same caller, same
 * request id) uses the result if it has arrived, and goes on without it if not. Results are kept
 * in memory, bounded in number and time, and hold categories and scores only.
 */
export class SlowTierCoordinator {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(
    private readonly clients: ReadonlyMap<string, ModerationClient>,
    private readonly options: SlowTierOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  hasPolicy(policy: string): boolean {
    return this.clients.has(policy);
  }

  /** Starts the check; the promise (for events and logs) settles when the model has answered. */
  start(policy: string, key: string, text: string): Promise<ModerationFinding[]> {
    const client = this.clients.get(policy);
    if (!client) return Promise.resolve([]);
    this.evict();
    const entry: Entry = { expiresAt: this.now() + this.options.ttlMs };
    this.entries.set(key, entry);
    return client.moderate(text).then((findings) => {
      entry.findings = findings;
      return findings;
    });
  }

  /** The model's findings when they have arrived (and not expired); undefined while pending or unknown. */
  resultFor(key: string): ModerationFinding[] | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return entry.findings;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.options.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
