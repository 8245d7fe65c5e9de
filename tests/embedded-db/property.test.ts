/**
 * Differential property test: random documents (numbers of every BSON numeric type, strings,
 * booleans, null, dates, ObjectIds, binary data, nested arrays and subdocuments), random filters,
 * projections, sort/skip/limit and updates (positional `$`, `$[]`, `$[id]` with arrayFilters
 * included) run through the driver against the database and compared with the reference
 * evaluator in reference.ts. On a failure fast-check prints the seed and the shrunk case; rerun it
 * with PROPERTY_SEED=<seed>. PROPERTY_RUNS raises the number of cases (CI runs the default).
 */
import fc from 'fast-check';
import { Binary, Decimal128, Double, Long, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { connectTestDb, type AnyDoc, type TestDb } from './support';
import { RefError, applyUpdate, matches, projectDoc, sortDocs } from './reference';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
/** Generous: a case takes a few milliseconds; the bound only stops a hung run. */
const TIMEOUT = Math.max(600_000, RUNS * 200);
const SEED = process.env.PROPERTY_SEED !== undefined ? Number(process.env.PROPERTY_SEED) : undefined;

let t: TestDb;
let coll: Collection<AnyDoc>;
let indexed: Collection<AnyDoc>;
beforeAll(async () => {
  t = await connectTestDb('prop');
  coll = t.db.collection('p');
  // The same cases on a collection with indexes: the planner's index bounds must never change
  // an answer.
  indexed = t.db.collection('pi');
  await indexed.createIndexes([{ key: { a: 1 } }, { key: { 'a.x': 1 } }, { key: { b: -1 } }, { key: { c: 1 } }]);
});
afterAll(async () => {
  await t.close();
});

const OIDS = [new ObjectId('65a000000000000000000001'), new ObjectId('65a000000000000000000002')];
const BINS = [new Binary(Buffer.from([1])), new Binary(Buffer.from([1, 2])), new Binary(Buffer.from([1]), 4)];
const DATES = [new Date(0), new Date(86_400_000)];

// Small domains, so that equal values (across numeric types too) are frequent.
const quarter = fc.integer({ min: -6, max: 6 }).map((n) => n / 4);
const baseScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  quarter.filter((x) => !Number.isInteger(x)),
  fc.integer({ min: -2, max: 2 }).map((n) => new Double(n)),
  fc.integer({ min: -2, max: 2 }).map((n) => Long.fromNumber(n)),
  quarter.map((x) => Decimal128.fromString(String(x))),
  fc.constantFrom('', 'a', 'b', 'B'),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...DATES),
  fc.constantFrom(...OIDS),
  fc.constantFrom(...BINS),
);
const scalar = baseScalar;

const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.record({ x: tie('v'), y: tie('v') }, { requiredKeys: [], noNullPrototype: true }),
  ),
})).v;

const docBody = fc.record({ a: value, b: value, c: value }, { requiredKeys: [], noNullPrototype: true });
const docs = fc.array(docBody, { minLength: 1, maxLength: 6 }).map((bodies) => bodies.map((b, i) => ({ _id: i, ...b }) as Document));

const PATHS = ['a', 'b', 'c', 'a.x', 'a.y', 'b.x', 'a.0', 'c.x.y', 'a.x.0'];
const path = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 2, arbitrary: fc.constantFrom(...PATHS) });
const TYPES = ['number', 'int', 'double', 'long', 'decimal', 'string', 'array', 'object', 'null', 'bool', 'date', 'objectId', 'binData'];

function fieldCondOf(scalar: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
  scalar,
  scalar.map((v) => ({ $eq: v })),
  scalar.map((v) => ({ $ne: v })),
  fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), scalar).map(([op, v]) => ({ [op]: v })),
  fc.tuple(scalar, scalar).map(([lo, hi]) => ({ $gt: lo, $lt: hi })),
  fc.array(scalar, { maxLength: 3 }).map((vs) => ({ $in: vs })),
  fc.array(scalar, { maxLength: 3 }).map((vs) => ({ $nin: vs })),
  fc.boolean().map((b) => ({ $exists: b })),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ $size: n })),
  fc.constantFrom(...TYPES).map((ty) => ({ $type: ty })),
  fc.array(scalar, { minLength: 1, maxLength: 2 }).map((vs) => ({ $all: vs })),
  fc.tuple(fc.constantFrom('$gt', '$lt', '$eq'), scalar).map(([op, v]) => ({ $elemMatch: { [op]: v } })),
  fc.tuple(fc.constantFrom('$gt', '$lt', '$eq'), scalar).map(([op, v]) => ({ $not: { [op]: v } })),
  fc.array(scalar, { maxLength: 2 }),
  fc.record({ x: scalar }, { noNullPrototype: true }),
  );
}

function leafFilterOf(scalar: fc.Arbitrary<unknown>): fc.Arbitrary<Document> {
  return fc.tuple(path, fieldCondOf(scalar)).map(([p, c]) => ({ [p]: c }));
}

function filterOf(scalar: fc.Arbitrary<unknown>): fc.Arbitrary<Document> {
  const leafFilter = leafFilterOf(scalar);
  return fc.oneof(
  { weight: 4, arbitrary: leafFilter },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.tuple(leafFilter, leafFilter).map(([x, y]) => ({ ...x, ...y })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('$and', '$or', '$nor'), fc.array(leafFilter, { minLength: 1, maxLength: 3 }))
      .map(([op, fs]) => ({ [op]: fs })),
  },
  );
}

/** Scalars that occur in the documents, so filters hit them often. */
function leafValues(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) v.forEach((e) => leafValues(e, out));
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach((e) => leafValues(e, out));
  else out.push(v);
  return out;
}

function scalarFor(ds: Document[]): fc.Arbitrary<unknown> {
  const seen = ds.flatMap((d) => leafValues({ ...d, _id: undefined })).filter((v) => v !== undefined);
  return seen.length > 0 ? fc.oneof({ weight: 1, arbitrary: baseScalar }, { weight: 3, arbitrary: fc.constantFrom(...seen) }) : baseScalar;
}

const projection = fc.constantFrom<Document>(
  {},
  { a: 1 },
  { a: 0 },
  { a: 1, c: 1 },
  { b: 0, _id: 0 },
  { a: 1, _id: 0 },
  { 'a.x': 1 },
  { a: { $slice: 1 } },
  { a: { $slice: -1 }, b: 0 },
  { c: { $slice: 2 }, a: 1 },
  { _id: 1 },
  { _id: 0 },
);

const findCase = docs.chain((ds) =>
  fc.record({
  docs: fc.constant(ds),
  filter: filterOf(scalarFor(ds)),
  projection,
  sort: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'c', 'a.x'), fc.constantFrom(1, -1)), { nil: undefined }),
  skip: fc.integer({ min: 0, max: 3 }),
  limit: fc.integer({ min: 0, max: 4 }),
  }),
);

const updatePath = fc.constantFrom('a', 'b', 'd', 'a.x', 'b.0', 'c.y', 'a.$', 'a.$.x', 'a.$[]', 'a.$[].x', 'a.$[e]', 'b.$[e]');
const numeric = fc.oneof(fc.integer({ min: -3, max: 3 }), quarter, fc.integer({ min: -2, max: 2 }).map((n) => Long.fromNumber(n)));
const updateOp: fc.Arbitrary<[string, string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('$set'), updatePath, value),
  fc.tuple(fc.constant('$unset'), updatePath, fc.constant('')),
  fc.tuple(fc.constant('$inc'), updatePath, numeric),
  fc.tuple(fc.constantFrom('$min', '$max'), updatePath, scalar.filter((v) => !(v instanceof Decimal128))),
  fc.tuple(fc.constantFrom('$push', '$addToSet'), updatePath, scalar),
  fc.tuple(fc.constant('$pop'), updatePath, fc.constantFrom(1, -1)),
  fc.tuple(fc.constant('$pull'), updatePath, fc.oneof(scalar, scalar.map((v) => ({ $gte: v })))),
);

const updateCase = docs.map((ds) => ds.map((d) => stripDecimals(d) as Document)).chain((ds) =>
  fc.record({
  docs: fc.constant(ds),
  filter: fc.oneof(leafFilterOf(scalarFor(ds)).filter((f) => Object.keys(f)[0].startsWith('a')), fc.constant({})),
  ops: fc.array(updateOp, { minLength: 1, maxLength: 2 }),
  arrayFilter: fc.tuple(fc.constantFrom('$gt', '$lt', '$eq'), scalarFor(ds)).map(([op, v]) => ({ e: { [op]: v } })),
  }),
);

/** Decimal arithmetic has its own tests; the generated update cases keep to other numbers. */
function stripDecimals(v: unknown): unknown {
  if (v instanceof Decimal128) return 1.5;
  if (Array.isArray(v)) return v.map(stripDecimals);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v as Document).map(([k, x]) => [k, stripDecimals(x)]));
  }
  return v;
}

/** Canonical text for comparing results: numbers by value (the driver decodes every numeric type to a JS number unless asked otherwise). */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return `n${Object.is(v, -0) ? 0 : v}`;
  if (v instanceof Double) return `n${v.value}`;
  if (v instanceof Long) return `n${v.toNumber()}`;
  if (v instanceof Decimal128) return `d${Number(v.toString())}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `t${v.getTime()}`;
  if (v instanceof ObjectId) return `o${v.toHexString()}`;
  if (v instanceof Binary) return `x${v.sub_type}:${Buffer.from(v.value()).toString('hex')}`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  return `{${Object.entries(v as Document).map(([k, x]) => `${k}:${canon(x)}`).join(',')}}`;
}

async function reset(ds: Document[], target: Collection<AnyDoc> = coll): Promise<void> {
  await target.deleteMany({});
  if (ds.length > 0) await target.insertMany(ds.map((d) => ({ ...d })));
}

function referenceFind(c: { docs: Document[]; filter: Document; projection: Document; sort?: [string, number]; skip: number; limit: number }): Document[] {
  let out = c.docs.filter((d) => matches(d, c.filter).ok);
  out = c.sort ? sortDocs(out, c.sort[0], c.sort[1]) : sortDocs(out, '_id', 1);
  out = out.slice(c.skip, c.limit > 0 ? c.skip + c.limit : undefined);
  return out.map((d) => projectDoc(d, c.projection));
}

const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), verbose: 1 } as const;

test('find: filter, projection, sort, skip and limit agree with the reference', async () => {
  await fc.assert(
    fc.asyncProperty(findCase, async (c) => {
      await reset(c.docs);
      const sort: Document = c.sort ? { [c.sort[0]]: c.sort[1], _id: 1 } : { _id: 1 };
      const expected = referenceFind(c).map(canon);
      const got = await coll.find(c.filter, { projection: c.projection, sort, skip: c.skip, limit: c.limit }).toArray();
      expect(got.map(canon)).toEqual(expected);
      await reset(c.docs, indexed);
      const viaIndexes = await indexed.find(c.filter, { projection: c.projection, sort, skip: c.skip, limit: c.limit }).toArray();
      expect(viaIndexes.map(canon)).toEqual(expected);
    }),
    params,
  );
}, TIMEOUT);

test('updateMany: modifiers with positional paths and arrayFilters agree with the reference, refusals included', async () => {
  await fc.assert(
    fc.asyncProperty(updateCase, async (c) => {
      // Two operators on one top-level field may conflict (40): MongoDB's rule, checked elsewhere.
      const tops = c.ops.map(([, p]) => p.split('.')[0]);
      fc.pre(new Set(tops).size === tops.length);
      const update: Document = {};
      for (const [op, p, arg] of c.ops) update[op] = { ...(update[op] ?? {}), [p]: arg };
      const usesFilter = c.ops.some(([, p]) => p.includes('$[e]'));
      const arrayFilters = usesFilter ? [c.arrayFilter] : [];
      await reset(c.docs);
      // Reference: documents in insertion order; the first refusal stops the statement.
      const expected = c.docs.map((d) => ({ ...d }));
      let expectedCode: number | null = null;
      for (let i = 0; i < expected.length; i++) {
        const m = matches(expected[i], c.filter);
        if (!m.ok) continue;
        try {
          expected[i] = applyUpdate(expected[i], update, m.pos, arrayFilters);
        } catch (err) {
          if (!(err instanceof RefError)) throw err;
          expectedCode = err.code;
          break;
        }
      }
      let gotCode: number | null = null;
      try {
        await coll.updateMany(c.filter, update, usesFilter ? { arrayFilters } : {});
      } catch (err) {
        if (!(err instanceof MongoServerError)) throw err;
        gotCode = Number(err.code);
      }
      expect(gotCode).toBe(expectedCode);
      const after = await coll.find({}).sort({ _id: 1 }).toArray();
      expect(after.map(canon)).toEqual(expected.map(canon));
    }),
    params,
  );
}, TIMEOUT);


