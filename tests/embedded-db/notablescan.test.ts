/**
 * notablescan: as MongoDB's `setParameter: {notablescan: true}`, a query that would need a
 * collection scan fails with 291 NoQueryExecutionPlans while indexed ones run; the engine's start
 * option applies it only to collections above a size. Each test runs a private server, since the
 * setting is server-wide.
 */
import { MongoClient, MongoServerError } from 'mongodb';
import { startEmbeddedDb, type EmbeddedDb } from '../../src/embedded-db';
import { againstRealMongo } from './support';

const suite = againstRealMongo ? describe.skip : describe;

async function withServer(opts: Parameters<typeof startEmbeddedDb>[0], body: (client: MongoClient) => Promise<void>): Promise<void> {
  const db: EmbeddedDb = await startEmbeddedDb(opts);
  const client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    await body(client);
  } finally {
    await client.close();
    await db.stop();
  }
}

async function code(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof MongoServerError) return err.code as number;
    throw err;
  }
}

suite('notablescan', () => {
  test('setParameter turns it on and off; indexed and _id queries still run', async () => {
    await withServer({}, async (client) => {
      const admin = client.db('admin');
      expect((await admin.command({ getParameter: 1, notablescan: 1 })).notablescan).toBe(false);
      const c = client.db('app').collection<{ _id: number; k: number; x: string; y?: number }>('things');
      await c.createIndex({ k: 1 });
      await c.insertMany([{ _id: 1, k: 1, x: 'a' }, { _id: 2, k: 2, x: 'b' }]);
      expect((await admin.command({ setParameter: 1, notablescan: true })).was).toBe(false);
      expect(await code(c.find({ x: 'a' }).toArray())).toBe(291);
      expect(await code(c.updateOne({ x: 'a' }, { $set: { y: 1 } }))).toBe(291);
      expect(await code(c.deleteMany({ x: 'a' }))).toBe(291);
      expect(await code(c.aggregate([{ $match: { x: 'a' } }]).toArray())).toBe(291);
      expect(await code(c.find({}).toArray())).toBe(291);
      expect(await c.find({ k: 2 }).toArray()).toEqual([{ _id: 2, k: 2, x: 'b' }]);
      // An empty $in list on an indexed field is an index plan with no interval, not a scan.
      expect(await c.find({ _id: { $in: [] } }).toArray()).toEqual([]);
      expect(await c.countDocuments({ k: { $in: [] } })).toBe(0);
      expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, k: 1, x: 'a' });
      expect(await c.find({}).sort({ k: 1 }).toArray()).toHaveLength(2);
      expect(await c.estimatedDocumentCount()).toBe(2);
      await admin.command({ setParameter: 1, notablescan: false });
      expect(await c.find({ x: 'a' }).toArray()).toHaveLength(1);
    });
  });

  test('the start option applies it only to collections above the given size', async () => {
    await withServer({ notablescanAbove: 3 }, async (client) => {
      expect((await client.db('admin').command({ getParameter: 1, notablescan: 1 })).notablescan).toBe(true);
      const small = client.db('app').collection('small');
      await small.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
      expect(await small.find({ a: 2 }).toArray()).toHaveLength(1);
      await small.insertOne({ a: 4 });
      const err = await code(small.find({ a: 2 }).toArray());
      expect(err).toBe(291);
      // The message says which collection and which filter, and why the scan was refused.
      const refused = (await small.find({ a: 2 }).sort({ b: 1 }).toArray().catch((e: unknown) => e)) as MongoServerError;
      expect(refused.message).toContain('ns=app.small filter: { a: 2 } sort: { b: 1 }');
      expect(refused.message).toContain('collection small holds 4 documents, scans allowed up to 3');
      await small.createIndex({ a: 1 });
      expect(await small.find({ a: 2 }).toArray()).toHaveLength(1);
    });
  });
});
