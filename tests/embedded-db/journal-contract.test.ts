/**
 * The engine's side of the storage contract (src/embedded-db/storage/types.ts), checked with a
 * recording Storage: every acknowledged write is appended before the reply, as one batch per
 * command, with physical records; replaying the journal rebuilds the same data; compaction is
 * requested past the size threshold and receives the whole state. Runs its own server.
 */
import { MongoClient } from 'mongodb';
import type { AnyDoc } from './support';
import { createServer, type RunningServer } from '../../src/embedded-db/server';
import type { EngineState, JournalRecord, LoadedState, Storage } from '../../src/embedded-db/storage/types';

class RecordingStorage implements Storage {
  batches: JournalRecord[][] = [];
  compactions: EngineState[] = [];
  reportedSize = 0;
  /** When set, appends wait for this promise: lets a test see that replies wait for durability. */
  gate: Promise<void> | null = null;

  constructor(private readonly initial: LoadedState = { snapshot: null, records: [] }) {}

  async open(): Promise<LoadedState> {
    return this.initial;
  }
  async append(batch: JournalRecord[]): Promise<void> {
    if (this.gate) await this.gate;
    // Serialise as a real journal would, so later in-memory changes cannot leak into it.
    this.batches.push(JSON.parse(JSON.stringify(batch)) as JournalRecord[]);
  }
  journalSize(): number {
    return this.reportedSize;
  }
  async compact(state: EngineState): Promise<void> {
    this.compactions.push(JSON.parse(JSON.stringify(state)) as EngineState);
    this.reportedSize = 0;
  }
  async close(): Promise<void> {}
}

async function withServer(storage: Storage, body: (client: MongoClient) => Promise<void>): Promise<void> {
  const server: RunningServer = await createServer({ storage, port: 0 });
  const client = new MongoClient(`mongodb://127.0.0.1:${server.port}/jc`, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    await body(client);
  } finally {
    await client.close();
    await server.close();
  }
}

test('writes are journalled as one physical batch per command, before the reply', async () => {
  const storage = new RecordingStorage();
  await withServer(storage, async (client) => {
    const c = client.db().collection<AnyDoc>('things');
    await c.insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    expect(storage.batches.at(-1)).toEqual([
      { t: 'createCollection', db: 'jc', coll: 'things', options: {} },
      { t: 'put', db: 'jc', coll: 'things', doc: { _id: 1, a: 1 } },
      { t: 'put', db: 'jc', coll: 'things', doc: { _id: 2, a: 2 } },
    ]);
    await c.updateMany({}, { $inc: { a: 10 } });
    expect(storage.batches.at(-1)).toEqual([
      { t: 'put', db: 'jc', coll: 'things', doc: { _id: 1, a: 11 } },
      { t: 'put', db: 'jc', coll: 'things', doc: { _id: 2, a: 12 } },
    ]);
    await c.deleteOne({ _id: 1 });
    expect(storage.batches.at(-1)).toEqual([{ t: 'del', db: 'jc', coll: 'things', id: 1 }]);
    await c.createIndex({ a: 1 }, { unique: true });
    expect(storage.batches.at(-1)).toEqual([{ t: 'createIndex', db: 'jc', coll: 'things', spec: { v: 2, key: { a: 1 }, name: 'a_1', unique: true } }]);

    // A reply must wait for its append.
    let open!: () => void;
    storage.gate = new Promise<void>((resolve) => (open = resolve));
    let replied = false;
    const pending = c.insertOne({ _id: 3, a: 3 }).then(() => (replied = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(replied).toBe(false);
    storage.gate = null;
    open();
    await pending;
    expect(replied).toBe(true);

    // A failed write (duplicate) journals nothing.
    const before = storage.batches.length;
    await expect(c.insertOne({ _id: 4, a: 3 })).rejects.toMatchObject({ code: 11000 });
    expect(storage.batches.length).toBe(before);
  });
});

test('replaying the journal rebuilds the same data and indexes', async () => {
  const first = new RecordingStorage();
  await withServer(first, async (client) => {
    const c = client.db().collection<AnyDoc>('r');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
    await c.updateOne({ _id: 2 }, { $set: { email: 'c' } });
    await c.deleteOne({ _id: 1 });
  });
  const records = first.batches.flat();
  // Replaying twice must be harmless (records are idempotent).
  const second = new RecordingStorage({ snapshot: null, records: [...records, ...records] });
  await withServer(second, async (client) => {
    const c = client.db().collection<AnyDoc>('r');
    expect(await c.find({}).toArray()).toEqual([{ _id: 2, email: 'c' }]);
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
    await expect(c.insertOne({ _id: 5, email: 'c' })).rejects.toMatchObject({ code: 11000 });
  });
});

test('past the journal size threshold the engine compacts with the whole state', async () => {
  const storage = new RecordingStorage();
  await withServer(storage, async (client) => {
    const c = client.db().collection<AnyDoc>('big');
    await c.createIndex({ k: 1 });
    await c.insertMany([{ _id: 1, k: 'x' }, { _id: 2, k: 'y' }]);
    storage.reportedSize = 1 << 30;
    await c.insertOne({ _id: 3, k: 'z' });
    for (let i = 0; i < 50 && storage.compactions.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(storage.compactions).toHaveLength(1);
    expect(storage.compactions[0].databases.jc.big).toEqual({
      options: {},
      indexes: [{ v: 2, key: { k: 1 }, name: 'k_1' }],
      docs: [{ _id: 1, k: 'x' }, { _id: 2, k: 'y' }, { _id: 3, k: 'z' }],
    });
  });
});
