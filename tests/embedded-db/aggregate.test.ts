/**
 * Aggregation through the driver: mingo's stages on server data, $lookup across collections of
 * the same database, $out (replacing a collection, keeping its indexes) and $merge performed by
 * the server, and the first $match answered by an index.
 */
import type { Collection } from 'mongodb';
import { connectTestDb, indexScans, serverError, type AnyDoc, type TestDb } from './support';

let t: TestDb;
let orders: Collection<AnyDoc>;
let firms: Collection<AnyDoc>;

beforeAll(async () => {
  t = await connectTestDb('agg');
  orders = t.db.collection('orders');
  firms = t.db.collection('firms');
  await firms.insertMany([
    { _id: 'f1', name: 'Acme', country: 'CN' },
    { _id: 'f2', name: 'Bolt', country: 'FR' },
  ]);
  await orders.insertMany([
    { _id: 1, firm: 'f1', amount: 10, items: ['tea', 'silk'] },
    { _id: 2, firm: 'f1', amount: 5, items: ['tea'] },
    { _id: 3, firm: 'f2', amount: 7, items: [] },
    { _id: 4, firm: 'f9', amount: 1, items: ['steel'] },
  ]);
});
afterAll(async () => {
  await t.close();
});

test('$group, $sort, $project, $unwind', async () => {
  const totals = await orders.aggregate([{ $group: { _id: '$firm', total: { $sum: '$amount' } } }, { $sort: { total: -1 } }]).toArray();
  expect(totals).toEqual([
    { _id: 'f1', total: 15 },
    { _id: 'f2', total: 7 },
    { _id: 'f9', total: 1 },
  ]);
  const items = await orders.aggregate([{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
  expect(items).toEqual([
    { _id: 'silk', n: 1 },
    { _id: 'steel', n: 1 },
    { _id: 'tea', n: 2 },
  ]);
});

test('countDocuments as mongoose sends it', async () => {
  const res = await orders.aggregate([{ $match: { amount: { $gt: 4 } } }, { $group: { _id: 1, n: { $sum: 1 } } }]).toArray();
  expect(res).toEqual([{ _id: 1, n: 3 }]);
});

test('$lookup joins another collection of the same database', async () => {
  const joined = await orders
    .aggregate([
      { $match: { _id: { $in: [1, 3, 4] } } },
      { $lookup: { from: 'firms', localField: 'firm', foreignField: '_id', as: 'firmDoc' } },
      { $project: { firmName: { $arrayElemAt: ['$firmDoc.name', 0] }, n: { $size: '$firmDoc' } } },
      { $sort: { _id: 1 } },
    ])
    .toArray();
  expect(joined).toEqual([
    { _id: 1, firmName: 'Acme', n: 1 },
    { _id: 3, firmName: 'Bolt', n: 1 },
    { _id: 4, n: 0 },
  ]);
  // The joined collection itself is untouched.
  expect(await firms.findOne({ _id: 'f1' })).toEqual({ _id: 'f1', name: 'Acme', country: 'CN' });
});

test('$out replaces the target collection and keeps its indexes', async () => {
  const target = t.db.collection<AnyDoc>('firm_totals');
  await target.insertOne({ _id: 'stale', total: 0 });
  await target.createIndex({ total: 1 });
  const out = await orders.aggregate([{ $group: { _id: '$firm', total: { $sum: '$amount' } } }, { $out: 'firm_totals' }]).toArray();
  expect(out).toEqual([]);
  expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([
    { _id: 'f1', total: 15 },
    { _id: 'f2', total: 7 },
    { _id: 'f9', total: 1 },
  ]);
  expect((await target.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'total_1']);
});

test('$merge folds results into a collection', async () => {
  const target = t.db.collection<AnyDoc>('firm_stats');
  await target.insertOne({ _id: 'f1', note: 'keep me', total: 0 });
  await orders.aggregate([{ $group: { _id: '$firm', total: { $sum: '$amount' } } }, { $merge: { into: 'firm_stats' } }]).toArray();
  expect(await target.find({}).sort({ _id: 1 }).toArray()).toEqual([
    { _id: 'f1', note: 'keep me', total: 15 },
    { _id: 'f2', total: 7 },
    { _id: 'f9', total: 1 },
  ]);
});

test('$out anywhere but last is refused', async () => {
  const err = await serverError(orders.aggregate([{ $out: 'x' }, { $match: {} }]).toArray());
  expect(err.code).toBe(40601);
});

test('a leading $match on an indexed field scans the index; an unindexed one does not', async () => {
  await orders.createIndex({ firm: 1 });
  const ex = await orders.aggregate([{ $match: { firm: 'f1' } }, { $group: { _id: null, s: { $sum: '$amount' } } }]).explain('queryPlanner');
  expect(indexScans(ex)).toEqual(['firm_1']);
  const ex2 = await orders.aggregate([{ $match: { amount: 5 } }]).explain('queryPlanner');
  expect(indexScans(ex2)).toEqual([]);
});
