import { RetrievalErrorCode, RetrievalException } from './retrieval.exception';

// Collection names become LanceDB table (directory) names, so they are restricted to a portable,
// case-insensitive alphabet: "Docs" and "docs" are the same collection on every filesystem.
const COLLECTION_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Returns the canonical (trimmed, lower-case) collection name, or throws INVALID_COLLECTION_NAME. */
export function canonicalCollectionName(raw: string): string {
  const name = (raw ?? '').trim().toLowerCase();
  if (!COLLECTION_NAME.test(name)) {
    throw new RetrievalException(
      RetrievalErrorCode.InvalidCollectionName,
      `invalid collection name ${JSON.stringify(raw)}: use 1-63 characters from a-z, 0-9, '_' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

const MAX_TENANT_ID_LENGTH = 128;

/** Tenant ids come from the gateway's API-key lookup; an empty one would mean "no isolation". */
export function requireTenantId(tenantId: string): string {
  if (typeof tenantId !== 'string' || tenantId.trim() === '' || tenantId.length > MAX_TENANT_ID_LENGTH) {
    throw new RetrievalException(
      RetrievalErrorCode.InvalidTenant,
      `tenant id must be a non-empty string of at most ${MAX_TENANT_ID_LENGTH} characters`,
    );
  }
  return tenantId;
}
