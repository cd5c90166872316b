/**
 * Approximate nearest neighbour over unit vectors by random-hyperplane LSH: `tables` hash
 * tables, each keyed by `bits` signs of projections. A query only compares the vectors sharing a
 * bucket with it in some table, then checks cosine exactly. A bit agrees for two vectors at
 * angle θ with probability 1 − θ/π, so with 16 tables of 16 bits a neighbour at cosine 0.95 is
 * found with probability ≈ 0.96, at 0.97 ≈ 0.994: enough for a cache whose threshold is that
 * high, at a cost that follows bucket sizes, not the number of entries. At most
 * `maxCandidates` vectors are compared, so a crowded bucket cannot blow the latency budget
 * (it costs recall instead).
 */
interface IndexedVector {
  id: string;
  vector: Float32Array;
  partition: string;
  signatures: number[];
  /** The query that last compared it, so one query compares it once across tables. */
  seenBy: number;
}

export class SemanticIndex {
  /** tables × bits hyperplanes, one after another: one flat array keeps the hot loop tight. */
  private readonly planes: Float64Array;
  /** partition (tenant, route, parameters, context) → per table: signature → entries. Partitions never mix. */
  private readonly partitions = new Map<string, Array<Map<number, IndexedVector[]>>>();
  private readonly entries = new Map<string, IndexedVector>();
  private queries = 0;

  constructor(
    private readonly dimensions: number,
    private readonly tables = 16,
    private readonly bits = 16,
    private readonly maxCandidates = 1000,
    seed = 0x5eed,
  ) {
    const random = mulberry32(seed);
    this.planes = new Float64Array(tables * bits * dimensions);
    for (let index = 0; index < this.planes.length; index++) this.planes[index] = random() * 2 - 1;
  }

  get size(): number {
    return this.entries.size;
  }

  add(id: string, partition: string, vector: Float32Array): void {
    this.remove(id);
    const entry: IndexedVector = { id, vector, partition, signatures: this.signatures(vector), seenBy: 0 };
    this.entries.set(id, entry);
    let tables = this.partitions.get(partition);
    if (!tables) this.partitions.set(partition, (tables = Array.from({ length: this.tables }, () => new Map())));
    entry.signatures.forEach((signature, table) => {
      const bucket = tables[table]!.get(signature);
      if (bucket) bucket.push(entry);
      else tables[table]!.set(signature, [entry]);
    });
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const tables = this.partitions.get(entry.partition)!;
    entry.signatures.forEach((signature, table) => {
      const bucket = tables[table]!.get(signature)!;
      const at = bucket.indexOf(entry);
      if (at >= 0) bucket.splice(at, 1);
      if (bucket.length === 0) tables[table]!.delete(signature);
    });
    if (tables.every((table) => table.size === 0)) this.partitions.delete(entry.partition);
  }

  /** The most similar entry at or above `threshold`, accepted only if `accept(id)` says so. */
  nearest(vector: Float32Array, partition: string, threshold: number, accept: (id: string) => boolean = () => true): { id: string; similarity: number } | undefined {
    const tables = this.partitions.get(partition);
    if (!tables) return undefined;
    const query = ++this.queries;
    const signatures = this.signatures(vector);
    let compared = 0;
    let best: { id: string; similarity: number } | undefined;
    for (let table = 0; table < this.tables && compared < this.maxCandidates; table++) {
      const bucket = tables[table]!.get(signatures[table]!);
      if (!bucket) continue;
      for (let index = 0; index < bucket.length && compared < this.maxCandidates; index++) {
        const entry = bucket[index]!;
        if (entry.seenBy === query) continue;
        entry.seenBy = query;
        compared++;
        const similarity = dot(vector, entry.vector);
        if (similarity >= threshold && (!best || similarity > best.similarity) && accept(entry.id)) best = { id: entry.id, similarity };
      }
    }
    return best;
  }

  private signatures(vector: Float32Array): number[] {
    const result: number[] = [];
    const planes = this.planes;
    const dimensions = this.dimensions;
    let offset = 0;
    for (let table = 0; table < this.tables; table++) {
      let signature = 0;
      for (let bit = 0; bit < this.bits; bit++) {
        let sum = 0;
        for (let index = 0; index < dimensions; index++) sum += vector[index]! * planes[offset + index]!;
        offset += dimensions;
        if (sum >= 0) signature |= 1 << bit;
      }
      result.push(signature);
    }
    return result;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
