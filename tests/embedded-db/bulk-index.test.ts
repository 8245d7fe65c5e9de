/**
 * Batched index upkeep: a write adds its index entries to a pending list that the next reader
 * places in one sorted merge (SortedEntries.insertSorted). Checked on the structure itself against
 * one-by-one insertion, and through the driver: after large multikey insertMany batches mixed
 * with deletes and updates, every indexed query answers as a collection scan does.
 */
import { SortedEntries } from '../../src/embedded-db/engine/sorted-entries';
import { compareValues } from '../../src/embedded-db/engine/values';
import { connectTestDb, type TestDb } from './support';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Entry = [unknown, string];
const compareParts = (ka: unknown, ia: string, kb: unknown, ib: string): number => compareValues(ka, kb) || (ia < ib ? -1 : ia > ib ? 1 : 0);
const compare = (a: Entry, b: Entry): number => compareParts(a[0], a[1], b[0], b[1]);

describe('SortedEntries.insertSorted', () => {
  test('batches of every size land where one-by-one insertion puts them, across many blocks', () => {
    const rand = rng(7);
    const batched = new SortedEntries(compareParts);
    const single = new SortedEntries(compareParts);
    let n = 0;
    // Batch sizes from 1 to 5,000: small runs take the splice path, large ones the merge path.
    for (const size of [1, 3, 40, 700, 5_000, 2, 1_500, 9, 5_000, 300]) {
      const batch: Entry[] = [];
      for (let i = 0; i < size; i++) {
        const key = rand() < 0.5 ? Math.floor(rand() * 50) : `k${Math.floor(rand() * 200)}`;
        batch.push([key, `id${String(n++).padStart(6, '0')}`]);
      }
      for (const [k, id] of batch) single.insert(k, id);
      const sorted = [...batch].sort(compare);
      batched.insertSorted(
        sorted.map((e) => e[0]),
        sorted.map((e) => e[1]),
      );
    }
    expect(batched.length).toBe(n);
    const a = [...batched.entries(0, batched.length)];
    const b = [...single.entries(0, single.length)];
    expect(a.map((e) => e[1])).toEqual(b.map((e) => e[1]));
    for (let i = 1; i < a.length; i++) expect(compare(a[i - 1], a[i])).toBeLessThan(0);
    // Positions stay addressable after the batch: a search and a reverse range agree with them.
    const at = batched.search((k) => compareValues(k, 'k100') >= 0);
    expect(compareValues(a[at][0], 'k100')).toBeGreaterThanOrEqual(0);
    expect(compareValues(a[at - 1][0], 'k100')).toBeLessThan(0);
    expect([...batched.ids(10, 20, true)]).toEqual(a.slice(10, 20).reverse().map((e) => e[1]));
    // Removal after a batch finds every entry.
    for (const [k, id] of a.slice(0, 500)) expect(batched.remove(k, id)).toBe(true);
    expect(batched.length).toBe(n - 500);
  });
});

describe('bulk multikey inserts through the driver', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await connectTestDb('bulkidx');
  });
  afterAll(async () => {
    await t.close();
  });

  test('indexed answers equal a collection scan after large batches, deletes and updates', async () => {
    const c = t.db.collection<{ n: number; terms: string[] }>('posts');
    await c.createIndex({ terms: 1 });
    await c.createIndex({ n: -1 });
    const rand = rng(11);
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    let n = 0;
    for (let b = 0; b < 4; b++) {
      const docs = Array.from({ length: 2_500 }, () => ({ n: n++, terms: Array.from({ length: 30 }, () => words[Math.floor(rand() * words.length)]) }));
      await c.insertMany(docs, { ordered: false });
      await c.deleteMany({ n: { $gte: n - 100, $lt: n - 50 } });
      await c.updateMany({ n: { $gte: n - 50, $lt: n - 40 } }, { $push: { terms: 'added' } });
    }
    for (const w of ['w0', 'w17', 'w299', 'added']) {
      const viaIndex = (await c.find({ terms: w }, { projection: { n: 1 } }).hint({ terms: 1 }).toArray()).map((d) => d.n as number).sort((x, y) => x - y);
      const viaScan = (await c.find({ terms: w }, { projection: { n: 1 } }).hint({ $natural: 1 }).toArray()).map((d) => d.n as number).sort((x, y) => x - y);
      expect(viaIndex).toEqual(viaScan);
      expect(viaIndex.length).toBeGreaterThan(0);
    }
    const top = await c.find({}, { projection: { n: 1, _id: 0 } }).sort({ n: -1 }).limit(3).toArray();
    expect(top).toEqual([{ n: n - 1 }, { n: n - 2 }, { n: n - 3 }]);
    expect(await c.countDocuments({ n: { $gte: 0 } })).toBe(n - 4 * 50);
  });
});
