/**
 * FileStorage on its own, below the wire protocol: journal framing and replay, group commit,
 * torn and corrupt tails, compaction and its crash windows, the dbPath lock, and exact BSON types.
 */
import { promises as fsp, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Binary, Decimal128, Double, Long, ObjectId, type Document } from 'bson';
import { FileStorage } from '../../src/embedded-db/storage/file';
import { DbPathLockedError, LOCK_FILE } from '../../src/embedded-db/storage/lock';
import type { EngineState, JournalRecord } from '../../src/embedded-db/storage/types';

interface Captured {
  warn: string[];
  info: string[];
  error: string[];
}
function capture(): Captured & { logger: { info(m: string): void; warn(m: string): void; error(m: string): void } } {
  const c: Captured = { warn: [], info: [], error: [] };
  return { ...c, logger: { info: (m) => c.info.push(m), warn: (m) => c.warn.push(m), error: (m) => c.error.push(m) } };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edb-storage-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const put = (n: number, extra: Document = {}): JournalRecord => ({ t: 'put', db: 'app', coll: 'items', doc: { _id: n, n, ...extra } });

/** Applies records to a state the way the engine would: enough to check replay results. */
function apply(state: EngineState | null, records: JournalRecord[]): Map<unknown, Document> {
  const docs = new Map<unknown, Document>();
  for (const d of state?.databases.app?.items?.docs ?? []) docs.set(d._id, d);
  for (const r of records) {
    if (r.t === 'put' && r.coll === 'items') docs.set(r.doc._id, r.doc);
    if (r.t === 'del' && r.coll === 'items') docs.delete(r.id);
  }
  return docs;
}

function journalFiles(): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('journal-'))
    .sort();
}

describe('FileStorage', () => {
  test('a fresh dbPath opens empty and replays appended batches in order after reopening', async () => {
    const s1 = new FileStorage(dir);
    expect(await s1.open()).toEqual({ snapshot: null, records: [] });
    await s1.append([put(1), put(2)]);
    await s1.append([{ t: 'del', db: 'app', coll: 'items', id: 1 }]);
    await s1.append([{ t: 'createIndex', db: 'app', coll: 'items', spec: { v: 2, key: { n: 1 }, name: 'n_1', unique: true } }]);
    expect(s1.journalSize()).toBeGreaterThan(0);
    await s1.close();

    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    expect(loaded.snapshot).toBeNull();
    expect(loaded.records.map((r) => r.t)).toEqual(['put', 'put', 'del', 'createIndex']);
    expect([...apply(loaded.snapshot, loaded.records).keys()]).toEqual([2]);
    await s2.close();
  });

  test('BSON types survive exactly', async () => {
    const oid = new ObjectId();
    const doc = {
      _id: oid,
      when: new Date('2024-09-20T08:00:00.123Z'),
      big: Long.fromString('9007199254740993'),
      small: Long.fromNumber(7),
      price: Decimal128.fromString('12.3400'),
      bin: new Binary(Buffer.from([0, 1, 2, 255]), 4),
      nested: { arr: [1, 'two', { three: 3.5 }], nul: null },
      str: '中文 ümlaut',
      // The engine keeps an integral double as a Double object (else it would come back int32).
      dbl: new Double(2),
      negZero: new Double(-0),
      int: 5,
      frac: 0.5,
      'dotted.key': true,
      $dollar: 1,
    };
    const s1 = new FileStorage(dir);
    await s1.open();
    await s1.append([{ t: 'put', db: 'app', coll: 'types', doc }]);
    await s1.compact({ databases: { app: { types: { options: {}, indexes: [], docs: [doc] } } } });
    await s1.append([{ t: 'put', db: 'app', coll: 'types', doc: { ...doc, _id: 'second' } }]);
    await s1.close();

    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    const fromSnap = loaded.snapshot!.databases.app.types.docs[0];
    const fromJournal = (loaded.records[0] as { doc: Document }).doc;
    for (const got of [fromSnap, fromJournal]) {
      expect(got.when).toBeInstanceOf(Date);
      expect(got.when.toISOString()).toBe('2024-09-20T08:00:00.123Z');
      expect(got.big).toBeInstanceOf(Long);
      expect(got.big.toString()).toBe('9007199254740993');
      expect(got.small).toBeInstanceOf(Long);
      expect(got.price).toBeInstanceOf(Decimal128);
      expect(got.price.toString()).toBe('12.3400');
      expect(got.bin).toBeInstanceOf(Binary);
      expect(got.bin.sub_type).toBe(4);
      expect(Buffer.from(got.bin.buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(got.nested).toEqual({ arr: [1, 'two', { three: 3.5 }], nul: null });
      expect(got.str).toBe('中文 ümlaut');
      expect(got.dbl).toBeInstanceOf(Double);
      expect(got.dbl.value).toBe(2);
      expect(Object.is(got.negZero.value, -0)).toBe(true);
      expect(got.int).toBe(5);
      expect(got.frac).toBe(0.5);
      expect(got['dotted.key']).toBe(true);
      expect(got.$dollar).toBe(1);
    }
    expect(fromSnap._id).toBeInstanceOf(ObjectId);
    expect(fromSnap._id.equals(oid)).toBe(true);
    await s2.close();
  });

  test('concurrent appends share fsyncs (group commit) and all resolve durably', async () => {
    const s = new FileStorage(dir);
    await s.open();
    await Promise.all(Array.from({ length: 500 }, (_, i) => s.append([put(i)])));
    expect(s.stats.appends).toBe(500);
    // The first append syncs alone; the rest queue behind it and go out in a few groups.
    expect(s.stats.syncs).toBeLessThan(500);
    await s.close();
    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    expect(apply(null, loaded.records).size).toBe(500);
    await s2.close();
  });

  test('garbage appended to the journal is cut off with a warning; earlier data stays', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    for (let i = 0; i < 20; i++) await s1.append([put(i)]);
    await s1.close();
    const jf = path.join(dir, journalFiles()[0]);
    const goodSize = (await fsp.stat(jf)).size;
    await fsp.appendFile(jf, Buffer.from('this is not a journal record, just garbage after a crash \x00\xff\x13'));

    const c = capture();
    const s2 = new FileStorage(dir, { logger: c.logger });
    const loaded = await s2.open();
    expect(apply(null, loaded.records).size).toBe(20);
    expect(c.warn.join('\n')).toMatch(/cut off/);
    expect((await fsp.stat(jf)).size).toBe(goodSize);
    // New appends land right after the last good record and replay with it.
    await s2.append([put(100)]);
    await s2.close();
    const s3 = new FileStorage(dir);
    expect(apply(null, (await s3.open()).records).size).toBe(21);
    await s3.close();
  });

  test('a record cut in the middle (torn write) is dropped; records before it stay', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    for (let i = 0; i < 10; i++) await s1.append([put(i, { pad: 'x'.repeat(100) })]);
    await s1.close();
    const jf = path.join(dir, journalFiles()[0]);
    const size = (await fsp.stat(jf)).size;
    await fsp.truncate(jf, size - 50); // half of the last record

    const c = capture();
    const s2 = new FileStorage(dir, { logger: c.logger });
    const docs = apply(null, (await s2.open()).records);
    expect([...docs.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.warn.join('\n')).toMatch(/cut short/);
    await s2.close();
  });

  test('a flipped bit in the last record is caught by the checksum', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    for (let i = 0; i < 5; i++) await s1.append([put(i)]);
    await s1.close();
    const jf = path.join(dir, journalFiles()[0]);
    const buf = await fsp.readFile(jf);
    buf[buf.length - 3] ^= 0x10;
    await fsp.writeFile(jf, buf);
    const c = capture();
    const s2 = new FileStorage(dir, { logger: c.logger });
    expect([...apply(null, (await s2.open()).records).keys()]).toEqual([0, 1, 2, 3]);
    expect(c.warn.join('\n')).toMatch(/checksum/);
    await s2.close();
  });

  test('a zero-filled tail (file extended, data never written) is cut', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    await s1.append([put(1)]);
    await s1.close();
    await fsp.appendFile(path.join(dir, journalFiles()[0]), Buffer.alloc(4096));
    const s2 = new FileStorage(dir);
    expect(apply(null, (await s2.open()).records).size).toBe(1);
    await s2.close();
  });

  test('a journal cut before its header was written (empty or partial file) opens empty and works', async () => {
    for (const content of [Buffer.alloc(0), Buffer.from('EDB')]) {
      const d = mkdtempSync(path.join(os.tmpdir(), 'edb-storage-hdr-'));
      try {
        await fsp.writeFile(path.join(d, 'journal-000000000000.edb'), content);
        const s1 = new FileStorage(d);
        expect((await s1.open()).records).toEqual([]);
        await s1.append([put(1)]);
        await s1.close();
        const s2 = new FileStorage(d);
        expect(apply(null, (await s2.open()).records).size).toBe(1);
        await s2.close();
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }
  });

  test('a damaged journal header does not hide the records after it, nor later appends', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    await s1.append([put(1)]);
    await s1.close();
    const jf = path.join(dir, journalFiles()[0]);
    const buf = await fsp.readFile(jf);
    buf.write('XXXX', 0);
    await fsp.writeFile(jf, buf);
    const c = capture();
    const s2 = new FileStorage(dir, { logger: c.logger });
    expect(apply(null, (await s2.open()).records).size).toBe(1);
    expect(c.warn.join('\n')).toMatch(/damaged header/);
    await s2.append([put(2)]);
    await s2.close();
    const s3 = new FileStorage(dir);
    expect(apply(null, (await s3.open()).records).size).toBe(2);
    await s3.close();
  });

  test('compaction writes a snapshot, starts a fresh journal, and restart keeps everything', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    const docs: Document[] = [];
    for (let i = 0; i < 100; i++) {
      docs.push({ _id: i, n: i });
      await s1.append([put(i)]);
    }
    const before = s1.journalSize();
    await s1.compact({
      databases: {
        app: { items: { options: { capped: false }, indexes: [{ v: 2, key: { n: 1 }, name: 'n_1' }], docs }, empty: { options: {}, indexes: [], docs: [] } },
        emptydb: {},
      },
    });
    expect(s1.journalSize()).toBeLessThan(before);
    await s1.append([put(100)]);
    await s1.close();
    const names = (await fsp.readdir(dir)).sort();
    expect(names.filter((n) => n.startsWith('snapshot-'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('journal-'))).toHaveLength(1);

    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    expect(loaded.snapshot!.databases.app.items.indexes).toEqual([{ v: 2, key: { n: 1 }, name: 'n_1' }]);
    expect(loaded.snapshot!.databases.app.items.options).toEqual({ capped: false });
    expect(loaded.snapshot!.databases.app.empty.docs).toEqual([]);
    expect(loaded.snapshot!.databases.emptydb).toEqual({});
    expect(apply(loaded.snapshot, loaded.records).size).toBe(101);
    await s2.close();
  });

  test('writes made during a compaction go to the new journal and survive', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    const docs: Document[] = [];
    for (let i = 0; i < 2000; i++) docs.push({ _id: i, n: i, pad: 'p'.repeat(200) });
    await s1.append(docs.map((d) => ({ t: 'put', db: 'app', coll: 'items', doc: d }) as JournalRecord));
    const state: EngineState = { databases: { app: { items: { options: {}, indexes: [], docs } } } };
    const compaction = s1.compact(state);
    // The engine keeps writing (and mutating its arrays) while the snapshot is written.
    docs.splice(0, 10);
    const during = Promise.all(
      Array.from({ length: 50 }, (_, i) => s1.append([put(5000 + i), { t: 'del', db: 'app', coll: 'items', id: i }])),
    );
    await Promise.all([compaction, during]);
    await s1.close();
    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    const final = apply(loaded.snapshot, loaded.records);
    expect(final.size).toBe(2000);
    expect(final.has(0)).toBe(false);
    expect(final.has(5049)).toBe(true);
    await s2.close();
  });

  test('a crash between snapshot rename and journal clean-up, or before the rename, loses nothing', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    for (let i = 0; i < 10; i++) await s1.append([put(i)]);
    await s1.compact({ databases: { app: { items: { options: {}, indexes: [], docs: Array.from({ length: 10 }, (_, i) => ({ _id: i, n: i })) } } } });
    await s1.append([put(10)]);
    await s1.close();
    const snap = (await fsp.readdir(dir)).find((n) => n.startsWith('snapshot-'))!;
    // Before the rename: only a temp file exists next to the old state.
    const d2 = mkdtempSync(path.join(os.tmpdir(), 'edb-storage-crash-'));
    try {
      // Rebuild the "crash before rename" picture: journals of both generations, snapshot as .tmp.
      const s0 = new FileStorage(d2);
      await s0.open();
      for (let i = 0; i < 10; i++) await s0.append([put(i)]);
      await s0.close();
      await fsp.copyFile(path.join(dir, snap), path.join(d2, `${snap}.tmp`));
      const j2 = journalFiles()[0];
      await fsp.copyFile(path.join(dir, j2), path.join(d2, j2));
      const s3 = new FileStorage(d2);
      const loaded = await s3.open();
      expect(loaded.snapshot).toBeNull();
      expect(apply(loaded.snapshot, loaded.records).size).toBe(11);
      expect((await fsp.readdir(d2)).some((n) => n.endsWith('.tmp'))).toBe(false);
      await s3.close();
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  test('a second storage on the same dbPath is refused while the first holds it', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    const s2 = new FileStorage(dir);
    await expect(s2.open()).rejects.toBeInstanceOf(DbPathLockedError);
    await expect(new FileStorage(dir).open()).rejects.toThrow(/in use by another embedded database server/);
    await s1.close();
    const s3 = new FileStorage(dir);
    await s3.open();
    await s3.close();
  });

  test('a stale lock from a dead process is taken over with a warning', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(deadPid).toBeGreaterThan(0);
    await fsp.writeFile(path.join(dir, LOCK_FILE), `${deadPid}\n`);
    const c = capture();
    const s = new FileStorage(dir, { logger: c.logger });
    await s.open();
    expect(c.warn.join('\n')).toMatch(new RegExp(`stale lock.*pid ${deadPid}`));
    expect((await fsp.readFile(path.join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await s.close();
    await expect(fsp.stat(path.join(dir, LOCK_FILE))).rejects.toThrow();
  });

  test('appends after close are refused; close is idempotent', async () => {
    const s = new FileStorage(dir);
    await s.open();
    await s.close();
    await s.close();
    await expect(s.append([put(1)])).rejects.toThrow(/closed/);
  });

  test('a snapshot of many documents is streamed per document (past the 16 MiB BSON limit in total)', async () => {
    const s1 = new FileStorage(dir);
    await s1.open();
    const docs = Array.from({ length: 3000 }, (_, i) => ({ _id: i, blob: 'z'.repeat(8000) }));
    await s1.compact({ databases: { app: { items: { options: {}, indexes: [], docs } } } });
    await s1.close();
    const s2 = new FileStorage(dir);
    const loaded = await s2.open();
    expect(loaded.snapshot!.databases.app.items.docs).toHaveLength(3000);
    await s2.close();
  });
});
