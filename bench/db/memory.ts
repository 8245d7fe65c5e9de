/**
 * What a document costs in the embedded database's memory (`node --expose-gc --import tsx
 * bench/db/memory.ts`): 5,000 board-post-like documents (~90 search terms each, ~2.4 KB of BSON)
 * inserted into a collection without and with a multikey index on the terms; prints the heap
 * bytes per document after a full GC and the ratio to the BSON size. BENCH_ENGINE=<dir> measures
 * another copy of src/embedded-db (e.g. an older commit's, extracted with `git archive`), for a
 * before/after comparison in the same session. A script, not a test: it prints numbers.
 */
import { BSON } from 'bson';
import * as engineCollection from '../../src/embedded-db/engine/collection';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Collection } = (process.env.BENCH_ENGINE ? require(`${process.env.BENCH_ENGINE}/engine/collection`) : engineCollection) as typeof engineCollection;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const N = 5_000;
const rand = rng(1);
const words = Array.from({ length: 6_000 }, (_, i) => `word${i}x${Math.floor(rand() * 1000)}`);
const encoded: Buffer[] = [];
for (let i = 0; i < N; i++) {
  const terms = new Set<string>();
  while (terms.size < 90) terms.add(words[Math.floor(rand() ** 2 * words.length)]);
  const doc = { _id: new BSON.ObjectId(), thread: `t${i >> 4}`, n: i, body: `Post ${i} ${[...terms].slice(0, 40).join(' ')}`, searchTerms: [...terms], createdAt: new Date() };
  encoded.push(Buffer.from(BSON.serialize(doc)));
}
const bsonBytes = encoded.reduce((a, b) => a + b.length, 0);

function measure(label: string, withIndex: boolean): unknown {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const c = new Collection('bench', 'posts');
  if (withIndex) c.addIndex({ v: 2, key: { searchTerms: 1 }, name: 'searchTerms_1' });
  for (const b of encoded) c.insert(BSON.deserialize(b), false);
  // Reading settles pending index entries where the engine defers them.
  for (const index of c.indexes.values()) void index.sorted;
  gc!();
  const bytes = process.memoryUsage().heapUsed - before;
  console.log(`  ${label}: ${(bytes / N).toFixed(0)} B per document, BSON ${(bsonBytes / N).toFixed(0)} B, ${(bytes / bsonBytes).toFixed(2)}x`);
  return c;
}

console.log(`${N} documents, ~90 search terms each${process.env.BENCH_ENGINE ? ` (engine ${process.env.BENCH_ENGINE})` : ''}`);
const kept = [measure('documents and the _id index', false), measure('plus a multikey index on the terms', true)];
if (kept.length !== 2) process.exitCode = 1;
