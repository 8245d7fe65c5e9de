/**
 * Crash durability of the embedded database: the server runs in a child process on a temporary
 * dbPath, another child makes acknowledged writes and reports each acknowledgement, and the
 * server is killed with SIGKILL mid-stream (after a number of acknowledgements, never after a
 * time, so a slow machine changes nothing). After restart every acknowledged write must be there
 * and no document may come back half-written. Also: garbage after the journal still opens.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, promises as fsp, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { MongoClient } from 'mongodb';
import { spawnEmbeddedDb, type ProcessLogger } from '../../src/db';
import { startEmbeddedDb } from '../../src/embedded-db';
import { docChecksum } from './fixtures/doc-checksum';

// Generous: several process starts and kills; a loaded CI machine must not fail it by slowness.
jest.setTimeout(400_000);

const quiet: ProcessLogger = { info: () => {}, warn: () => {}, error: () => {} };
const WRITER = path.join(__dirname, 'fixtures', 'acked-writer.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edb-durability-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Acked {
  inserted: Set<string>;
  counters: Map<string, number>;
}

/**
 * Runs the writer against `uri` until `killAfter` acknowledgements, then calls `kill` while
 * writes are still in flight, and collects every acknowledgement the writer printed.
 */
async function writeUntilKilled(uri: string, round: number, killAfter: number, kill: () => void): Promise<Acked> {
  const acked: Acked = { inserted: new Set(), counters: new Map() };
  const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, uri, 'crash', String(round), '8'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  writer.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  let count = 0;
  let killed = false;
  const lines = readline.createInterface({ input: writer.stdout });
  // Both promises made now: 'close' may come before 'exit', and a late listener would wait forever.
  const linesDone = new Promise<void>((resolve) => lines.once('close', resolve));
  const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
  lines.on('line', (line) => {
    const [kind, a, b] = line.split(' ');
    if (kind === 'ins') acked.inserted.add(a);
    else if (kind === 'upd') acked.counters.set(a, Math.max(acked.counters.get(a) ?? -1, Number(b)));
    else return;
    if (++count >= killAfter && !killed) {
      killed = true;
      kill();
    }
  });
  const [code] = await Promise.all([exited, linesDone]);
  if (!killed) throw new Error(`the writer ended before ${killAfter} acknowledgements (code ${code}):\n${stderr}`);
  return acked;
}

async function verify(uri: string, acked: Acked): Promise<{ items: number }> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const db = client.db('crash');
    const items = await db.collection('items').find({}).toArray();
    const byId = new Map(items.map((d) => [String(d._id), d]));
    const missing = [...acked.inserted].filter((id) => !byId.has(id));
    expect(missing).toEqual([]);
    for (const d of items) {
      // Every document present, acknowledged or not, must be whole.
      expect(d.sum).toBe(docChecksum(String(d._id), d.stream as number, d.seq as number, d.payload as string));
    }
    const counters = await db.collection('counters').find({}).toArray();
    const byCounter = new Map(counters.map((c) => [String(c._id), c]));
    for (const [id, n] of acked.counters) {
      const c = byCounter.get(id);
      expect(c).toBeDefined();
      expect(c!.n).toBeGreaterThanOrEqual(n);
    }
    for (const c of counters) expect(c.nCopy).toBe(c.n);
    return { items: items.length };
  } finally {
    await client.close();
  }
}

describe('crash durability', () => {
  test('every acknowledged write survives SIGKILL of the database process, over several crashes, with and without compaction', async () => {
    const all: Acked = { inserted: new Set(), counters: new Map() };
    for (let round = 1; round <= 3; round++) {
      // Rounds 2 and 3 compact every ~256 KB of journal, so kills also land around snapshots.
      const extraArgs = round > 1 ? ['--compact-after-bytes', String(256 * 1024)] : [];
      const db = await spawnEmbeddedDb({ dbPath: dir, logger: quiet, extraArgs, onUnexpectedExit: () => {} });
      // Each round starts from what the previous crash left, torn tail included.
      if (round > 1) await verify(db.uri, all);
      const acked = await writeUntilKilled(db.uri, round, 400 + round * 150, () => process.kill(db.pid, 'SIGKILL'));
      const { signal } = await db.exited;
      expect(signal).toBe('SIGKILL');
      for (const id of acked.inserted) all.inserted.add(id);
      for (const [k, v] of acked.counters) all.counters.set(k, v);
    }
    // Compaction really happened along the way: a snapshot is on disk.
    expect(readdirSync(dir).some((n) => n.startsWith('snapshot-'))).toBe(true);
    const db = await spawnEmbeddedDb({ dbPath: dir, logger: quiet });
    try {
      const { items } = await verify(db.uri, all);
      expect(items).toBeGreaterThanOrEqual(all.inserted.size);
    } finally {
      await db.stop();
    }
  });

  test('a journal with garbage appended at its end still opens, with a warning, and keeps its data', async () => {
    const db1 = await startEmbeddedDb({ dbPath: dir });
    const c1 = new MongoClient(db1.uri);
    await c1.connect();
    await c1
      .db('g')
      .collection<{ _id: number; v: string }>('docs')
      .insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, v: `value ${i}` })));
    await c1.close();
    await db1.stop();

    const journals = readdirSync(dir).filter((n) => n.startsWith('journal-')).sort();
    expect(journals.length).toBeGreaterThan(0);
    await fsp.appendFile(path.join(dir, journals[journals.length - 1]), Buffer.from('\x2a\x00\x00\x00garbage written by a dying disk...\xde\xad\xbe\xef'));

    const warnings: string[] = [];
    const db2 = await startEmbeddedDb({ dbPath: dir, logger: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} } });
    const c2 = new MongoClient(db2.uri);
    await c2.connect();
    try {
      expect(await c2.db('g').collection<{ _id: number; v: string }>('docs').countDocuments()).toBe(50);
      expect(warnings.join('\n')).toMatch(/cut off/);
      // And it keeps working on top of the cut journal.
      await c2.db('g').collection<{ _id: number; v: string }>('docs').insertOne({ _id: 50, v: 'after' });
    } finally {
      await c2.close();
      await db2.stop();
    }
    const db3 = await startEmbeddedDb({ dbPath: dir });
    const c3 = new MongoClient(db3.uri);
    await c3.connect();
    try {
      expect(await c3.db('g').collection<{ _id: number; v: string }>('docs').countDocuments()).toBe(51);
    } finally {
      await c3.close();
      await db3.stop();
    }
  });
});
