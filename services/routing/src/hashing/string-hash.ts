/**
 * FNV-1a over UTF-16 code units with the murmur3 finaliser: a fast, deterministic, well-spread
 * 32-bit hash for bucketing (feature hashing, experiment assignment). Not for anything an
 * attacker could exploit by forcing collisions: cache keys use sha256.
 */
export function stringHash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
