/**
 * Server-level and namespace commands through the official driver: handshake facts, ping,
 * buildInfo, serverStatus, listDatabases, create/drop, listCollections, dbStats, collStats,
 * dropDatabase, parameters, and the refusals a standalone MongoDB gives (59, 20).
 */
import { Long } from 'mongodb';
import { connectTestDb, serverError, type TestDb } from './support';

let t: TestDb;
beforeAll(async () => {
  t = await connectTestDb('cmd');
});
afterAll(async () => {
  await t.close();
});

describe('server commands', () => {
  test('hello describes a writable standalone with sessions', async () => {
    const hello = await t.db.admin().command({ hello: 1 });
    expect(hello.ok).toBe(1);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.setName).toBeUndefined();
    expect(typeof hello.maxWireVersion).toBe('number');
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(hello.localTime).toBeInstanceOf(Date);
    const legacy = await t.db.admin().command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
  });

  test('ping, buildInfo and serverStatus', async () => {
    expect(await t.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await t.db.admin().command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(Array.isArray(info.versionArray)).toBe(true);
    const status = await t.db.admin().command({ serverStatus: 1 });
    expect(status.ok).toBe(1);
    expect(typeof status.uptime).toBe('number');
    expect(status.connections.current).toBeGreaterThanOrEqual(1);
    expect(status.opcounters).toEqual(expect.objectContaining({ insert: expect.anything(), query: expect.anything() }));
  });

  test('an unknown command is 59 CommandNotFound', async () => {
    const err = await serverError(t.db.command({ frobnicate: 1 }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
    expect(err.message).toMatch(/no such command: 'frobnicate'/);
  });

  test('a command with txnNumber is refused as on a standalone: 20 IllegalOperation', async () => {
    const session = t.client.startSession();
    try {
      const err = await serverError(
        t.db.command({ insert: 'txn', documents: [{ a: 1 }], txnNumber: Long.fromNumber(1) }, { session }),
      );
      expect(err.code).toBe(20);
      expect(err.codeName).toBe('IllegalOperation');
    } finally {
      await session.endSession();
    }
  });

  test('getParameter / setParameter ttlMonitorSleepSecs (default 60)', async () => {
    const admin = t.db.admin();
    const before = await admin.command({ getParameter: 1, ttlMonitorSleepSecs: 1 });
    expect(typeof before.ttlMonitorSleepSecs).toBe('number');
    const set = await admin.command({ setParameter: 1, ttlMonitorSleepSecs: 7 });
    expect(set.was).toBe(before.ttlMonitorSleepSecs);
    expect((await admin.command({ getParameter: 1, ttlMonitorSleepSecs: 1 })).ttlMonitorSleepSecs).toBe(7);
    await admin.command({ setParameter: 1, ttlMonitorSleepSecs: before.ttlMonitorSleepSecs });
  });

  test('setParameter outside admin is refused', async () => {
    const err = await serverError(t.db.command({ setParameter: 1, ttlMonitorSleepSecs: 5 }));
    expect(err.code).toBe(13);
  });
});

describe('namespaces', () => {
  test('create, listCollections, create again is 48 NamespaceExists, drop', async () => {
    await t.db.createCollection('made');
    const names = (await t.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('made');
    const full = await t.db.listCollections({ name: 'made' }).toArray();
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ name: 'made', type: 'collection', options: {}, info: { readOnly: false } });
    const err = await serverError(t.db.command({ create: 'made' }));
    expect(err.code).toBe(48);
    expect(err.codeName).toBe('NamespaceExists');
    const dropped = await t.db.command({ drop: 'made' });
    expect(dropped).toMatchObject({ ok: 1, nIndexesWas: 1, ns: `${t.db.databaseName}.made` });
    expect((await t.db.listCollections({ name: 'made' }).toArray()).length).toBe(0);
  });

  test('an insert creates its collection implicitly', async () => {
    await t.db.collection('implicit').insertOne({ a: 1 });
    expect((await t.db.listCollections({ name: 'implicit' }).toArray()).length).toBe(1);
  });

  test('invalid collection names are 73 InvalidNamespace', async () => {
    const err = await serverError(t.db.command({ create: 'bad$name' }));
    expect(err.code).toBe(73);
  });

  test('listIndexes on a missing collection is 26 NamespaceNotFound', async () => {
    const err = await serverError(t.db.command({ listIndexes: 'nothing_here' }));
    expect(err.code).toBe(26);
    expect(err.codeName).toBe('NamespaceNotFound');
  });

  test('dbStats and collStats report counts', async () => {
    const c = t.db.collection('stats');
    await c.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const dbs = await t.db.command({ dbStats: 1 });
    expect(dbs).toMatchObject({ ok: 1, db: t.db.databaseName });
    expect(dbs.collections).toBeGreaterThanOrEqual(1);
    expect(dbs.objects).toBeGreaterThanOrEqual(3);
    expect(dbs.dataSize).toBeGreaterThan(0);
    const cs = await t.db.command({ collStats: 'stats' });
    expect(cs).toMatchObject({ ok: 1, ns: `${t.db.databaseName}.stats`, count: 3, nindexes: 1 });
    expect(cs.size).toBeGreaterThan(0);
    expect(cs.indexSizes).toHaveProperty('_id_');
  });

  test('listDatabases shows this database; dropDatabase removes it', async () => {
    const other = t.client.db(`${t.db.databaseName}_x`);
    await other.collection('c').insertOne({ a: 1 });
    const list = await t.db.admin().listDatabases();
    expect(list.databases.map((d) => d.name)).toContain(other.databaseName);
    const entry = list.databases.find((d) => d.name === other.databaseName);
    expect(entry).toEqual(expect.objectContaining({ sizeOnDisk: expect.anything(), empty: false }));
    const res = await other.command({ dropDatabase: 1 });
    expect(res.ok).toBe(1);
    const after = await t.db.admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });

  test('renameCollection keeps documents and indexes; collMod changes a TTL', async () => {
    const c = t.db.collection('before_rename');
    await c.insertMany([{ a: 1 }, { a: 2 }]);
    await c.createIndex({ a: 1 }, { unique: true });
    await t.client.db('admin').command({ renameCollection: `${t.db.databaseName}.before_rename`, to: `${t.db.databaseName}.after_rename` });
    const renamed = t.db.collection('after_rename');
    expect(await renamed.countDocuments()).toBe(2);
    expect((await renamed.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
    expect((await t.db.listCollections({ name: 'before_rename' }).toArray()).length).toBe(0);
    await renamed.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    const mod = await t.db.command({ collMod: 'after_rename', index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    expect(mod).toMatchObject({ ok: 1, expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60 });
    const ttl = (await renamed.listIndexes().toArray()).find((i) => i.name === 'at_1');
    expect(ttl?.expireAfterSeconds).toBe(60);
  });
});
