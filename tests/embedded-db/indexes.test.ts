/**
 * Indexes through the driver: createIndexes / listIndexes / dropIndexes reply shapes, unique,
 * compound, sparse, partial and multikey uniqueness with MongoDB's E11000 form, and explain
 * showing that equality, $in, $all, range and sorted queries use their index (IXSCAN with the
 * index name) while an unindexed query scans the collection.
 */
import type { Collection, Document } from 'mongodb';
import { connectTestDb, embeddedOnly, hasCollScan, indexScans, planStages, serverError, type TestDb, type AnyDoc } from './support';

let t: TestDb;
beforeAll(async () => {
  t = await connectTestDb('idx');
});
afterAll(async () => {
  await t.close();
});

function coll(name: string): Collection<AnyDoc> {
  return t.db.collection(name);
}

describe('index commands', () => {
  test('createIndexes reply, listIndexes, "all indexes already exist", dropIndexes', async () => {
    const res = await t.db.command({ createIndexes: 'ic', indexes: [{ key: { a: 1 }, name: 'a_1' }, { key: { b: -1, c: 1 }, name: 'b_-1_c_1', unique: true }] });
    expect(res).toMatchObject({ ok: 1, numIndexesBefore: 1, numIndexesAfter: 3, createdCollectionAutomatically: true });
    const again = await t.db.command({ createIndexes: 'ic', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(again).toMatchObject({ ok: 1, numIndexesBefore: 3, numIndexesAfter: 3 });
    expect(again.note).toBe('all indexes already exist');
    const list = await coll('ic').listIndexes().toArray();
    expect(list.map((i) => i.name)).toEqual(['_id_', 'a_1', 'b_-1_c_1']);
    expect(list[0]).toEqual({ v: 2, key: { _id: 1 }, name: '_id_' });
    expect(list[2]).toMatchObject({ v: 2, key: { b: -1, c: 1 }, name: 'b_-1_c_1', unique: true });
    const dropped = await t.db.command({ dropIndexes: 'ic', index: 'a_1' });
    expect(dropped).toMatchObject({ ok: 1, nIndexesWas: 3 });
    const missing = await serverError(t.db.command({ dropIndexes: 'ic', index: 'nope_1' }));
    expect(missing.code).toBe(27);
    expect(missing.codeName).toBe('IndexNotFound');
    const idIndex = await serverError(t.db.command({ dropIndexes: 'ic', index: '_id_' }));
    expect(idIndex.code).toBe(72);
    await t.db.command({ dropIndexes: 'ic', index: '*' });
    expect((await coll('ic').listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  test('same name with another key is 86; same key with another name is 85', async () => {
    await coll('conf').createIndex({ a: 1 }, { name: 'my' });
    expect((await serverError(coll('conf').createIndex({ b: 1 }, { name: 'my' }))).code).toBe(86);
    expect((await serverError(coll('conf').createIndex({ a: 1 }, { name: 'other' }))).code).toBe(85);
  });

  test('a unique index over duplicate data fails with 11000 and is not created', async () => {
    await coll('predup').insertMany([{ e: 'x' }, { e: 'x' }]);
    const err = await serverError(coll('predup').createIndex({ e: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
    expect((await coll('predup').listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  embeddedOnly('text indexes and $text are refused with MongoDB-style errors', async () => {
    const err = await serverError(coll('txt').createIndex({ body: 'text' }));
    expect(err.code).toBe(67);
    expect(err.codeName).toBe('CannotCreateIndex');
    await coll('txt').insertOne({ body: 'hello' });
    const q = await serverError(coll('txt').find({ $text: { $search: 'hello' } }).toArray());
    expect(q.code).toBe(27);
  });
});

describe('uniqueness', () => {
  test('single field: the E11000 message, keyPattern and keyValue', async () => {
    const c = coll('u1');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.io' });
    const err = await serverError(c.insertOne({ email: 'a@x.io' }));
    expect(err.code).toBe(11000);
    expect(err.message).toBe(`E11000 duplicate key error collection: ${t.db.databaseName}.u1 index: email_1 dup key: { email: "a@x.io" }`);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x.io' });
    // An update that would collide is refused the same way, and changes nothing.
    await c.insertOne({ email: 'b@x.io', n: 1 });
    const upd = await serverError(c.updateOne({ email: 'b@x.io' }, { $set: { email: 'a@x.io', n: 2 } }));
    expect(upd.code).toBe(11000);
    expect(await c.findOne({ email: 'b@x.io' })).toMatchObject({ n: 1 });
  });

  test('findAndModify duplicate: top-level code 11000 DuplicateKey', async () => {
    const c = coll('u1');
    const res = await serverError(t.db.command({ findAndModify: 'u1', query: { email: 'b@x.io' }, update: { $set: { email: 'a@x.io' } } }));
    expect(res.code).toBe(11000);
    expect(res.codeName).toBe('DuplicateKey');
    expect(res.keyValue).toEqual({ email: 'a@x.io' });
    expect(await c.countDocuments({ email: 'a@x.io' })).toBe(1);
  });

  test('compound unique index: only the full combination must be unique', async () => {
    const c = coll('u2');
    await c.createIndex({ org: 1, email: 1 }, { unique: true });
    await c.insertMany([{ org: 1, email: 'a' }, { org: 2, email: 'a' }, { org: 1, email: 'b' }]);
    const err = await serverError(c.insertOne({ org: 1, email: 'a' }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ org: 1, email: 'a' });
    expect(err.message).toContain('dup key: { org: 1, email: "a" }');
  });

  test('non-sparse unique: two documents without the field collide on null', async () => {
    const c = coll('u3');
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertOne({ x: 1 });
    const err = await serverError(c.insertOne({ x: 2 }));
    expect(err.keyValue).toEqual({ code: null });
  });

  test('sparse unique: documents without the field do not collide', async () => {
    const c = coll('u4');
    await c.createIndex({ code: 1 }, { unique: true, sparse: true });
    await c.insertMany([{ x: 1 }, { x: 2 }, { code: 'k' }]);
    expect((await serverError(c.insertOne({ code: 'k' }))).code).toBe(11000);
  });

  test('partial unique: only documents matching the filter are constrained', async () => {
    const c = coll('u5');
    await c.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await c.insertMany([{ email: 'a', active: false }, { email: 'a', active: false }, { email: 'a', active: true }]);
    expect((await serverError(c.insertOne({ email: 'a', active: true }))).code).toBe(11000);
    const idx = (await c.listIndexes().toArray()).find((i) => i.name === 'email_1');
    expect(idx).toMatchObject({ unique: true, partialFilterExpression: { active: true } });
  });

  test('multikey unique: each array element is a key', async () => {
    const c = coll('u6');
    await c.createIndex({ tags: 1 }, { unique: true });
    await c.insertOne({ tags: ['a', 'b', 'b'] });
    const err = await serverError(c.insertOne({ tags: ['c', 'b'] }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ tags: 'b' });
    await c.insertOne({ tags: ['c', 'd'] });
  });
});

describe('the planner uses indexes (explain)', () => {
  beforeAll(async () => {
    const c = coll('plan');
    await c.insertMany(
      Array.from({ length: 300 }, (_, i) => ({
        sku: `s${String(i).padStart(4, '0')}`,
        price: i,
        cat: `c${i % 10}`,
        words: [`w${i % 7}`, `w${i % 11}`, 'all'],
        free: i % 3,
      })),
    );
    await c.createIndex({ sku: 1 }, { unique: true });
    await c.createIndex({ price: 1 });
    await c.createIndex({ words: 1 });
    await c.createIndex({ cat: 1, price: -1 });
  });

  async function explainFind(filter: Document, sort?: Document, limit?: number): Promise<Document> {
    let cursor = coll('plan').find(filter);
    if (sort) cursor = cursor.sort(sort);
    if (limit) cursor = cursor.limit(limit);
    return cursor.explain('executionStats');
  }

  test('equality on an indexed field', async () => {
    const ex = await explainFind({ sku: 's0042' });
    expect(indexScans(ex)).toEqual(['sku_1']);
    expect(hasCollScan(ex)).toBe(false);
    const ixscan = planStages(ex).find((s) => s.stage === 'IXSCAN');
    expect(ixscan).toMatchObject({ indexName: 'sku_1', keyPattern: { sku: 1 } });
    expect(await coll('plan').findOne({ sku: 's0042' })).toMatchObject({ price: 42 });
  });

  test('$in on a multikey index', async () => {
    const ex = await explainFind({ words: { $in: ['w3', 'w5'] } });
    expect(indexScans(ex)).toEqual(['words_1']);
    const docs = await coll('plan').find({ words: { $in: ['w3', 'w5'] } }).toArray();
    expect(docs.length).toBe(300 - (await coll('plan').countDocuments({ words: { $nin: ['w3', 'w5'] } })));
    expect(docs.every((d) => d.words.includes('w3') || d.words.includes('w5'))).toBe(true);
  });

  test('$all on a multikey index', async () => {
    const ex = await explainFind({ words: { $all: ['w3', 'w5'] } });
    expect(indexScans(ex)).toEqual(['words_1']);
    const docs = await coll('plan').find({ words: { $all: ['w3', 'w5'] } }).toArray();
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.every((d) => d.words.includes('w3') && d.words.includes('w5'))).toBe(true);
    const all = await coll('plan').find({ words: { $all: ['all', 'w10', 'w3'] } }).toArray();
    expect(all.length).toBe(await coll('plan').countDocuments({ $and: [{ words: 'w10' }, { words: 'w3' }] }));
  });

  test('a range with an indexed sort and a limit', async () => {
    const ex = await explainFind({ price: { $gte: 100, $lt: 200 } }, { price: -1 }, 5);
    expect(indexScans(ex)).toEqual(['price_1']);
    expect(planStages(ex).some((s) => s.stage === 'SORT')).toBe(false);
    const docs = await coll('plan').find({ price: { $gte: 100, $lt: 200 } }).sort({ price: -1 }).limit(5).toArray();
    expect(docs.map((d) => d.price)).toEqual([199, 198, 197, 196, 195]);
  });

  test('a sort alone on an indexed field walks the index', async () => {
    const ex = await explainFind({}, { sku: 1 }, 3);
    expect(indexScans(ex)).toEqual(['sku_1']);
    expect(ex.executionStats.totalDocsExamined).toBeLessThan(300);
    const docs = await coll('plan').find({}).sort({ sku: 1 }).limit(3).toArray();
    expect(docs.map((d) => d.sku)).toEqual(['s0000', 's0001', 's0002']);
  });

  test('equality on the prefix of a compound index, sorted by its second field', async () => {
    const ex = await explainFind({ cat: 'c3' }, { price: -1 });
    expect(indexScans(ex)).toEqual(['cat_1_price_-1']);
    const docs = await coll('plan').find({ cat: 'c3' }).sort({ price: -1 }).toArray();
    expect(docs).toHaveLength(30);
    expect(docs[0].price).toBe(293);
  });

  test('an unindexed field is a collection scan', async () => {
    const ex = await explainFind({ free: 2 });
    expect(hasCollScan(ex)).toBe(true);
    expect(indexScans(ex)).toEqual([]);
    expect(await coll('plan').countDocuments({ free: 2 })).toBe(100);
  });

  test('aggregate with a leading $match uses the index', async () => {
    const ex = await coll('plan').aggregate([{ $match: { sku: 's0007' } }, { $group: { _id: '$cat', n: { $sum: 1 } } }]).explain('queryPlanner');
    expect(indexScans(ex)).toEqual(['sku_1']);
  });
});
