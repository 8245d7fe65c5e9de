/**
 * Bulk inserts into a multikey index (`npm run bench:db -- --bulk-only`, or directly with
 * `npx tsx bench/db/bulk-insert.ts`): what the demo data does for board posts and practices.
 * `insertMany` of 1,000 documents, each carrying ~90 search-term strings, into a file-backed
 * collection with a multikey index on those terms, batch after batch while the collection grows.
 *
 * The database runs in this process (so `node --cpu-prof` profiles the engine too); a timer
 * ticking every 10 ms measures how long the event loop was blocked, which is how long a
 * heartbeat or another connection would have waited. Prints per-batch insert time, the longest
 * stall and the process's RSS. A script, not a test: it prints numbers.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/db/bulk-insert.ts -- --batches 10
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import * as embedded from '../../src/embedded-db';

/**
 * BENCH_ENGINE=<dir> runs another copy of src/embedded-db (e.g. an older commit's, extracted with
 * `git archive`), so a before/after comparison runs on the same machine in the same session.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startEmbeddedDb } = (process.env.BENCH_ENGINE ? require(process.env.BENCH_ENGINE) : embedded) as typeof embedded;

const BATCH = 1_000;
const TERMS_PER_DOC = 90;

/** A small deterministic generator: the same documents on every run, so runs compare. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'dan', 'shi', 'gu', 'or', 'tex', 'bel', 'zhou', 'an', 'qing', 'ber', 'lin'];

function vocabulary(size: number, rand: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

function makeDoc(i: number, words: string[], rand: () => number): Record<string, unknown> {
  const terms = new Set<string>();
  while (terms.size < TERMS_PER_DOC) terms.add(words[Math.floor(rand() ** 2 * words.length)]);
  return {
    thread: `t${Math.floor(i / 20)}`,
    n: i,
    body: `Post ${i}: ${[...terms].slice(0, 40).join(' ')}`,
    searchTerms: [...terms],
    createdAt: new Date(1_700_000_000_000 + i * 1000),
  };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface BulkInsertResult {
  batches: number;
  medianBatchMs: number;
  lastBatchMs: number;
  totalMs: number;
  /** CPU time of the process (client and database), less sensitive to a loaded machine. */
  cpuMs: number;
  longestStallMs: number;
  rssMb: number;
}

export async function bulkInsert(batches = 10): Promise<BulkInsertResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bulk-'));
  const db = await startEmbeddedDb({ dbPath: dir });
  const client = new MongoClient(db.uri);
  const rand = rng(42);
  const words = vocabulary(6_000, rand);
  let longestStall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - last - 10);
    last = now;
  }, 10);
  try {
    await client.connect();
    const coll = client.db('bench').collection('posts');
    await coll.createIndex({ searchTerms: 1 });
    await coll.createIndex({ thread: 1, createdAt: 1 });
    const times: number[] = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) {
      const docs = Array.from({ length: BATCH }, (_, i) => makeDoc(b * BATCH + i, words, rand));
      const t = performance.now();
      await coll.insertMany(docs, { ordered: false });
      times.push(performance.now() - t);
    }
    const totalMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const sorted = [...times].sort((a, b) => a - b);
    return {
      batches,
      medianBatchMs: sorted[Math.floor(sorted.length / 2)],
      lastBatchMs: times[times.length - 1],
      totalMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      longestStallMs: longestStall,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    };
  } finally {
    clearInterval(ticker);
    await client.close();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  bulkInsert(arg('--batches', 10))
    .then((r) => {
      console.log(`insertMany of ${BATCH} documents x ${TERMS_PER_DOC} search terms, multikey index, file-backed, ${r.batches} batches`);
      console.log(`  median batch ${r.medianBatchMs.toFixed(0)} ms, last batch ${r.lastBatchMs.toFixed(0)} ms, total ${(r.totalMs / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s`);
      console.log(`  longest event-loop stall ${r.longestStallMs.toFixed(0)} ms, RSS ${r.rssMb.toFixed(0)} MB`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
