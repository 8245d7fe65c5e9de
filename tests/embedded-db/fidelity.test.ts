/**
 * MongoDB semantics that a third-party suite (mongoose's own tests) and MongoDB's CRUD
 * specification tests exercise: one block per behaviour, through the official driver and, where
 * mongoose sends something of its own, through mongoose. Written to pass on a real MongoDB 7.0
 * too; refusals that only the embedded database makes are marked embeddedOnly.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { Binary, DBRef, Decimal128, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { connectTestDb, embeddedOnly, serverError, type AnyDoc, type TestDb, testDbUri } from './support';

let t: TestDb;
let conn: Connection;
beforeAll(async () => {
  t = await connectTestDb('fid');
  conn = await mongoose.createConnection(testDbUri('fidm'), { serverSelectionTimeoutMS: 10_000 }).asPromise();
});
afterAll(async () => {
  await t.close();
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

let n = 0;
/** A fresh collection for each test. */
function fresh(): Collection<AnyDoc> {
  n++;
  return t.db.collection(`c${n}`);
}

describe('1. several positional paths in one update', () => {
  test('$ twice, $[] twice, $[id] with arrayFilters, and $set with $addToSet on x.$', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, children: [{ name: 'a', n: 1, tags: [] }, { name: 'b', n: 2, tags: [] }] });
    const r = await c.updateOne({ 'children.name': 'b' }, { $set: { 'children.$.name': 'B', 'children.$.n': 20 } });
    expect(r.modifiedCount).toBe(1);
    await c.updateOne({ _id: 1 }, { $inc: { 'children.$[].n': 1, 'children.$[].m': 5 } });
    await c.updateOne({ _id: 1 }, { $set: { 'children.$[k].flag': true, 'children.$[k].x': 1 } }, { arrayFilters: [{ 'k.n': { $gt: 10 } }] });
    await c.updateOne({ 'children.name': 'a' }, { $set: { 'children.$.seen': true }, $addToSet: { 'children.$.tags': 'new' } });
    expect(await c.findOne({ _id: 1 })).toEqual({
      _id: 1,
      children: [
        { name: 'a', n: 2, tags: ['new'], m: 5, seen: true },
        { name: 'B', n: 21, tags: [], m: 5, flag: true, x: 1 },
      ],
    });
  });

  test('the same element reached twice is still a conflict (code 40)', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: [{ b: 1 }] });
    const err = await serverError(c.updateOne({ 'a.b': 1 }, { $set: { 'a.$.b': 2, 'a.$': { b: 3 } } }));
    expect(err.code).toBe(40);
  });

  test('mongoose: a positional update of a subdocument with timestamps', async () => {
    const child = new Schema({ name: String }, { timestamps: true });
    const Parent = conn.model('PosParent', new Schema({ children: [child] }));
    const p = await Parent.create({ children: [{ name: 'one' }, { name: 'two' }] });
    const r = await Parent.updateOne({ _id: p._id, 'children.name': 'two' }, { $set: { 'children.$.name': 'TWO' } });
    expect(r.modifiedCount).toBe(1);
    const back = await Parent.findById(p._id).lean();
    expect(back!.children.map((ch) => ch.name)).toEqual(['one', 'TWO']);
    expect(back!.children[1].updatedAt).toBeInstanceOf(Date);
  });
});

describe('2. $pull with a logical condition', () => {
  test('$or, $and and a field condition on subdocuments', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, arr: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: 'z' }, 4] });
    const r = await c.updateOne({ _id: 1 }, { $pull: { arr: { $or: [{ a: 1 }, { b: 'z' }] } as never } });
    expect(r.modifiedCount).toBe(1);
    expect((await c.findOne({ _id: 1 }))!.arr).toEqual([{ a: 2, b: 'y' }, 4]);
    await c.updateOne({ _id: 1 }, { $pull: { arr: { $gte: 4 } as never } });
    expect((await c.findOne({ _id: 1 }))!.arr).toEqual([{ a: 2, b: 'y' }]);
    await c.updateOne({ _id: 1 }, { $pull: { arr: { a: 2 } as never } });
    expect((await c.findOne({ _id: 1 }))!.arr).toEqual([]);
  });
});

describe('3. $slice projections', () => {
  test('alone it keeps every other field; with an exclusion it stays an exclusion', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, x: 1, arr: [1, 2, 3, 4], y: 'y' });
    expect(await c.findOne({}, { projection: { arr: { $slice: 2 } } })).toEqual({ _id: 1, x: 1, arr: [1, 2], y: 'y' });
    expect(await c.findOne({}, { projection: { arr: { $slice: -1 }, x: 0 } })).toEqual({ _id: 1, arr: [4], y: 'y' });
    expect(await c.findOne({}, { projection: { arr: { $slice: [1, 2] }, y: 1 } })).toEqual({ _id: 1, arr: [2, 3], y: 'y' });
  });
});

describe('4. $type', () => {
  const typed = {
    _id: new ObjectId('65a000000000000000000001'),
    i: 1,
    d: new Double(2),
    f: 2.5,
    l: Long.fromNumber(3),
    dec: Decimal128.fromString('1.5'),
    bin: new Binary(Buffer.from([1, 2])),
    ts: new (require('mongodb').Timestamp)({ t: 1, i: 1 }),
  };
  let c: Collection<AnyDoc>;
  beforeAll(async () => {
    c = fresh();
    await c.insertOne(typed);
  });

  test.each([
    ['_id', 'objectId', 7],
    ['i', 'int', 16],
    ['d', 'double', 1],
    ['f', 'double', 1],
    ['l', 'long', 18],
    ['dec', 'decimal', 19],
    ['bin', 'binData', 5],
    ['ts', 'timestamp', 17],
  ])('%s matches %s and code %d, and no other numeric type', async (field, alias, code) => {
    expect(await c.countDocuments({ [field]: { $type: alias } })).toBe(1);
    expect(await c.countDocuments({ [field]: { $type: code } })).toBe(1);
    for (const other of ['int', 'double', 'long', 'decimal'].filter((a) => a !== alias)) {
      expect(await c.countDocuments({ [field]: { $type: other } })).toBe(0);
    }
  });

  test("'number' matches every numeric type, decimal included", async () => {
    for (const f of ['i', 'd', 'f', 'l', 'dec']) expect(await c.countDocuments({ [f]: { $type: 'number' } })).toBe(1);
    expect(await c.countDocuments({ bin: { $type: 'number' } })).toBe(0);
  });

  test('the aggregation $type names', async () => {
    const [r] = await c
      .aggregate([{ $project: { _id: 0, o: { $type: '$_id' }, i: { $type: '$i' }, d: { $type: '$d' }, l: { $type: '$l' }, dec: { $type: '$dec' }, bin: { $type: '$bin' }, m: { $type: '$nope' } } }])
      .toArray();
    expect(r).toEqual({ o: 'objectId', i: 'int', d: 'double', l: 'long', dec: 'decimal', bin: 'binData', m: 'missing' });
  });

  test('an unknown alias is refused with code 2', async () => {
    expect((await serverError(c.find({ i: { $type: 'integer' } }).toArray())).code).toBe(2);
  });
});

describe('5. $elemMatch projection with operators only', () => {
  test('$in and $gte on array elements', async () => {
    const c = fresh();
    const d1 = new Date('2024-01-01');
    const d2 = new Date('2024-06-01');
    await c.insertOne({ _id: 1, ids: [5, 7, 9], dates: [d1, d2], other: 1 });
    expect(await c.findOne({}, { projection: { ids: { $elemMatch: { $in: [7, 9] } } } })).toEqual({ _id: 1, ids: [7] });
    expect(await c.findOne({}, { projection: { dates: { $elemMatch: { $gte: new Date('2024-03-01') } } } })).toEqual({ _id: 1, dates: [d2] });
    expect(await c.findOne({}, { projection: { ids: { $elemMatch: { $gt: 100 } } } })).toEqual({ _id: 1 });
  });
});

describe('6. $all on a field that is not an array', () => {
  test('matches the scalar equal to the single element', async () => {
    const c = fresh();
    await c.insertMany([{ _id: 1, title: 'Aristocats' }, { _id: 2, title: ['Aristocats', 'Bambi'] }, { _id: 3, title: 'Bambi' }]);
    const found = await c.find({ title: { $all: ['Aristocats'] } }).sort({ _id: 1 }).toArray();
    expect(found.map((d) => d._id)).toEqual([1, 2]);
    expect(await c.countDocuments({ title: { $all: ['Aristocats', 'Bambi'] } })).toBe(1);
  });
});

describe('7. binary data', () => {
  test('range comparisons, $bitsAllSet on BinData, and a subtype-only change', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, b: new Binary(Buffer.from([1])) },
      { _id: 2, b: new Binary(Buffer.from([1, 2])) },
      { _id: 3, b: new Binary(Buffer.from([0x0f, 0xff])) },
    ]);
    const ids = async (q: Document): Promise<unknown[]> => (await c.find(q).sort({ _id: 1 }).toArray()).map((d) => d._id);
    // By length first, then subtype, then bytes.
    expect(await ids({ b: { $gt: new Binary(Buffer.from([9])) } })).toEqual([2, 3]);
    expect(await ids({ b: { $lt: new Binary(Buffer.from([1, 3])) } })).toEqual([1, 2]);
    expect(await ids({ b: { $bitsAllSet: [0, 1, 2, 3] } })).toEqual([3]);
    expect(await ids({ b: { $bitsAnySet: new Binary(Buffer.from([2])) } })).toEqual([3]);
    expect(await ids({ b: { $bitsAnySet: new Binary(Buffer.from([0x10])) } })).toEqual([]);
    const r = await c.updateOne({ _id: 1 }, { $set: { b: new Binary(Buffer.from([1]), 4) } });
    expect(r.modifiedCount).toBe(1);
    expect(((await c.findOne({ _id: 1 }))!.b as Binary).sub_type).toBe(4);
  });
});

describe('8. the 16 MiB document limit', () => {
  test('an update that grows a document past it fails and leaves it unchanged', async () => {
    const c = fresh();
    const big = 'x'.repeat(9 * 1024 * 1024);
    await c.insertOne({ _id: 1, a: big });
    const err = await serverError(c.updateOne({ _id: 1 }, { $set: { b: big } }));
    expect(err.code).toBe(17419);
    expect(Object.keys((await c.findOne({ _id: 1 }))!)).toEqual(['_id', 'a']);
  });

  test('an insert past it fails (10334) and hello announces the limit', async () => {
    const c = fresh();
    const hello = await t.db.admin().command({ hello: 1 });
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    const res = await t.db.command({ insert: c.collectionName, documents: [{ _id: 1, a: 'y'.repeat(16 * 1024 * 1024) }] });
    expect(res.n).toBe(0);
    expect(res.writeErrors[0].code).toBe(10334);
    expect(await c.countDocuments()).toBe(0);
  });
});

describe('9. hidden indexes', () => {
  test('collMod hides and unhides; listIndexes reports it; the planner skips it', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { name: 'k_1' });
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ k: i })));
    const hide = await t.db.command({ collMod: c.collectionName, index: { name: 'k_1', hidden: true } });
    expect(hide).toMatchObject({ hidden_old: false, hidden_new: true, ok: 1 });
    const specs = await c.listIndexes().toArray();
    expect(specs.find((s) => s.name === 'k_1')!.hidden).toBe(true);
    const plan = JSON.stringify(await c.find({ k: 3 }).explain());
    expect(plan).toContain('COLLSCAN');
    expect(plan).not.toContain('"indexName":"k_1"');
    expect(await c.countDocuments({ k: 3 })).toBe(1);
    await t.db.command({ collMod: c.collectionName, index: { name: 'k_1', hidden: false } });
    expect(JSON.stringify(await c.find({ k: 3 }).explain())).toContain('"indexName":"k_1"');
  });
});

describe('10. $set through an array of subdocuments', () => {
  test('is refused with code 28 and changes nothing', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, comments: [{ body: 'a' }, { body: 'b' }] });
    const err = await serverError(c.updateOne({ _id: 1 }, { $set: { 'comments.body': 'z' } }));
    expect(err.code).toBe(28);
    expect((await c.findOne({ _id: 1 }))!.comments).toEqual([{ body: 'a' }, { body: 'b' }]);
  });
});

describe('11. $-prefixed field names', () => {
  test('inside $set values and inserted documents they are stored', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, meta: { $kind: 'x' } });
    const r = await c.updateOne({ _id: 1 }, { $set: { payload: { $amount: 5, nested: { $currency: 'CNY' } } } });
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, meta: { $kind: 'x' }, payload: { $amount: 5, nested: { $currency: 'CNY' } } });
  });

  test('a $-prefixed name below the top level of an update path is stored; at the top level refused (52)', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, m: {} });
    expect((await c.updateOne({ _id: 1 }, { $set: { 'm.$key': 1 } })).modifiedCount).toBe(1);
    expect((await c.findOne({ _id: 1 }))!.m).toEqual({ $key: 1 });
    expect((await serverError(c.updateOne({ _id: 1 }, { $set: { $top: 1 } }))).code).toBe(52);
  });

  test('mongoose: Mixed values holding $-keys, set whole and by path', async () => {
    const M = conn.model<{ data: unknown }>('DollarKeys', new Schema<{ data: unknown }>({ data: Schema.Types.Mixed }));
    const m = await M.create({ data: { $gt: 'not an operator' } });
    await M.updateOne({ _id: m._id }, { $set: { data: { $in: ['kept', 'as data'] } } });
    await M.updateOne({ _id: m._id }, { $set: { 'data.$extra': 2 } });
    expect((await M.findById(m._id).lean())!.data).toEqual({ $in: ['kept', 'as data'], $extra: 2 });
  });
});

describe('12. DBRef fields in queries', () => {
  test('$elemMatch on $id and a dotted path through $id', async () => {
    const c = fresh();
    const u1 = new ObjectId();
    const u2 = new ObjectId();
    await c.insertMany([
      { _id: 1, refs: [new DBRef('users', u1), new DBRef('users', u2)] },
      { _id: 2, refs: [new DBRef('users', u2)] },
      { _id: 3, owner: new DBRef('users', u1, 'other') },
    ]);
    expect((await c.find({ refs: { $elemMatch: { $id: u1 } } }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await c.find({ 'refs.$id': u2 }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
    expect((await c.find({ 'owner.$db': 'other' }).toArray()).map((d) => d._id)).toEqual([3]);
    const back = await c.findOne({ _id: 3 });
    expect(back!.owner).toBeInstanceOf(DBRef);
    expect((back!.owner as DBRef).oid).toEqual(u1);
  });
});

describe('13. collation locales in ICU form', () => {
  test('en_US is accepted by find and aggregate and sorts by it', async () => {
    const c = fresh();
    await c.insertMany([{ _id: 1, s: 'b' }, { _id: 2, s: 'B' }, { _id: 3, s: 'a' }]);
    const found = await c.find({}, { collation: { locale: 'en_US' } }).sort({ s: 1 }).toArray();
    expect(found.map((d) => d.s)).toEqual(['a', 'b', 'B']);
    const agg = await c.aggregate([{ $sort: { s: 1 } }], { collation: { locale: 'en_US' } }).toArray();
    expect(agg.map((d) => d.s)).toEqual(['a', 'b', 'B']);
    // A $sort after another stage is mingo's, with the same locale.
    const later = await c.aggregate([{ $project: { s: 1 } }, { $sort: { s: -1 } }], { collation: { locale: 'en_US' } }).toArray();
    expect(later.map((d) => d.s)).toEqual(['B', 'b', 'a']);
  });
});

describe('14. inclusion projections', () => {
  test('return _id first, then fields in the document order', async () => {
    const c = fresh();
    await c.insertOne({ b: 1, _id: 7, a: 2, c: 3 });
    const doc = await c.findOne({}, { projection: { c: 1, a: 1 } });
    expect(Object.keys(doc!)).toEqual(['_id', 'a', 'c']);
    expect(await c.findOne({}, { projection: { _id: 1 } })).toEqual({ _id: 7 });
    expect(Object.keys((await c.findOne({}, { projection: { _id: 0 } }))!)).toEqual(['b', 'a', 'c']);
  });
});

describe('15. __proto__ as a field name', () => {
  test('is stored and returned as data, and $rename can create it', async () => {
    const c = fresh();
    const doc = JSON.parse('{"_id": 1, "__proto__": {"polluted": true}, "x": 1}') as AnyDoc;
    await c.insertOne(doc);
    const back = await c.findOne({ _id: 1 });
    expect(Object.keys(back!)).toEqual(['_id', '__proto__', 'x']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')!.value).toEqual({ polluted: true });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    await c.updateOne({ _id: 1 }, { $rename: { x: 'meta.__proto__' } });
    const renamed = await c.findOne({ _id: 1 });
    expect(Object.getOwnPropertyDescriptor(renamed!.meta, '__proto__')!.value).toBe(1);
    expect(await c.countDocuments({ '__proto__.polluted': true })).toBe(1);
    // _id not first: the stored document is rebuilt with _id first, the field kept as data.
    await c.insertOne(JSON.parse('{"__proto__": {"p": 2}, "_id": 2}') as AnyDoc);
    const second = await c.findOne({ _id: 2 });
    expect(Object.keys(second!)).toEqual(['_id', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(second, '__proto__')!.value).toEqual({ p: 2 });
    await c.updateOne({ '__proto__.p': 2 }, { $set: { '__proto__.q': 3 } }, { upsert: true });
    expect(Object.getOwnPropertyDescriptor(await c.findOne({ _id: 2 }), '__proto__')!.value).toEqual({ p: 2, q: 3 });
  });
});

describe('16. Decimal128 arithmetic and comparison', () => {
  test('$inc, $mul, $max on a decimal, $inc by a decimal, exact results', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, dec: Decimal128.fromString('1.10'), n: 1 });
    await c.updateOne({ _id: 1 }, { $inc: { dec: 1 } });
    expect(String((await c.findOne({ _id: 1 }))!.dec)).toBe('2.10');
    await c.updateOne({ _id: 1 }, { $mul: { dec: Decimal128.fromString('3') } });
    expect(String((await c.findOne({ _id: 1 }))!.dec)).toBe('6.30');
    await c.updateOne({ _id: 1 }, { $max: { dec: 7 } });
    expect((await c.findOne({ _id: 1 }))!.dec).toBe(7);
    await c.updateOne({ _id: 1 }, { $inc: { n: Decimal128.fromString('0.1') } });
    expect(String((await c.findOne({ _id: 1 }))!.n)).toBe('1.1');
    await c.updateOne({ _id: 1 }, { $set: { d: Decimal128.fromString('0.1') } });
    await c.updateOne({ _id: 1 }, { $inc: { d: Decimal128.fromString('0.2') } });
    expect(String((await c.findOne({ _id: 1 }))!.d)).toBe('0.3');
  });

  test('comparisons across numeric types are exact', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, v: Decimal128.fromString('1.5') },
      { _id: 2, v: Decimal128.fromString('0.1') },
      { _id: 3, v: 2 },
      { _id: 4, v: Long.fromString('9007199254740993') },
    ]);
    const ids = async (q: Document): Promise<unknown[]> => (await c.find(q).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ v: { $gt: 1 } })).toEqual([1, 3, 4]);
    expect(await ids({ v: { $lt: Decimal128.fromString('1.6') } })).toEqual([1, 2]);
    expect(await ids({ v: Decimal128.fromString('2.000') })).toEqual([3]);
    // The double 0.1 is not the decimal 0.1.
    expect(await ids({ v: 0.1 })).toEqual([]);
    expect(await ids({ v: { $gt: Long.fromString('9007199254740992') } })).toEqual([4]);
    const sorted = await c.find({}).sort({ v: -1 }).toArray();
    expect(sorted.map((d) => d._id)).toEqual([4, 3, 1, 2]);
  });

  test('$sum adds decimals exactly, mixed with ints and doubles', async () => {
    const c = fresh();
    await c.insertMany([{ v: Decimal128.fromString('0.1') }, { v: Decimal128.fromString('0.2') }, { v: 1 }, { v: new Int32(2) }]);
    const [r] = await c.aggregate([{ $group: { _id: null, s: { $sum: '$v' } } }]).toArray();
    expect(r.s).toBeInstanceOf(Decimal128);
    expect(String(r.s)).toBe('3.3');
  });

  test('$add, $subtract, $multiply, $divide with a decimal compute exactly and give a decimal', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: Decimal128.fromString('0.1'), b: Decimal128.fromString('0.2'), p: Decimal128.fromString('1.10'), i: new Int32(3), l: Long.fromNumber(4), d: 0.5, nul: null });
    const [r] = await c
      .aggregate([
        {
          $project: {
            _id: 0,
            add: { $add: ['$a', '$b'] },
            addInt: { $add: ['$p', 1] },
            addLong: { $add: ['$a', '$l'] },
            addDouble: { $add: [Decimal128.fromString('1'), '$d'] },
            sub: { $subtract: [Decimal128.fromString('1.0'), '$a'] },
            mul: { $multiply: ['$p', '$i'] },
            mulSmall: { $multiply: ['$a', 3] },
            div: { $divide: [Decimal128.fromString('1'), '$i'] },
            divExact: { $divide: [Decimal128.fromString('10'), '$l'] },
            divIdeal: { $divide: [Decimal128.fromString('6.0'), 2] },
            addNull: { $add: ['$a', '$nul'] },
            mulMissing: { $multiply: ['$a', '$nope'] },
            plain: { $add: ['$i', '$l'] },
          },
        },
      ])
      .toArray();
    const shown = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Decimal128 ? `dec ${v.toString()}` : v]));
    expect(shown).toEqual({
      add: 'dec 0.3',
      addInt: 'dec 2.10',
      addLong: 'dec 4.1',
      addDouble: 'dec 1.500000000000000',
      sub: 'dec 0.9',
      mul: 'dec 3.30',
      mulSmall: 'dec 0.3',
      div: 'dec 0.3333333333333333333333333333333333',
      divExact: 'dec 2.5',
      divIdeal: 'dec 3.0',
      addNull: null,
      mulMissing: null,
      plain: 7,
    });
    const zero = await c.aggregate([{ $project: { q: { $divide: ['$a', Decimal128.fromString('0')] } } }]).toArray().catch((err: { code?: number }) => err);
    expect((zero as { code?: number }).code).toBe(16608);
  });

  test('$avg, $sum as an expression, $round and $trunc on decimals', async () => {
    const c = fresh();
    await c.insertMany([
      { _id: 1, v: Decimal128.fromString('1'), w: Decimal128.fromString('2.5') },
      { _id: 2, v: 2, w: Decimal128.fromString('3.5') },
      { _id: 3, v: new Int32(4), w: Decimal128.fromString('-1.29') },
    ]);
    const [g] = await c.aggregate([{ $group: { _id: null, avg: { $avg: '$v' }, sum: { $sum: '$v' } } }]).toArray();
    expect(g.avg).toBeInstanceOf(Decimal128);
    expect(g.avg.toString()).toBe('2.333333333333333333333333333333333');
    expect(g.sum.toString()).toBe('7');
    const rows = await c
      .aggregate([
        { $sort: { _id: 1 } },
        { $project: { _id: 0, s: { $sum: ['$v', '$w'] }, m: { $avg: ['$v', '$w'] }, r0: { $round: ['$w', 0] }, r1: { $round: ['$w', 1] }, t1: { $trunc: ['$w', 1] } } },
      ])
      .toArray();
    expect(rows.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, String(v)])))).toEqual([
      { s: '3.5', m: '1.75', r0: '2', r1: '2.5', t1: '2.5' },
      { s: '5.5', m: '2.75', r0: '4', r1: '3.5', t1: '3.5' },
      { s: '2.71', m: '1.355', r0: '-1', r1: '-1.3', t1: '-1.2' },
    ]);
  });
});

describe('17. top-level let', () => {
  test('find, aggregate, update, delete, findOneAndUpdate and bulkWrite see $$ variables', async () => {
    const c = fresh();
    await c.insertMany([{ _id: 1, x: 1 }, { _id: 2, x: 2 }, { _id: 3, x: 3 }]);
    const byLet = { $expr: { $eq: ['$_id', '$$id'] } };
    expect((await c.find(byLet, { let: { id: 2 } }).toArray()).map((d) => d._id)).toEqual([2]);
    expect((await c.aggregate([{ $match: byLet }, { $project: { y: '$$y' } }], { let: { id: 1, y: 'why' } }).toArray())).toEqual([{ _id: 1, y: 'why' }]);
    expect((await c.updateOne(byLet, [{ $set: { x: '$$v' } }], { let: { id: 1, v: 10 } })).modifiedCount).toBe(1);
    expect((await c.findOne({ _id: 1 }))!.x).toBe(10);
    const after = await c.findOneAndUpdate(byLet, { $inc: { x: 1 } }, { let: { id: 3 }, returnDocument: 'after' });
    expect(after!.x).toBe(4);
    const bulk = await c.bulkWrite([{ updateMany: { filter: { $expr: { $gte: ['$_id', '$$min'] } }, update: { $set: { b: true } } } }], { let: { min: 2 } });
    expect(bulk.modifiedCount).toBe(2);
    expect((await c.deleteOne(byLet, { let: { id: 2 } })).deletedCount).toBe(1);
    expect(await c.countDocuments()).toBe(2);
  });
});

describe('18. pipeline updates', () => {
  test('$replaceWith with $setField on a $-named field', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, a: 1 });
    const r = await c.updateOne({ _id: 1 }, [{ $replaceWith: { $setField: { field: { $literal: '$price' }, input: '$$ROOT', value: 5 } } }]);
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1, $price: 5 });
    const fam = await c.findOneAndUpdate({ _id: 1 }, [{ $replaceWith: { $setField: { field: 'b', input: '$$ROOT', value: 2 } } }], { returnDocument: 'after' });
    expect(fam).toEqual({ _id: 1, a: 1, $price: 5, b: 2 });
  });

  test('$replaceRoot to a subdocument keeps _id, then $addFields', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, t: { u: 1 } });
    const r = await c.updateMany({}, [{ $replaceRoot: { newRoot: '$t' } }, { $addFields: { foo: 1 } }]);
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, u: 1, foo: 1 });
  });
});

describe('19. the reported version tells the truth', () => {
  embeddedOnly('a 7.0 server refuses the 8.0 sort option of updateOne and replaceOne', async () => {
    const build = await t.db.admin().command({ buildInfo: 1 });
    expect(build.versionArray.slice(0, 2)).toEqual([7, 0]);
    const c = fresh();
    await c.insertMany([{ _id: 1 }, { _id: 2 }]);
    const res = await t.db.command({ update: c.collectionName, updates: [{ q: {}, u: { $set: { x: 1 } }, sort: { _id: -1 } }] });
    expect(res.writeErrors[0].code).toBe(40415);
    expect(await c.countDocuments({ x: 1 })).toBe(0);
  });
});

describe('20. _id with a $-prefixed field name', () => {
  test('is refused on insert, replace and upsert', async () => {
    const c = fresh();
    expect((await serverError(c.insertOne({ _id: { $a: 1 } as never }))).code).toBe(52);
    const up = await serverError(c.updateOne({ x: 1 }, { $set: { _id: { nested: { $b: 1 } } as never } }, { upsert: true }));
    expect(up.code).toBe(52);
    expect(await c.countDocuments()).toBe(0);
  });
});

describe('21. duplicate keys from $merge', () => {
  test('carry keyPattern and keyValue', async () => {
    const src = fresh();
    const target = fresh();
    await target.createIndex({ k: 1 }, { unique: true });
    await target.insertOne({ _id: 100, k: 1 });
    await src.insertOne({ _id: 1, k: 1 });
    const err = await serverError(src.aggregate([{ $merge: { into: target.collectionName, whenMatched: 'merge', whenNotMatched: 'insert' } }]).toArray());
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ k: 1 });
    expect(err.keyValue).toEqual({ k: 1 });
    await target.insertOne({ _id: 1, k: 2 });
    const failed = await serverError(src.aggregate([{ $merge: { into: target.collectionName, whenMatched: 'fail' } }]).toArray());
    expect(failed.code).toBe(11000);
    expect(failed.keyPattern).toEqual({ _id: 1 });
    expect(failed.keyValue).toEqual({ _id: 1 });
  });
});

describe('22. distinct under a case-insensitive collation', () => {
  embeddedOnly('is refused like find instead of answering case-sensitively', async () => {
    const c = fresh();
    await c.insertMany([{ s: 'ping' }, { s: 'PING' }]);
    const err = await serverError(c.distinct('s', {}, { collation: { locale: 'en', strength: 1 } }));
    expect(err.code).toBe(2);
    expect(await c.distinct('s', {}, { collation: { locale: 'en', strength: 3 } })).toHaveLength(2);
  });
});

describe('23. $listLocalSessions', () => {
  test("lists the session a command used", async () => {
    const session = t.client.startSession();
    try {
      await t.db.collection('x').findOne({}, { session });
      const listed = await t.client.db('admin').aggregate([{ $listLocalSessions: {} }], { session }).toArray();
      const mine = listed.find((s) => (s._id.id as Binary).toString('hex') === (session.id!.id as Binary).toString('hex'));
      expect(mine).toBeDefined();
      expect(mine!.lastUse).toBeInstanceOf(Date);
    } finally {
      await session.endSession();
    }
  });
});
