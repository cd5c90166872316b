import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord } from './platform-config.schema';

/** How API keys are stored: the lower-case hex sha256 of the key, never the key itself. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Who a presented API key belongs to. Carries the key's id, never the key. */
export interface ResolvedApiKey {
  keyId: string;
  tenant: string;
  project: string;
  user?: string;
}

/**
 * Resolves a presented API key to its owner. Compares the key's hash with every stored hash in
 * constant time and without stopping at the first match, so response timing reveals neither
 * whether nor where a key matched.
 */
export class ApiKeyResolver {
  private readonly entries: ReadonlyArray<{ hash: Buffer; identity: ResolvedApiKey }>;

  constructor(records: readonly ApiKeyRecord[]) {
    this.entries = records.map((record) => ({
      hash: Buffer.from(record.sha256.toLowerCase(), 'hex'),
      identity: {
        keyId: record.id,
        tenant: record.tenant,
        project: record.project,
        ...(record.user !== undefined ? { user: record.user } : {}),
      },
    }));
  }

  resolve(presentedKey: string | undefined): ResolvedApiKey | undefined {
    if (!presentedKey) return undefined;
    const presented = createHash('sha256').update(presentedKey, 'utf8').digest();
    let found: ResolvedApiKey | undefined;
    for (const entry of this.entries) {
      // Hashes are always 32 bytes, so timingSafeEqual never throws on a length mismatch.
      if (timingSafeEqual(entry.hash, presented) && found === undefined) found = entry.identity;
    }
    return found === undefined ? undefined : { ...found };
  }

  get size(): number {
    return this.entries.length;
  }
}
