/**
 * Index answers must equal scan answers. A collection with several indexes (one multikey, one
 * compound, one descending) goes through many random inserts, updates and deletes; after each
 * round, every query is run both as planned and with hint {$natural: 1} (a collection scan),
 * and the results must be identical. Deterministic: the random source is seeded.
 */
import type { Collection } from 'mongodb';
import { connectTestDb, type AnyDoc, type TestDb } from './support';

let t: TestDb;
let c: Collection<AnyDoc>;

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(20240501);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number): number => Math.floor(rand() * n);

function randomDoc(id: number): AnyDoc {
  const doc: AnyDoc = { _id: id, n: int(50), s: pick(['a', 'b', 'c', 'd', 'e']), when: new Date(Date.UTC(2024, 0, 1 + int(60))) };
  if (rand() < 0.8) doc.tags = Array.from({ length: int(4) }, () => pick(['x', 'y', 'z', 'w', 'v']));
  if (rand() < 0.3) doc.n = pick([null, 'str', 7.5, -1]);
  if (rand() < 0.2) delete doc.s;
  return doc;
}

beforeAll(async () => {
  t = await connectTestDb('eqv');
  c = t.db.collection<AnyDoc>('eqv');
  await c.createIndex({ n: 1 });
  await c.createIndex({ tags: 1 });
  await c.createIndex({ s: 1, n: -1 });
  await c.createIndex({ when: -1 });
});
afterAll(async () => {
  await t.close();
});

const queries: Array<{ filter: Record<string, unknown>; sort?: Record<string, 1 | -1>; limit?: number }> = [
  { filter: { n: 7 } },
  { filter: { n: { $in: [1, 2, 3, null] } } },
  { filter: { n: { $gte: 10, $lt: 30 } }, sort: { n: 1 } },
  { filter: { n: { $gt: 40 } }, sort: { n: -1 }, limit: 5 },
  { filter: { n: { $lte: 5 } }, sort: { _id: 1 } },
  { filter: { tags: 'x' } },
  { filter: { tags: { $in: ['y', 'w'] } }, sort: { _id: -1 } },
  { filter: { tags: { $all: ['x', 'z'] } } },
  { filter: { tags: { $gt: 'w' } } },
  { filter: { s: 'b' }, sort: { n: -1 } },
  { filter: { s: 'c', n: { $gt: 20 } } },
  { filter: { s: { $in: ['a', 'e'] } }, sort: { s: 1, n: -1 }, limit: 7 },
  { filter: { when: { $gte: new Date(Date.UTC(2024, 1, 1)) } }, sort: { when: -1 }, limit: 4 },
  { filter: { $and: [{ n: { $gte: 3 } }, { n: { $lte: 9 } }] } },
  { filter: {}, sort: { n: 1 }, limit: 10 },
  { filter: {}, sort: { when: 1, _id: 1 }, limit: 10 },
];

async function checkAll(round: number): Promise<void> {
  for (const q of queries) {
    const run = (natural: boolean) => {
      let cur = c.find(q.filter);
      if (natural) cur = cur.hint({ $natural: 1 });
      // A total order makes results comparable whatever order ties come in.
      cur = cur.sort({ ...(q.sort ?? {}), _id: q.sort?._id ?? 1 });
      if (q.limit) cur = cur.limit(q.limit);
      return cur.toArray();
    };
    const [planned, scanned] = await Promise.all([run(false), run(true)]);
    expect({ round, query: q, result: planned }).toEqual({ round, query: q, result: scanned });
  }
}

test('planned queries return what a collection scan returns, through random writes', async () => {
  let nextId = 0;
  await c.insertMany(Array.from({ length: 400 }, () => randomDoc(nextId++)));
  await checkAll(0);
  for (let round = 1; round <= 6; round++) {
    for (let k = 0; k < 120; k++) {
      const r = rand();
      if (r < 0.4) await c.insertOne(randomDoc(nextId++));
      else if (r < 0.7) {
        const id = int(nextId);
        await c.updateOne({ _id: id }, { $set: { n: pick([int(50), null, 'str']), tags: Array.from({ length: int(4) }, () => pick(['x', 'y', 'z', 'w'])) } });
      } else if (r < 0.85) await c.deleteOne({ _id: int(nextId) });
      else await c.updateMany({ n: { $gte: int(50) } }, { $inc: { n: 1 } });
    }
    await checkAll(round);
  }
}, 120_000);
