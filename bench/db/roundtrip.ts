/**
 * Wire round trip: a `findById` through mongoose against the embedded database running in the
 * same process (startEmbeddedDb) and in a child process (as `npm start` runs it), one request at
 * a time, in alternating rounds so both see the same machine load. Reports the median per-call
 * latency of the rounds and the child/in-process ratio.
 */
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { spawnEmbeddedDb, type ProcessLogger } from '../../src/db';
import { startEmbeddedDb } from '../../src/embedded-db';

const DOCS = 1_000;
const CALLS = 2_000;
const ROUNDS = 7;
const quiet: ProcessLogger = { info: () => {}, warn: () => {}, error: () => {} };

const schema = new mongoose.Schema({ name: String, n: Number, tags: [String] });

async function prepare(uri: string): Promise<{ conn: mongoose.Connection; ids: mongoose.Types.ObjectId[] }> {
  const conn = await mongoose.createConnection(uri, { dbName: 'roundtrip' }).asPromise();
  const M = conn.model('Item', schema);
  const docs = await M.insertMany(Array.from({ length: DOCS }, (_, i) => ({ name: `item ${i}`, n: i, tags: ['a', 'b'] })));
  return { conn, ids: docs.map((d) => d._id) };
}

async function round(conn: mongoose.Connection, ids: mongoose.Types.ObjectId[]): Promise<number> {
  const M = conn.model('Item');
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await M.findById(ids[(i * 7919) % ids.length]).lean();
  return ((performance.now() - t) * 1000) / CALLS;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function roundTrip(): Promise<void> {
  const inner = await startEmbeddedDb();
  const child = await spawnEmbeddedDb({ logger: quiet });
  try {
    const a = await prepare(inner.uri);
    const b = await prepare(child.uri);
    await round(a.conn, a.ids); // warm-up
    await round(b.conn, b.ids);
    const inProcess: number[] = [];
    const childProcess: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      inProcess.push(await round(a.conn, a.ids));
      childProcess.push(await round(b.conn, b.ids));
    }
    await a.conn.close();
    await b.conn.close();
    const mi = median(inProcess);
    const mc = median(childProcess);
    console.log(`\nWire round trip: findById through mongoose (${CALLS} sequential calls x ${ROUNDS} rounds, median per call)`);
    console.log(`  in-process     ${mi.toFixed(1).padStart(7)} µs`);
    console.log(`  child process  ${mc.toFixed(1).padStart(7)} µs`);
    console.log(`  ratio          ${(mc / mi).toFixed(2).padStart(7)}`);
  } finally {
    await child.stop();
    await inner.stop();
  }
}
