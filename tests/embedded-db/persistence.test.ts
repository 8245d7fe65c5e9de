/**
 * Restart persistence of the file-backed embedded database, through the official driver:
 * documents with every BSON type the portal stores, indexes and their constraints, updates,
 * deletes and drops all come back after a clean stop and restart; the dbPath lock refuses a
 * second server and takes over a stale one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, promises as fsp, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Binary, Decimal128, Double, EJSON, Long, ObjectId } from 'bson';
import { MongoClient, MongoServerError, type Document } from 'mongodb';
import { startEmbeddedDb, DbPathLockedError, type EmbeddedDb } from '../../src/embedded-db';

jest.setTimeout(180_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edb-persist-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withClient<T>(db: EmbeddedDb, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Everything observable about a database, types included (promoteValues off keeps Int32 vs Double vs Long). */
async function dump(client: MongoClient, dbName: string): Promise<string> {
  const db = client.db(dbName);
  const colls = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const out: Document = {};
  for (const name of colls) {
    const docs = await db.collection(name).find({}, { sort: { _id: 1 }, promoteValues: false, promoteLongs: false }).toArray();
    const indexes = (await db.collection(name).listIndexes().toArray()).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    out[name] = { docs, indexes };
  }
  return EJSON.stringify(out, { relaxed: false });
}

describe('restart persistence', () => {
  test('documents, types, indexes, updates, deletes and drops survive a stop and restart', async () => {
    const oid = new ObjectId();
    const db1 = await startEmbeddedDb({ dbPath: dir });
    const before = await withClient(db1, async (client) => {
      const db = client.db('persist');
      const companies = db.collection('companies');
      await companies.createIndex({ email: 1 }, { unique: true });
      await companies.createIndex({ member: 1, createdAt: -1 });
      await companies.createIndex({ tags: 1 });
      await companies.createIndex({ website: 1 }, { unique: true, partialFilterExpression: { website: { $exists: true } } });
      await db.collection('sessions').createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
      await companies.insertMany([
        {
          _id: oid,
          email: 'a@example.cn',
          member: 'CN',
          createdAt: new Date('2025-09-20T01:02:03.456Z'),
          visits: Long.fromString('9007199254740993'),
          fee: Decimal128.fromString('1234.50'),
          logo: new Binary(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 0),
          ratio: 0.25,
          count: 3,
          boothArea: new Double(18),
          smallLong: Long.fromNumber(42),
          tags: ['textile', '纺织'],
          address: { city: 'Guangzhou', lines: ['Pazhou', null] },
        },
        { email: 'b@example.de', member: 'DE', createdAt: new Date(0), tags: [] },
        { email: 'c@example.fr', member: 'FR', tags: ['wine'] },
      ]);
      await companies.updateOne({ email: 'b@example.de' }, { $set: { website: 'https://b.example.de' }, $inc: { edits: 1 } });
      await companies.deleteOne({ email: 'c@example.fr' });
      await db.collection('dropped').insertOne({ x: 1 });
      await db.collection('dropped').drop();
      await db.collection<{ _id: string; session: string; expires: Date }>('sessions').insertOne({ _id: 'sid', session: '{}', expires: new Date(Date.now() + 86_400_000) });
      await client.db('other').collection<{ _id: number }>('things').insertOne({ _id: 1 });
      return dump(client, 'persist');
    });
    await db1.stop();

    const db2 = await startEmbeddedDb({ dbPath: dir });
    try {
      await withClient(db2, async (client) => {
        expect(await dump(client, 'persist')).toBe(before);
        const a = await client.db('persist').collection('companies').findOne({ _id: oid }, { promoteLongs: false });
        expect(a!.visits).toBeInstanceOf(Long);
        expect(String(a!.visits)).toBe('9007199254740993');
        expect(a!.fee).toBeInstanceOf(Decimal128);
        const raw = await client.db('persist').collection('companies').findOne({ _id: oid }, { promoteValues: false });
        expect(raw!.boothArea).toBeInstanceOf(Double);
        expect(raw!.smallLong).toBeInstanceOf(Long);
        expect(a!.fee.toString()).toBe('1234.50');
        expect(a!.createdAt.toISOString()).toBe('2025-09-20T01:02:03.456Z');
        const names = (await client.db('persist').listCollections().toArray()).map((c) => c.name).sort();
        expect(names).toEqual(['companies', 'sessions']);
        expect(await client.db('other').collection('things').countDocuments()).toBe(1);
        // The unique index is enforced, not only listed.
        const dup = await client
          .db('persist')
          .collection('companies')
          .insertOne({ email: 'a@example.cn' })
          .catch((e: unknown) => e);
        expect(dup).toBeInstanceOf(MongoServerError);
        expect((dup as MongoServerError).code).toBe(11000);
      });
    } finally {
      await db2.stop();
    }
  });

  test('many writes, then restart: all there (journal replay at scale)', async () => {
    const db1 = await startEmbeddedDb({ dbPath: dir });
    await withClient(db1, async (client) => {
      const c = client.db('bulk').collection<{ _id: number; n: number; s: string }>('docs');
      await c.createIndex({ n: 1 });
      for (let b = 0; b < 20; b++) {
        await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: b * 500 + i, n: (b * 500 + i) % 97, s: 'x'.repeat(50) })));
      }
      await c.updateMany({ n: 5 }, { $set: { s: 'five' } });
      await c.deleteMany({ n: 6 });
    });
    await db1.stop();
    const db2 = await startEmbeddedDb({ dbPath: dir });
    try {
      await withClient(db2, async (client) => {
        const c = client.db('bulk').collection('docs');
        const expectedSixes = Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 97 === 6).length;
        expect(await c.countDocuments()).toBe(10_000 - expectedSixes);
        expect(await c.countDocuments({ s: 'five' })).toBe(Array.from({ length: 10_000 }, (_, i) => i).filter((i) => i % 97 === 5).length);
      });
    } finally {
      await db2.stop();
    }
  });
});

describe('compaction', () => {
  test('snapshots taken while clients write, then restart: everything there, old files gone', async () => {
    const infos: string[] = [];
    // A tiny threshold: the server compacts again and again under the writes below.
    const db1 = await startEmbeddedDb({
      dbPath: dir,
      compactAfterBytes: 16 * 1024,
      logger: { info: (m) => infos.push(m), warn: () => {}, error: () => {} },
    });
    await withClient(db1, async (client) => {
      const c = client.db('compact').collection<{ _id: number; w: number; v: number }>('docs');
      await c.createIndex({ w: 1, v: 1 });
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let k = 0; k < 150; k++) await c.insertOne({ _id: w * 1000 + k, w, v: k });
          await c.updateMany({ w, v: { $lt: 10 } }, { $set: { v: -1 } });
          await c.deleteMany({ w, v: { $gte: 140 } });
        }),
      );
    });
    await db1.stop();
    expect(infos.filter((m) => /snapshot \d+ written/.test(m)).length).toBeGreaterThan(1);
    const files = (await fsp.readdir(dir)).sort();
    expect(files.filter((n) => n.startsWith('snapshot-'))).toHaveLength(1);
    expect(files.filter((n) => n.endsWith('.tmp'))).toEqual([]);

    const db2 = await startEmbeddedDb({ dbPath: dir });
    try {
      await withClient(db2, async (client) => {
        const c = client.db('compact').collection('docs');
        expect(await c.countDocuments()).toBe(8 * 140);
        expect(await c.countDocuments({ v: -1 })).toBe(8 * 10);
        const idx = (await c.listIndexes().toArray()).map((i) => i.name).sort();
        expect(idx).toEqual(['_id_', 'w_1_v_1']);
      });
    } finally {
      await db2.stop();
    }
  });
});

describe('dbPath lock', () => {
  test('a second server on the same dbPath is refused with a clear error', async () => {
    const db1 = await startEmbeddedDb({ dbPath: dir });
    try {
      await expect(startEmbeddedDb({ dbPath: dir })).rejects.toBeInstanceOf(DbPathLockedError);
      // And through the CLI, which exits with mongod's "dbpath in use" code.
      const cli = path.join(__dirname, '..', '..', 'src', 'embedded-db', 'cli.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--dbpath', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(100);
      expect(stderr).toMatch(/in use by another embedded database server/);
      // The first server still works.
      await withClient(db1, async (client) => {
        await client.db('lock').collection('x').insertOne({ ok: true });
      });
    } finally {
      await db1.stop();
    }
    // Once stopped, the dbPath is free again.
    const db2 = await startEmbeddedDb({ dbPath: dir });
    await db2.stop();
  });

  test('a stale lock left by a dead process is taken over and the data is intact', async () => {
    const db1 = await startEmbeddedDb({ dbPath: dir });
    await withClient(db1, (client) => client.db('stale').collection<{ _id: string }>('x').insertOne({ _id: 'kept' }));
    await db1.stop();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await fsp.writeFile(path.join(dir, 'mongod.lock'), `${dead.stdout}\n`);
    const warnings: string[] = [];
    const db2 = await startEmbeddedDb({ dbPath: dir, logger: { info: () => {}, warn: (m) => warnings.push(m), error: () => {} } });
    try {
      expect(warnings.join('\n')).toMatch(/stale lock/);
      await withClient(db2, async (client) => {
        expect(await client.db('stale').collection<{ _id: string }>('x').findOne({ _id: 'kept' })).not.toBeNull();
      });
    } finally {
      await db2.stop();
    }
  });
});
