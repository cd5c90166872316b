import { createHash } from 'node:crypto';

export interface MinHashOptions {
  /** Words per shingle. */
  readonly shingleWords?: number;
  readonly bands?: number;
  readonly rowsPerBand?: number;
}

/**
 * MinHash signatures with LSH banding for near-duplicate detection. With 16 bands of 4 rows,
 * two texts share at least one band key with probability 1-(1-J^4)^16: ~0.98 at Jaccard 0.7,
 * ~0.47 at 0.5 (candidate), ~0.05 at 0.3. A shared band key is then confirmed by comparing
 * signatures when both are at hand; against stored chunks, where only band keys are kept,
 * `minSharedBands` shared keys count as a duplicate.
 */
export class MinHasher {
  private readonly shingleWords: number;
  private readonly bands: number;
  private readonly rows: number;
  private readonly seedsA: Uint32Array;
  private readonly seedsB: Uint32Array;

  constructor(options: MinHashOptions = {}) {
    this.shingleWords = options.shingleWords ?? 3;
    this.bands = options.bands ?? 16;
    this.rows = options.rowsPerBand ?? 4;
    const count = this.bands * this.rows;
    this.seedsA = new Uint32Array(count);
    this.seedsB = new Uint32Array(count);
    // Fixed seeds: band keys must mean the same across processes and restarts.
    const seedBytes = createHash('sha512').update('llmops-minhash-v1').digest();
    for (let i = 0; i < count; i++) {
      this.seedsA[i] = (seedBytes.readUInt32LE((i * 4) % 60) ^ Math.imul(i + 1, 0x9e3779b1)) | 1;
      this.seedsB[i] = seedBytes.readUInt32LE((i * 8 + 4) % 60) ^ Math.imul(i + 7, 0x85ebca6b);
    }
  }

  signature(text: string): Uint32Array {
    const words = text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
    const signature = new Uint32Array(this.seedsA.length).fill(0xffffffff);
    const width = Math.min(this.shingleWords, Math.max(1, words.length));
    for (let start = 0; start + width <= words.length; start++) {
      const shingle = fnv1a(words.slice(start, start + width).join(' '));
      for (let i = 0; i < signature.length; i++) {
        const mixed = fmix32((shingle ^ this.seedsA[i]) + this.seedsB[i]);
        if (mixed < signature[i]) signature[i] = mixed;
      }
    }
    return signature;
  }

  /** One key per band: "band index:digest of its rows". */
  bandKeys(signature: Uint32Array): string[] {
    const keys: string[] = [];
    for (let band = 0; band < this.bands; band++) {
      const rows = signature.subarray(band * this.rows, (band + 1) * this.rows);
      keys.push(`${band}:${createHash('sha1').update(Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)).digest('base64url').slice(0, 12)}`);
    }
    return keys;
  }

  static similarity(a: Uint32Array, b: Uint32Array): number {
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    return same / a.length;
  }
}

/** MurmurHash3's finaliser: every input bit affects every output bit, so seeds give independent orders. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
