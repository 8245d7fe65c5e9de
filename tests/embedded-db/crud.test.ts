/**
 * CRUD commands through the driver, pinned to MongoDB's reply shapes: insert, find with all its
 * options, cursors past the 101-document first batch, getMore and killCursors, update (multi,
 * upsert, $setOnInsert, arrayFilters, pipelines), delete, findAndModify, count and distinct.
 */
import { Decimal128, Long, ObjectId, type Collection, type Document, type UpdateFilter } from 'mongodb';
import { connectTestDb, serverError, type TestDb, type AnyDoc } from './support';

let t: TestDb;
beforeAll(async () => {
  t = await connectTestDb('crud');
});
afterAll(async () => {
  await t.close();
});

function coll(name: string): Collection<AnyDoc> {
  return t.db.collection(name);
}

describe('insert', () => {
  test('reply shape; _id is generated and stored first; types survive', async () => {
    const c = coll('ins');
    const res = await t.db.command({ insert: 'ins', documents: [{ a: 1 }, { _id: 'x', b: 2 }] });
    expect(res).toMatchObject({ n: 2, ok: 1 });
    expect(res.writeErrors).toBeUndefined();
    const docs = await c.find({}).toArray();
    expect(docs).toHaveLength(2);
    expect(docs[0]._id).toBeInstanceOf(ObjectId);
    const when = new Date('2024-05-01T10:00:00Z');
    await c.insertOne({ _id: 'types', big: Long.fromString('9007199254740993'), when, dec: Decimal128.fromString('1.10'), pi: 3.25, oid: new ObjectId('65a000000000000000000001'), nested: { arr: [1, 'two', null] } });
    const back = await c.findOne({ _id: 'types' });
    expect(back!.when).toEqual(when);
    expect(back!.oid).toEqual(new ObjectId('65a000000000000000000001'));
    expect(back!.pi).toBe(3.25);
    expect(String(back!.dec)).toBe('1.10');
    expect(String(back!.big)).toBe('9007199254740993');
    expect(back!.nested).toEqual({ arr: [1, 'two', null] });
    const moved = await c.findOne({ b: 2 });
    expect(Object.keys(moved!)[0]).toBe('_id');
  });

  test('duplicate _id: writeErrors with index, code 11000, keyPattern, keyValue; ordered stops', async () => {
    await coll('dup').insertOne({ _id: 1 });
    const res = await t.db.command({ insert: 'dup', documents: [{ _id: 2 }, { _id: 1 }, { _id: 3 }] });
    expect(res.n).toBe(1);
    expect(res.writeErrors).toHaveLength(1);
    expect(res.writeErrors[0]).toMatchObject({ index: 1, code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    expect(res.writeErrors[0].errmsg).toBe(`E11000 duplicate key error collection: ${t.db.databaseName}.dup index: _id_ dup key: { _id: 1 }`);
    const unordered = await t.db.command({ insert: 'dup', documents: [{ _id: 1 }, { _id: 4 }, { _id: 2 }, { _id: 5 }], ordered: false });
    expect(unordered.n).toBe(2);
    expect(unordered.writeErrors.map((e: Document) => e.index)).toEqual([0, 2]);
    expect(await coll('dup').countDocuments()).toBe(4);
  });
});

describe('find', () => {
  beforeAll(async () => {
    await coll('people').insertMany([
      { _id: 1 , name: 'ann', age: 31, city: 'Beijing', tags: ['a', 'b'] },
      { _id: 2 , name: 'bob', age: 25, city: 'Paris', tags: ['b'] },
      { _id: 3 , name: 'cho', age: 42, city: 'Beijing', tags: [] },
      { _id: 4 , name: 'dan', age: 25, city: 'Rome' },
    ]);
  });

  test('filter, sort, projection, skip, limit', async () => {
    const c = coll('people');
    expect(await c.find({ city: 'Beijing' }).sort({ age: -1 }).project({ name: 1, _id: 0 }).toArray()).toEqual([{ name: 'cho' }, { name: 'ann' }]);
    expect((await c.find({}).sort({ age: 1, name: -1 }).skip(1).limit(2).toArray()).map((d) => d.name)).toEqual(['bob', 'ann']);
    expect((await c.find({ tags: 'b' }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
    expect(await c.find({ _id: 2 }, { projection: { tags: 0, city: 0 } }).toArray()).toEqual([{ _id: 2, name: 'bob', age: 25 }]);
    expect((await c.find({ age: { $in: [25, 42] }, name: { $ne: 'dan' } }).sort({ name: 1 }).toArray()).map((d) => d.name)).toEqual(['bob', 'cho']);
    expect((await c.find({ tags: { $exists: false } }).toArray()).map((d) => d.name)).toEqual(['dan']);
  });

  test('raw reply: cursor.firstBatch, Int64 id, ns; singleBatch closes', async () => {
    // useBigInt64 decodes Int64 (and only Int64) as bigint: the cursor id must be one.
    const res = await t.db.command({ find: 'people', filter: {}, batchSize: 2 }, { useBigInt64: true });
    expect(res.cursor.firstBatch).toHaveLength(2);
    expect(res.cursor.ns).toBe(`${t.db.databaseName}.people`);
    expect(typeof res.cursor.id).toBe('bigint');
    expect(res.cursor.id).not.toBe(0n);
    const more = await t.db.command({ getMore: Long.fromBigInt(res.cursor.id), collection: 'people', batchSize: 10 }, { useBigInt64: true });
    expect(more.cursor.nextBatch).toHaveLength(2);
    expect(more.cursor.id).toBe(0n);
    const single = await t.db.command({ find: 'people', filter: {}, batchSize: 1, singleBatch: true }, { useBigInt64: true });
    expect(single.cursor.firstBatch).toHaveLength(1);
    expect(single.cursor.id).toBe(0n);
  });

  test('a find on a missing collection returns an empty batch', async () => {
    const res = await t.db.command({ find: 'missing_coll', filter: {} });
    expect(res.cursor.firstBatch).toEqual([]);
    expect(Number(res.cursor.id)).toBe(0);
  });
});

describe('cursors', () => {
  beforeAll(async () => {
    await coll('many').insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i , v: i })));
  });

  test('the first batch holds 101 documents; getMore returns the rest', async () => {
    const res = await t.db.command({ find: 'many', filter: {}, sort: { _id: 1 } }, { promoteLongs: false });
    expect(res.cursor.firstBatch).toHaveLength(101);
    const more = await t.db.command({ getMore: res.cursor.id, collection: 'many' }, { promoteLongs: false });
    expect(more.cursor.nextBatch).toHaveLength(149);
    expect(more.cursor.nextBatch[148]).toEqual({ _id: 249, v: 249 });
    expect(String(more.cursor.id)).toBe('0');
  });

  test('iterating through the driver sees every document once, in order', async () => {
    const ids = (await coll('many').find({}).sort({ v: -1 }).batchSize(30).toArray()).map((d) => d._id);
    expect(ids).toHaveLength(250);
    expect(ids[0]).toBe(249);
    expect(new Set(ids).size).toBe(250);
  });

  test('killCursors reports killed ids; getMore on a killed cursor is 43 CursorNotFound', async () => {
    const res = await t.db.command({ find: 'many', filter: {}, batchSize: 5 }, { promoteLongs: false });
    const id = res.cursor.id as Long;
    const killed = await t.db.command({ killCursors: 'many', cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([String(id)]);
    expect(killed.cursorsNotFound).toEqual([]);
    const err = await serverError(t.db.command({ getMore: id, collection: 'many' }));
    expect(err.code).toBe(43);
    expect(err.codeName).toBe('CursorNotFound');
  });

  test('aggregate cursors page the same way', async () => {
    const res = await t.db.command({ aggregate: 'many', pipeline: [{ $match: { v: { $gte: 10 } } }], cursor: {} });
    expect(res.cursor.firstBatch).toHaveLength(101);
    const all = await coll('many').aggregate([{ $match: { v: { $gte: 10 } } }]).toArray();
    expect(all).toHaveLength(240);
  });
});

describe('update', () => {
  beforeEach(async () => {
    await coll('upd').deleteMany({});
    await coll('upd').insertMany([
      { _id: 1 , n: 1, tags: ['a'], items: [{ k: 'x', q: 1 }, { k: 'y', q: 2 }] },
      { _id: 2 , n: 2, tags: [], items: [] },
    ]);
  });

  test('reply shape: n and nModified; multi', async () => {
    const one = await t.db.command({ update: 'upd', updates: [{ q: {}, u: { $inc: { n: 1 } } }] });
    expect(one).toMatchObject({ n: 1, nModified: 1, ok: 1 });
    const many = await t.db.command({ update: 'upd', updates: [{ q: {}, u: { $set: { flag: true } }, multi: true }] });
    expect(many).toMatchObject({ n: 2, nModified: 2 });
    const same = await t.db.command({ update: 'upd', updates: [{ q: {}, u: { $set: { flag: true } }, multi: true }] });
    expect(same).toMatchObject({ n: 2, nModified: 0 });
  });

  test('upsert with $setOnInsert: upserted [{index, _id}], seed from the query', async () => {
    const res = await t.db.command({
      update: 'upd',
      updates: [{ q: { code: 'z9', kind: { $eq: 'k' } }, u: { $set: { v: 1 }, $setOnInsert: { created: true } }, upsert: true }],
    });
    expect(res.n).toBe(1);
    expect(res.nModified).toBe(0);
    expect(res.upserted).toHaveLength(1);
    expect(res.upserted[0].index).toBe(0);
    const doc = await coll('upd').findOne({ _id: res.upserted[0]._id });
    expect(doc).toMatchObject({ code: 'z9', kind: 'k', v: 1, created: true });
    await coll('upd').updateOne({ code: 'z9' }, { $set: { v: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect(await coll('upd').findOne({ code: 'z9' })).toMatchObject({ v: 2, created: true });
  });

  test('upsert with an _id in the query and $set of the same _id (connect-mongo does this)', async () => {
    await coll('upd').updateOne({ _id: 'sess' }, { $set: { _id: 'sess', v: 1 } }, { upsert: true });
    await coll('upd').updateOne({ _id: 'sess' }, { $set: { _id: 'sess', v: 2 } }, { upsert: true });
    expect(await coll('upd').findOne({ _id: 'sess' })).toEqual({ _id: 'sess', v: 2 });
  });

  test('array operators, positional $, arrayFilters', async () => {
    const c = coll('upd');
    await c.updateOne({ _id: 1 }, { $push: { tags: { $each: ['b', 'c'] } } } as unknown as UpdateFilter<AnyDoc>);
    await c.updateOne({ _id: 1 }, { $addToSet: { tags: 'a' } });
    await c.updateOne({ _id: 1 }, { $pull: { tags: 'b' } } as unknown as UpdateFilter<AnyDoc>);
    await c.updateOne({ _id: 1 , 'items.k': 'y' }, { $set: { 'items.$.q': 20 } });
    await c.updateOne({ _id: 1 }, { $inc: { 'items.$[it].q': 5 } }, { arrayFilters: [{ 'it.k': 'x' }] });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1, tags: ['a', 'c'], items: [{ k: 'x', q: 6 }, { k: 'y', q: 20 }] });
  });

  test('pipeline updates', async () => {
    await coll('upd').updateMany({}, [{ $set: { double: { $multiply: ['$n', 2] } } }, { $unset: 'tags' }]);
    expect(await coll('upd').find({}).sort({ _id: 1 }).project({ double: 1, tags: 1 }).toArray()).toEqual([
      { _id: 1, double: 2 },
      { _id: 2, double: 4 },
    ]);
  });

  test('replacement keeps _id; changing _id is 66 ImmutableField', async () => {
    await coll('upd').replaceOne({ _id: 2 }, { fresh: true });
    expect(await coll('upd').findOne({ _id: 2 })).toEqual({ _id: 2, fresh: true });
    const err = await serverError(coll('upd').updateOne({ _id: 2 }, { $set: { _id: 99 } }));
    expect(err.code).toBe(66);
    const err2 = await serverError(coll('upd').replaceOne({ _id: 2 }, { _id: 98, x: 1 }));
    expect(err2.code).toBe(66);
  });
});

describe('delete, count, distinct', () => {
  beforeAll(async () => {
    await coll('del').insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i , even: i % 2 === 0, tags: [`t${i % 3}`, 'all'] })));
  });

  test('delete with limit 1 and 0', async () => {
    expect(await t.db.command({ delete: 'del', deletes: [{ q: { even: true }, limit: 1 }] })).toMatchObject({ n: 1, ok: 1 });
    expect(await t.db.command({ delete: 'del', deletes: [{ q: { even: true }, limit: 0 }] })).toMatchObject({ n: 4, ok: 1 });
    expect(await t.db.command({ count: 'del' })).toMatchObject({ n: 5, ok: 1 });
    expect(await t.db.command({ count: 'del', query: { _id: { $gt: 4 } } })).toMatchObject({ n: 3 });
    expect(await t.db.command({ count: 'nope' })).toMatchObject({ n: 0 });
  });

  test('distinct flattens arrays', async () => {
    const res = await t.db.command({ distinct: 'del', key: 'tags' });
    expect([...res.values].sort()).toEqual(['all', 't0', 't1', 't2']);
    expect(await coll('del').distinct('even', { _id: { $lt: 4 } })).toEqual([false]);
  });
});

describe('findAndModify', () => {
  beforeEach(async () => {
    await coll('fam').deleteMany({});
    await coll('fam').insertMany([
      { _id: 1 , q: 'a', n: 5 },
      { _id: 2 , q: 'a', n: 3 },
    ]);
  });

  test('update returns the old document by default, the new one with new: true, honours sort and fields', async () => {
    const old = await t.db.command({ findAndModify: 'fam', query: { q: 'a' }, sort: { n: 1 }, update: { $inc: { n: 10 } } });
    expect(old.value).toEqual({ _id: 2, q: 'a', n: 3 });
    expect(old.lastErrorObject).toEqual({ n: 1, updatedExisting: true });
    const fresh = await t.db.command({ findAndModify: 'fam', query: { _id: 1 }, update: { $set: { z: 1 } }, new: true, fields: { q: 0 } });
    expect(fresh.value).toEqual({ _id: 1, n: 5, z: 1 });
    const viaDriver = await coll('fam').findOneAndUpdate({ _id: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    expect(viaDriver).toMatchObject({ n: 6 });
  });

  test('the new document comes back with its projection even when the update changed a filtered field', async () => {
    const res = await coll('fam').findOneAndUpdate({ _id: 1, q: 'a' }, { $set: { q: 'b' } }, { returnDocument: 'after', projection: { n: 0 } });
    expect(res).toEqual({ _id: 1, q: 'b' });
    const before = await coll('fam').findOneAndUpdate({ _id: 1, q: 'b' }, { $set: { q: 'c' } }, { projection: { n: 0 } });
    expect(before).toEqual({ _id: 1, q: 'b' });
  });

  test('upsert reports upserted and updatedExisting false', async () => {
    const res = await t.db.command({ findAndModify: 'fam', query: { _id: 7 }, update: { $set: { v: 1 } }, upsert: true, new: true });
    expect(res.lastErrorObject).toEqual({ n: 1, updatedExisting: false, upserted: 7 });
    expect(res.value).toEqual({ _id: 7, v: 1 });
    const none = await t.db.command({ findAndModify: 'fam', query: { _id: 8 }, update: { $set: { v: 1 } } });
    expect(none.value).toBeNull();
    expect(none.lastErrorObject).toEqual({ n: 0, updatedExisting: false });
  });

  test('remove returns the removed document', async () => {
    const res = await t.db.command({ findAndModify: 'fam', query: {}, sort: { n: -1 }, remove: true });
    expect(res.value).toEqual({ _id: 1, q: 'a', n: 5 });
    expect(res.lastErrorObject).toEqual({ n: 1 });
    expect(await coll('fam').countDocuments()).toBe(1);
  });

  test('both update and remove is an error', async () => {
    const err = await serverError(t.db.command({ findAndModify: 'fam', query: {}, remove: true, update: { $set: { a: 1 } } }));
    expect(err.code).toBe(9);
  });
});
