/**
 * Benchmark of the embedded database through mongoose (`npm run bench:db`): insert throughput,
 * indexed point lookups and an indexed range query with sort + limit, at 1,000 and 100,000
 * documents, in memory and file-backed, with the 100k/1k ratio; plus the journal's fsync and
 * group-commit figures, compaction and recovery times. A script, not a test: it prints numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { spawnEmbeddedDb, type ProcessLogger } from '../../src/db';
import { FileStorage } from '../../src/embedded-db/storage/file';
import type { EngineState, JournalRecord } from '../../src/embedded-db/storage/types';
import { roundTrip } from './roundtrip';

const SIZES = [1_000, 100_000];
const BATCH = 1_000;
const SINGLE_INSERTS = 640;
const LOOKUPS = 1_000;
const RANGES = 250;
const quiet: ProcessLogger = { info: () => {}, warn: () => {}, error: () => {} };

const args = new Set(process.argv.slice(2));
const modes: Array<'memory' | 'file'> = args.has('--memory-only') ? ['memory'] : args.has('--file-only') ? ['file'] : ['memory', 'file'];

interface Listing {
  code: string;
  member: string;
  score: number;
  title: string;
  createdAt: Date;
}

const listingSchema = new mongoose.Schema<Listing>({
  code: { type: String, required: true, unique: true },
  member: { type: String, required: true },
  score: { type: Number, required: true, index: true },
  title: String,
  createdAt: Date,
});

const MEMBERS = ['CN', 'DE', 'FR', 'VN', 'TH', 'JP', 'KR', 'IT', 'ES', 'PL'];
const makeListing = (i: number): Listing => ({
  code: `L${i.toString().padStart(7, '0')}`,
  member: MEMBERS[i % MEMBERS.length],
  score: (i * 7919) % 1_000_003,
  title: `Booth listing number ${i} for the ASEM hall`,
  createdAt: new Date(1_700_000_000_000 + i * 1000),
});

/** A small deterministic generator: the same queries on every run, so runs compare. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Row = { metric: string; unit: string; values: Map<number, number> };

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

async function benchMode(mode: 'memory' | 'file'): Promise<{ rows: Row[]; extra: string[] }> {
  const rows: Row[] = [
    { metric: 'insertMany (batches of 1000)', unit: 'docs/s', values: new Map() },
    { metric: `single inserts, sequential (${SINGLE_INSERTS})`, unit: 'docs/s', values: new Map() },
    { metric: 'single inserts, 32 concurrent', unit: 'docs/s', values: new Map() },
    { metric: 'indexed point lookup (findOne code)', unit: 'ops/s', values: new Map() },
    { metric: 'range + sort + limit 20 (indexed score)', unit: 'ops/s', values: new Map() },
  ];
  const extra: string[] = [];
  for (const n of SIZES) {
    const dir = mode === 'file' ? mkdtempSync(path.join(os.tmpdir(), 'edb-bench-')) : undefined;
    const db = await spawnEmbeddedDb({ dbPath: dir, logger: quiet });
    const conn = await mongoose.createConnection(db.uri, { dbName: 'bench' }).asPromise();
    try {
      const Listing = conn.model<Listing>('Listing', listingSchema);
      await Listing.init();
      // Load n documents with insertMany, timed.
      let secs = await timed(async () => {
        for (let i = 0; i < n; i += BATCH) {
          await Listing.insertMany(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => makeListing(i + k)), { lean: true });
        }
      });
      rows[0].values.set(n, n / secs);

      // Warm-up, untimed: a fresh server process is still compiling its hot paths, which would
      // make the first size look slower than the second.
      const w = rng(7);
      for (let i = 0; i < 200; i++) {
        await Listing.findOne({ code: makeListing(Math.floor(w() * n)).code }).lean();
        if (i % 4 === 0) await Listing.find({ score: { $gte: i * 1000 } }).sort({ score: 1 }).limit(20).lean();
      }
      for (let i = 0; i < 50; i++) await Listing.create(makeListing(10_000_000 + i));

      secs = await timed(async () => {
        for (let i = 0; i < SINGLE_INSERTS; i++) await Listing.create(makeListing(n + i));
      });
      rows[1].values.set(n, SINGLE_INSERTS / secs);

      let next = n + SINGLE_INSERTS;
      secs = await timed(async () => {
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            for (let k = 0; k < SINGLE_INSERTS / 32; k++) await Listing.create(makeListing(next++));
          }),
        );
      });
      rows[2].values.set(n, (32 * Math.floor(SINGLE_INSERTS / 32)) / secs);

      const r = rng(42);
      secs = await timed(async () => {
        for (let i = 0; i < LOOKUPS; i++) {
          const doc = await Listing.findOne({ code: makeListing(Math.floor(r() * n)).code }).lean();
          if (!doc) throw new Error('lookup missed');
        }
      });
      rows[3].values.set(n, LOOKUPS / secs);

      secs = await timed(async () => {
        for (let i = 0; i < RANGES; i++) {
          const lo = Math.floor(r() * 900_000);
          const docs = await Listing.find({ score: { $gte: lo, $lt: lo + 100_000 } })
            .sort({ score: 1 })
            .limit(20)
            .lean();
          if (docs.length === 0) throw new Error('range query found nothing');
        }
      });
      rows[4].values.set(n, RANGES / secs);
    } finally {
      await conn.close();
      await db.stop();
    }
    if (dir) {
      // Recovery: start a server on what was just written (snapshot, if the engine compacted, plus journal replay).
      const t = performance.now();
      const again = await spawnEmbeddedDb({ dbPath: dir, logger: quiet });
      const ready = performance.now() - t;
      const c = await mongoose.createConnection(again.uri, { dbName: 'bench' }).asPromise();
      const count = await c.collection('listings').estimatedDocumentCount();
      await c.close();
      await again.stop();
      extra.push(`restart of the file-backed server on ${count} documents (process start, journal replay, index rebuild) until ready: ${ready.toFixed(0)} ms`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { rows, extra };
}

/** The journal alone, below the wire: what one fsync costs and what group commit buys. */
async function benchStorage(): Promise<string[]> {
  const out: string[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edb-bench-storage-'));
  try {
    const s = new FileStorage(dir);
    await s.open();
    const rec = (i: number): JournalRecord[] => [{ t: 'put', db: 'b', coll: 'c', doc: { _id: i, ...makeListing(i) } }];
    const seq = 500;
    let t = performance.now();
    for (let i = 0; i < seq; i++) await s.append(rec(i));
    let secs = (performance.now() - t) / 1000;
    out.push(`journal, sequential appends: ${(seq / secs).toFixed(0)} appends/s (${((secs / seq) * 1000).toFixed(2)} ms per write+fdatasync)`);
    // Writers that each wait for their acknowledgement, as clients of the server do.
    for (const writers of [8, 32]) {
      const per = 100;
      const syncs0 = s.stats.syncs;
      t = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let k = 0; k < per; k++) await s.append(rec(10_000 + w * per + k));
        }),
      );
      secs = (performance.now() - t) / 1000;
      const syncs = s.stats.syncs - syncs0;
      const total = writers * per;
      out.push(`journal, ${writers} concurrent writers: ${(total / secs).toFixed(0)} appends/s, ${(total / syncs).toFixed(1)} appends per fsync (group commit)`);
    }

    // Compaction of 100k documents, then reopening from the snapshot.
    const docs = Array.from({ length: 100_000 }, (_, i) => ({ _id: i, ...makeListing(i) }));
    const state: EngineState = {
      databases: { bench: { listings: { options: {}, indexes: [{ v: 2, key: { code: 1 }, name: 'code_1', unique: true }], docs } } },
    };
    t = performance.now();
    await s.compact(state);
    out.push(`compaction: snapshot of 100,000 documents written (temp file, fsync, rename) in ${(performance.now() - t).toFixed(0)} ms`);
    await s.close();
    t = performance.now();
    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    out.push(
      `recovery: open + load snapshot of ${loaded.snapshot?.databases.bench.listings.docs.length ?? 0} documents in ${(performance.now() - t).toFixed(0)} ms`,
    );
    await s2.close();

    // Replay of a 100k-document journal (no snapshot), as after a crash before any compaction.
    const dir2 = mkdtempSync(path.join(os.tmpdir(), 'edb-bench-replay-'));
    try {
      const s3 = new FileStorage(dir2);
      await s3.open();
      for (let i = 0; i < 100_000; i += 1000) await s3.append(docs.slice(i, i + 1000).map((d) => ({ t: 'put', db: 'b', coll: 'c', doc: d }) as JournalRecord));
      await s3.close();
      t = performance.now();
      const s4 = new FileStorage(dir2);
      const l4 = await s4.open();
      out.push(`recovery: open + replay a journal of ${l4.records.length} puts (${(s3.journalSize() / 1e6).toFixed(1)} MB) in ${(performance.now() - t).toFixed(0)} ms`);
      await s4.close();
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '-';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

function printTable(title: string, rows: Row[]): void {
  const head = ['metric', 'unit', ...SIZES.map((n) => `${n.toLocaleString('en-US')} docs`), '100k/1k'];
  const body = rows.map((r) => {
    const a = r.values.get(SIZES[0]);
    const b = r.values.get(SIZES[1]);
    return [r.metric, r.unit, ...SIZES.map((n) => fmt(r.values.get(n))), a && b ? (b / a).toFixed(2) : '-'];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of body) console.log(line(row));
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`embedded database benchmark — node ${process.version}, ${os.cpus().length} CPU(s), ${os.platform()}; through mongoose ${mongoose.version}`);
  mongoose.set('strictQuery', true);
  await roundTrip();
  if (args.has('--roundtrip-only')) return;
  for (const mode of modes) {
    const { rows, extra } = await benchMode(mode);
    printTable(mode === 'memory' ? 'in memory (no --dbpath)' : 'file-backed (--dbpath: every write fsynced before it is acknowledged)', rows);
    for (const e of extra) console.log(e);
  }
  if (!args.has('--memory-only')) {
    console.log('\nstorage (FileStorage directly, no wire protocol)');
    for (const line of await benchStorage()) console.log(line);
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s. Ratio 100k/1k near 1.00 means the operation does not slow down as the collection grows.`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
