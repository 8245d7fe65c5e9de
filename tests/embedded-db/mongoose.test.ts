/**
 * The portal's own stack against the database: a mongoose model's lifecycle (unique violations
 * included), populate, aggregate and countDocuments, and connect-mongo sessions whose TTL index
 * really expires them (the TTL monitor period is lowered with setParameter, as in MongoDB).
 */
import { testDbUri } from './support';
import mongoose, { Schema, type Connection } from 'mongoose';
import MongoStore from 'connect-mongo';
import type { SessionData } from 'express-session';
import { MongoClient } from 'mongodb';

let conn: Connection;

beforeAll(async () => {
  conn = await mongoose.createConnection(testDbUri('mgs'), { serverSelectionTimeoutMS: 10_000 }).asPromise();
});
afterAll(async () => {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
});

interface Company {
  name: string;
  email: string;
  country: string;
  tags: string[];
  employees: number;
  liaison?: mongoose.Types.ObjectId;
  createdAt?: Date;
  updatedAt?: Date;
}

describe('a mongoose model', () => {
  const liaisonSchema = new Schema({ name: String });
  const companySchema = new Schema<Company>(
    {
      name: { type: String, required: true },
      email: { type: String, required: true, unique: true },
      country: { type: String, index: true },
      tags: { type: [String], index: true },
      employees: { type: Number, default: 1 },
      liaison: { type: Schema.Types.ObjectId, ref: 'Liaison' },
    },
    { timestamps: true },
  );

  test('lifecycle: create, unique violation, find, update, save, delete', async () => {
    const Liaison = conn.model('Liaison', liaisonSchema);
    const Company = conn.model<Company>('Company', companySchema);
    await Company.init();
    const indexes = await Company.collection.indexes();
    expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'country_1', 'email_1', 'tags_1']);

    const li = await Liaison.create({ name: 'Wei' });
    const a = await Company.create({ name: 'Acme', email: 'info@acme.example', country: 'CN', tags: ['tea', 'export'], liaison: li._id });
    expect(a.createdAt).toBeInstanceOf(Date);
    await expect(Company.create({ name: 'Copy', email: 'info@acme.example', country: 'FR' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'info@acme.example' },
    });

    await Company.insertMany([
      { name: 'Bolt', email: 'b@bolt.example', country: 'FR', tags: ['steel'] },
      { name: 'Cara', email: 'c@cara.example', country: 'CN', tags: ['tea'] },
    ]);
    expect(await Company.countDocuments({ country: 'CN' })).toBe(2);
    expect(await Company.estimatedDocumentCount()).toBe(3);
    expect((await Company.find({ tags: 'tea' }).sort({ name: 1 }).lean()).map((c) => c.name)).toEqual(['Acme', 'Cara']);

    const found = await Company.findById(a._id).populate<{ liaison: { name: string } }>('liaison');
    expect(found?.liaison.name).toBe('Wei');

    const doc = await Company.findOne({ email: 'info@acme.example' });
    doc!.tags.push('silk');
    doc!.employees = 12;
    await doc!.save();
    const reloaded = await Company.findById(a._id).lean();
    expect(reloaded).toMatchObject({ employees: 12, tags: ['tea', 'export', 'silk'], __v: 1 });
    expect(reloaded!.updatedAt!.getTime()).toBeGreaterThanOrEqual(reloaded!.createdAt!.getTime());

    const updated = await Company.findOneAndUpdate({ name: 'Bolt' }, { $inc: { employees: 4 } }, { returnDocument: 'after' });
    expect(updated?.employees).toBe(5);
    await expect(Company.updateOne({ name: 'Bolt' }, { email: 'c@cara.example' })).rejects.toMatchObject({ code: 11000 });
    await expect(Company.findOneAndUpdate({ name: 'Bolt' }, { email: 'c@cara.example' })).rejects.toMatchObject({ code: 11000 });

    const byCountry = await Company.aggregate<{ _id: string; n: number }>([
      { $group: { _id: '$country', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(byCountry).toEqual([{ _id: 'CN', n: 2 }, { _id: 'FR', n: 1 }]);

    const del = await Company.deleteMany({ country: 'CN' });
    expect(del.deletedCount).toBe(2);
    expect(await Company.countDocuments()).toBe(1);
  });
});

describe('connect-mongo sessions', () => {
  test('set, get, touch, destroy; expired sessions are removed by the TTL monitor', async () => {
    const uri = testDbUri('sess');
    const admin = new MongoClient(uri);
    await admin.connect();
    const before = await admin.db('admin').command({ getParameter: 1, ttlMonitorSleepSecs: 1 });
    await admin.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 1 });
    const store = MongoStore.create({ mongoUrl: uri, collectionName: 'sessions', stringify: false });
    const call = <T>(fn: (cb: (err: unknown, v?: T | null) => void) => void): Promise<T | null | undefined> =>
      new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
    try {
      const live = { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) }, user: 'u1' } as unknown as SessionData;
      const dying = { cookie: { originalMaxAge: 1000, expires: new Date(Date.now() + 1000) }, user: 'u2' } as unknown as SessionData;
      await call<void>((cb) => store.set('live', live, cb));
      await call<void>((cb) => store.set('dying', dying, cb));
      const got = await call<SessionData>((cb) => store.get('live', cb));
      expect((got as unknown as { user: string }).user).toBe('u1');
      await call<void>((cb) => store.touch('live', live, cb));

      const sessions = admin.db().collection('sessions');
      const ttl = (await sessions.indexes()).find((i) => i.key.expires === 1);
      expect(ttl?.expireAfterSeconds).toBe(0);

      // The TTL monitor runs every second now; allow it generous time on a slow machine.
      const deadline = Date.now() + 60_000;
      while ((await sessions.countDocuments({ _id: 'dying' as never })) > 0) {
        if (Date.now() > deadline) throw new Error('the expired session was never removed');
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await sessions.countDocuments({ _id: 'live' as never })).toBe(1);
      await call<void>((cb) => store.destroy('live', cb));
      expect(await sessions.countDocuments()).toBe(0);
    } finally {
      await store.close();
      await admin.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: before.ttlMonitorSleepSecs });
      await admin.db().dropDatabase();
      await admin.close();
    }
  }, 90_000);
});
