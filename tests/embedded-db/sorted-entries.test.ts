/**
 * The index's ordered structure (engine/sorted-entries.ts: keys and ids in parallel arrays per
 * block) against a plain sorted array, under random inserts, removals, sorted batches, searches
 * and range scans that cross many blocks; and an index's bulk build (one counting sort by key at
 * start-up) against the same index filled one document at a time, for keys of mixed BSON types,
 * descending, compound, sparse and partial indexes.
 */
import fc from 'fast-check';
import { Double, Long, ObjectId, type Document } from 'bson';
import { SortedEntries } from '../../src/embedded-db/engine/sorted-entries';
import { Index } from '../../src/embedded-db/engine/indexes';
import { compareValues, keyString, typeName } from '../../src/embedded-db/engine/values';
import { MongoError } from '../../src/embedded-db/errors';

type Entry = [unknown, string];
const compareParts = (ka: unknown, ia: string, kb: unknown, ib: string): number => compareValues(ka, kb) || (ia < ib ? -1 : ia > ib ? 1 : 0);
const compare = (a: Entry, b: Entry): number => compareParts(a[0], a[1], b[0], b[1]);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Entries from a small key and id space, so that equal keys and repeated pairs are common. */
function entriesFrom(seed: number, count: number): Entry[] {
  const rand = rng(seed);
  return Array.from({ length: count }, () => {
    const key = rand() < 0.5 ? Math.floor(rand() * 40) : `k${Math.floor(rand() * 60)}`;
    return [key, `d${Math.floor(rand() * 400)}`] as Entry;
  });
}

type Op =
  | { t: 'insert'; seed: number; count: number }
  | { t: 'batch'; seed: number; count: number }
  | { t: 'remove'; seed: number; count: number; present: boolean }
  | { t: 'load'; seed: number; count: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('insert' as const), seed: fc.nat(), count: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ t: fc.constant('batch' as const), seed: fc.nat(), count: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ t: fc.constant('remove' as const), seed: fc.nat(), count: fc.integer({ min: 1, max: 600 }), present: fc.boolean() }),
  fc.record({ t: fc.constant('load' as const), seed: fc.nat(), count: fc.integer({ min: 0, max: 1_500 }) }),
);

describe('SortedEntries against a sorted array', () => {
  test('inserts, sorted batches, removals, searches and ranges agree with the model', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), fc.nat(), (ops, probeSeed) => {
        const s = new SortedEntries<unknown>(compareParts);
        let model: Entry[] = [];
        const present = new Set<string>();
        const pairKey = (e: Entry): string => `${keyString(e[0])}@${e[1]}`;
        const has = (e: Entry): boolean => present.has(pairKey(e));
        for (const o of ops) {
          // The index never holds the same (key, id) twice: new pairs only.
          const fresh: Entry[] = [];
          const seen = new Set<string>();
          for (const e of entriesFrom(o.seed, o.count)) {
            if (has(e) || seen.has(pairKey(e))) continue;
            seen.add(pairKey(e));
            fresh.push(e);
          }
          if (o.t === 'insert') {
            for (const [k, id] of fresh) s.insert(k, id);
            model.push(...fresh);
            for (const e of fresh) present.add(pairKey(e));
          } else if (o.t === 'batch') {
            fresh.sort(compare);
            s.insertSorted(
              fresh.map((e) => e[0]),
              fresh.map((e) => e[1]),
            );
            model.push(...fresh);
            for (const e of fresh) present.add(pairKey(e));
          } else if (o.t === 'load') {
            fresh.sort(compare);
            s.load(
              fresh.map((e) => e[0]),
              fresh.map((e) => e[1]),
            );
            model = [...fresh];
            present.clear();
            for (const e of fresh) present.add(pairKey(e));
          } else {
            const rand = rng(o.seed);
            for (let i = 0; i < o.count && model.length > 0; i++) {
              const target: Entry = o.present ? model[Math.floor(rand() * model.length)] : entriesFrom(o.seed + i, 1)[0];
              const expected = has(target);
              expect(s.remove(target[0], target[1])).toBe(expected);
              if (expected) {
                model = model.filter((m) => compare(m, target) !== 0);
                present.delete(pairKey(target));
              }
            }
          }
          model.sort(compare);
          expect(s.length).toBe(model.length);
        }
        expect([...s.entries()]).toEqual(model);
        const rand = rng(probeSeed);
        for (let i = 0; i < 20; i++) {
          // Searches: the first position at or after a probe key.
          const probe = entriesFrom(Math.floor(rand() * 1e9), 1)[0][0];
          const at = s.search((k) => compareValues(k, probe) >= 0);
          const want = model.findIndex((m) => compareValues(m[0], probe) >= 0);
          expect(at).toBe(want === -1 ? model.length : want);
          // Ranges by position, both ways.
          const a = Math.floor(rand() * (model.length + 1));
          const b = a + Math.floor(rand() * (model.length - a + 1));
          expect([...s.ids(a, b)]).toEqual(model.slice(a, b).map((m) => m[1]));
          expect([...s.ids(a, b, true)]).toEqual(model.slice(a, b).reverse().map((m) => m[1]));
          expect([...s.entries(a, b)]).toEqual(model.slice(a, b));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('append builds blocks that later inserts, removals and ranges use as any other', () => {
    const s = new SortedEntries<unknown>(compareParts);
    const model = entriesFrom(3, 3_000).filter((e, i, all) => all.findIndex((f) => compare(f, e) === 0) === i);
    model.sort(compare);
    for (const [k, id] of model) s.append(k, id);
    s.endAppend();
    expect(s.length).toBe(model.length);
    expect([...s.entries()]).toEqual(model);
    s.insert('k5', 'zz');
    expect(s.remove(model[700][0], model[700][1])).toBe(true);
    const after = [...model.slice(0, 700), ...model.slice(701), ['k5', 'zz'] as Entry].sort(compare);
    expect([...s.entries()]).toEqual(after);
    expect([...s.ids(100, 900, true)]).toEqual(after.slice(100, 900).reverse().map((e) => e[1]));
  });
});

// ---------------------------------------------------------------------------------------------
// Index.build against one-by-one adds

const OIDS = [new ObjectId('65a000000000000000000001'), new ObjectId('65a000000000000000000002')];
const DATES = [new Date(0), new Date(86_400_000)];
/** Values as the engine keeps them in memory, with equal values of different numeric types. */
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -6, max: 6 }).map((n) => n / 4),
  fc.integer({ min: -3, max: 3 }).map((n) => new Double(n)),
  fc.integer({ min: -3, max: 3 }).map((n) => Long.fromNumber(n)),
  fc.constantFrom('a', 'b', 'ab', 'B', '', 'é'),
  fc.constantFrom(null, true, false, ...OIDS, ...DATES),
);
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.record({ x: scalar }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const doc: fc.Arbitrary<Document> = fc.record({ a: fieldValue, b: scalar }, { requiredKeys: ['b'] });

const SPECS: Document[] = [
  { key: { a: 1 } },
  { key: { a: -1 } },
  { key: { 'a.x': 1 } },
  { key: { a: 1 }, sparse: true },
  { key: { a: 1 }, partialFilterExpression: { b: { $gt: 0 } } },
  { key: { b: 1, a: -1 } },
  { key: { a: 1, b: 1 }, sparse: true },
];

/** An entry with the exact type of its key (1, 1.0 and Long 1 are equal keys but stay distinct). */
function shown(e: [unknown, string]): string {
  const k = e[0];
  const part = (v: unknown): string => `${typeName(v)}:${keyString(v)}`;
  return `${Array.isArray(k) ? k.map(part).join('|') : part(k)} @${e[1]}`;
}

describe('Index.build', () => {
  test('builds the same entries, in the same order, as adding the documents one at a time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPECS), fc.array(doc, { maxLength: 120 }), (extra, docs) => {
        const spec = { v: 2, name: 'test', ...extra } as Document as ConstructorParameters<typeof Index>[0];
        const byId = new Map<string, Document>();
        // Ids whose order is not insertion order, with a shared prefix.
        docs.forEach((d, i) => byId.set(`id${(i * 7919) % 1009}`, { _id: i, ...d }));
        const built = new Index(spec);
        const added = new Index(spec);
        let parallel = false;
        try {
          built.build(byId, 'db.c');
        } catch (err) {
          // Compound keys over two arrays cannot be indexed: both ways must refuse.
          parallel = true;
          expect((err as MongoError).code).toBe(171);
        }
        try {
          for (const [id, d] of [...byId].reverse()) added.add(id, d);
        } catch (err) {
          expect(parallel).toBe(true);
          expect((err as MongoError).code).toBe(171);
          return;
        }
        expect(parallel).toBe(false);
        expect([...built.sorted.entries()].map(shown)).toEqual([...added.sorted.entries()].map(shown));
        expect(built.multikey).toBe(added.multikey);
        expect([...built.multikeyPaths].sort()).toEqual([...added.multikeyPaths].sort());
        expect(built.entryCount).toBe(added.entryCount);
      }),
      { numRuns: 300 },
    );
  });

  test('a unique index refuses a duplicate key at build time with 11000, and builds when keys differ', () => {
    const spec = { v: 2, name: 'email_1', key: { email: 1 }, unique: true };
    const docs = new Map<string, Document>([
      ['a', { _id: 1, email: 'x@example.org' }],
      ['b', { _id: 2, email: 'y@example.org' }],
    ]);
    const index = new Index(spec);
    index.build(docs, 'db.people');
    expect([...index.sorted.ids(0, index.entryCount)]).toEqual(['a', 'b']);
    docs.set('c', { _id: 3, email: 'x@example.org' });
    let caught: unknown;
    try {
      index.build(docs, 'db.people');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MongoError);
    expect((caught as MongoError).code).toBe(11000);
    expect(index.entryCount).toBe(0);
  });
});
