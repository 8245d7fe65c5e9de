/**
 * Error fidelity: wrong queries and updates fail with MongoDB's codes instead of a silent wrong
 * answer — unknown operators, $inc on a string, _id changes, conflicting update paths, malformed
 * pipelines — and numeric and date types keep their BSON types through a round trip.
 */
import { Double, Int32, Long, MongoServerError, ObjectId, type Collection, type UpdateFilter } from 'mongodb';
import { connectTestDb, embeddedOnly, serverError, type TestDb, type AnyDoc } from './support';

let t: TestDb;
let c: Collection<AnyDoc>;
beforeAll(async () => {
  t = await connectTestDb('err');
  c = t.db.collection('e');
  await c.insertMany([
    { _id: 1 , s: 'text', n: 1, arr: [1, 2] },
    { _id: 2 , s: 'more', n: 2, arr: [] },
  ]);
});
afterAll(async () => {
  await t.close();
});

describe('query errors', () => {
  test('unknown field operator is 2 BadValue "unknown operator: $foo"', async () => {
    const err = await serverError(c.find({ n: { $foo: 1 } }).toArray());
    expect(err.code).toBe(2);
    expect(err.codeName).toBe('BadValue');
    expect(err.message).toMatch(/unknown operator: \$foo/);
  });

  test('unknown top-level operator is 2 BadValue', async () => {
    const err = await serverError(c.find({ $bogus: [{ n: 1 }] }).toArray());
    expect(err.code).toBe(2);
    expect(err.message).toMatch(/unknown top level operator: \$bogus/);
  });

  test('$in needs an array; $and needs a non-empty array', async () => {
    expect((await serverError(c.find({ n: { $in: 5 } }).toArray())).code).toBe(2);
    expect((await serverError(c.find({ $and: [] }).toArray())).code).toBe(2);
  });

  test('the same errors reach count, delete, update and aggregate $match', async () => {
    expect((await serverError(c.countDocuments({ n: { $foo: 1 } }))).code).toBe(2);
    expect((await serverError(c.deleteMany({ n: { $foo: 1 } }))).code).toBe(2);
    expect((await serverError(c.updateMany({ n: { $foo: 1 } }, { $set: { a: 1 } }))).code).toBe(2);
    expect((await serverError(c.aggregate([{ $match: { n: { $foo: 1 } } }]).toArray())).code).toBe(2);
  });

  test('an unknown pipeline stage is refused', async () => {
    const err = await serverError(c.aggregate([{ $frobnicate: {} }]).toArray());
    expect(err.code).toBe(40324);
  });

  test('aggregate without a cursor option is refused', async () => {
    const err = await serverError(t.db.command({ aggregate: 'e', pipeline: [] }));
    expect(err.code).toBe(9);
  });
});

describe('refusals instead of silent wrong answers', () => {
  embeddedOnly('a case-insensitive collation is refused for matching, unique indexes and collections', async () => {
    const q = await serverError(c.find({ s: 'TEXT' }, { collation: { locale: 'en', strength: 2 } }).toArray());
    expect(q.code).toBe(2);
    expect((await serverError(c.createIndex({ s: 1 }, { unique: true, collation: { locale: 'en', strength: 1 } }))).code).toBe(2);
    expect((await serverError(t.db.createCollection('ci', { collation: { locale: 'en', strength: 2 } }))).code).toBe(2);
    // Sorting with a collation is fine.
    const sorted = await c.find({}, { collation: { locale: 'en' } }).sort({ s: 1 }).project({ s: 1 }).toArray();
    expect(sorted.map((d) => d.s)).toEqual(['more', 'text']);
  });
});

describe('update errors', () => {
  test('unknown update operator is 9 FailedToParse "Unknown modifier: $foo"', async () => {
    const reply = await t.db.command({ update: 'e', updates: [{ q: { _id: 1 }, u: { $foo: { n: 1 } } }] });
    const err = new MongoServerError(reply.writeErrors[0]);
    expect(err.code).toBe(9);
    expect(err.message).toMatch(/Unknown modifier: \$foo/);
  });

  test('$inc on a string is 14 TypeMismatch and changes nothing', async () => {
    const err = await serverError(c.updateOne({ _id: 1 }, { $inc: { s: 1 } }));
    expect(err.code).toBe(14);
    expect(err.message).toMatch(/Cannot apply \$inc to a value of non-numeric type/);
    expect(await c.findOne({ _id: 1 })).toMatchObject({ s: 'text' });
  });

  test('$inc with a non-numeric argument is 14 TypeMismatch', async () => {
    const err = await serverError(c.updateOne({ _id: 1 }, { $inc: { n: 'x' } } as unknown as UpdateFilter<AnyDoc>));
    expect(err.code).toBe(14);
  });

  test('$push onto a non-array is refused', async () => {
    const err = await serverError(c.updateOne({ _id: 1 }, { $push: { s: 'x' } } as unknown as UpdateFilter<AnyDoc> ));
    expect(err.code).toBe(2);
  });

  test('modifying _id is 66 ImmutableField', async () => {
    expect((await serverError(c.updateOne({ _id: 1 }, { $set: { _id: 5 } }))).code).toBe(66);
    expect((await serverError(c.updateOne({ _id: 1 }, { $unset: { _id: '' } }))).code).toBe(66);
  });

  test('two operators on the same path is 40 ConflictingUpdateOperators', async () => {
    const err = await serverError(c.updateOne({ _id: 1 }, { $set: { n: 1 }, $inc: { n: 1 } }));
    expect(err.code).toBe(40);
  });

  test('mixing operators and plain fields is refused', async () => {
    const res = await t.db.command({ update: 'e', updates: [{ q: { _id: 1 }, u: { $set: { n: 3 }, plain: 1 } }] });
    expect(res.writeErrors?.[0]?.code).toBe(9);
    const res2 = await t.db.command({ update: 'e', updates: [{ q: { _id: 1 }, u: { plain: 1, $set: { n: 3 } } }] });
    expect(res2.writeErrors?.[0]?.code).toBe(52);
  });

  test('an empty replacement keeps only _id', async () => {
    await c.insertOne({ _id: 9 , a: 1 });
    const res = await t.db.command({ update: 'e', updates: [{ q: { _id: 9 }, u: {} }] });
    expect(res).toMatchObject({ n: 1, nModified: 1 });
    expect(await c.findOne({ _id: 9 })).toEqual({ _id: 9 });
  });
});

describe('types survive a round trip', () => {
  test('Int64, Double, Int32, Date, ObjectId', async () => {
    const when = new Date(1_700_000_000_123);
    const oid = new ObjectId();
    await c.insertOne({ _id: 'types' , big: Long.fromNumber(2 ** 40), small: new Int32(7), frac: new Double(2.5), when, oid });
    const back = await c.findOne({ _id: 'types'  }, { promoteValues: false });
    expect(back!.big).toBeInstanceOf(Long);
    expect(String(back!.big)).toBe(String(2 ** 40));
    expect(back!.small).toBeInstanceOf(Int32);
    expect(back!.frac).toBeInstanceOf(Double);
    expect(back!.when).toEqual(when);
    expect(back!.oid).toEqual(oid);
  });

  test('a double with an integral value stays a double, also after $inc', async () => {
    await c.insertOne({ _id: 'dbl', two: new Double(2), list: [new Double(1), 3] });
    await c.updateOne({ _id: 'dbl' }, { $inc: { two: 1 } });
    const back = await c.findOne({ _id: 'dbl' }, { promoteValues: false });
    expect(back!.two).toBeInstanceOf(Double);
    expect(back!.two.valueOf()).toBe(3);
    expect(back!.list[0]).toBeInstanceOf(Double);
    expect(back!.list[1]).toBeInstanceOf(Int32);
    // Matching ignores the numeric type, as in MongoDB.
    expect(await c.countDocuments({ _id: 'dbl', two: 3 })).toBe(1);
  });

  test('$inc keeps an Int64 an Int64', async () => {
    await c.insertOne({ _id: 'counter' , v: Long.fromNumber(5) });
    await c.updateOne({ _id: 'counter'  }, { $inc: { v: 1 } });
    const back = await c.findOne({ _id: 'counter'  }, { promoteValues: false });
    expect(back!.v).toBeInstanceOf(Long);
    expect(String(back!.v)).toBe('6');
  });
});
