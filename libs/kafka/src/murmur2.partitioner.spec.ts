import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
// kafkajs's own port of the Java client's hash, the reference this one must equal.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer | string) => number;
import { murmur2, murmur2Partitioner } from './murmur2.partitioner';

const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));

describe('murmur2', () => {
  it('matches the values the Java client documents', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, expected] of cases) expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('equals kafkajs for keys of every length and byte', () => {
    for (let length = 0; length <= 80; length++) {
      for (let round = 0; round < 25; round++) {
        const key = randomBytes(length);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
    for (const key of ['trace-0af7651916cd43dd8448eb211c80319c', 'tenant-ä-ß-東京', '']) {
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(key));
    }
  });
});

describe('murmur2Partitioner', () => {
  it('puts keyed records on the partition kafkajs DefaultPartitioner picks', () => {
    const ours = murmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 6, 12]) {
      for (let i = 0; i < 200; i++) {
        const message = { key: randomBytes(16).toString('hex'), value: null };
        const args = { topic: 'llmops.traces.v1', partitionMetadata: partitions(count), message };
        expect(ours(args)).toBe(theirs(args));
      }
    }
  });

  it('honours an explicit partition and spreads unkeyed records over the available ones', () => {
    const partitioner = murmur2Partitioner();
    const metadata = partitions(4).map((partition) => (partition.partitionId === 2 ? { ...partition, leader: -1 } : partition));
    expect(partitioner({ topic: 't', partitionMetadata: metadata, message: { key: 'k', value: null, partition: 3 } })).toBe(3);
    const chosen = new Set<number>();
    for (let i = 0; i < 30; i++) chosen.add(partitioner({ topic: 't', partitionMetadata: metadata, message: { value: null } }));
    expect([...chosen].sort()).toEqual([0, 1, 3]);
  });
});
