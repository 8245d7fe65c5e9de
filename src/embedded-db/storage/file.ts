/**
 * FileStorage: the durable storage of the embedded database on a dbPath directory.
 * Layout: `mongod.lock`, `snapshot-<gen>.edb` (the whole state, one framed BSON document per
 * collection header or stored document, closed by an end frame) and `journal-<gen>.edb`
 * (framed batches of JournalRecords written after snapshot <gen>). Writes are acknowledged
 * only after fdatasync, and concurrent appends share one write + fdatasync (group commit).
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';
import type { CollectionState, EngineState, JournalRecord, LoadedState, Storage } from './types';
import { decodeBatch, encodeBatch, frame, readDocument, scanFileFrames, scanFrames } from './framing';
import { acquireLock, type HeldLock } from './lock';

export interface StorageLogger {
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
}

export interface FileStorageOptions {
  logger?: StorageLogger;
  /**
   * Journal bytes after which this storage reports itself due for compaction, whatever the
   * engine's own threshold (journalSize() then reports a huge size). For tuning and for tests
   * that must exercise compaction without writing 64 MiB.
   */
  compactAfterBytes?: number;
}

const JOURNAL_MAGIC = Buffer.from('EDBJRN01');
const SNAPSHOT_MAGIC = Buffer.from('EDBSNP01');
/** Snapshot frames are gathered into writes of about this size. */
const WRITE_CHUNK = 1 << 20;

const genName = (kind: 'journal' | 'snapshot', gen: number): string => `${kind}-${String(gen).padStart(12, '0')}.edb`;
const GEN_RE = /^(journal|snapshot)-(\d{12})\.edb$/;

interface Pending {
  bytes: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A request to continue in journal <gen>, made by compact(). */
interface Switch {
  gen: number;
  carry: Buffer[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One collection (or an empty database when coll is null) as compact() took it. */
interface Captured {
  db: string;
  coll: string | null;
  options?: Document;
  indexes?: Document[];
  docs: Document[];
}

/** One journal file open for appending. */
class JournalFile {
  constructor(
    readonly gen: number,
    readonly fh: fsp.FileHandle,
    public size: number,
  ) {}
}

export class FileStorage implements Storage {
  private readonly logger: StorageLogger;
  private readonly compactAfterBytes: number | undefined;
  private lock: HeldLock | null = null;
  private journal: JournalFile | null = null;
  /** Batches waiting for the next group write. */
  private queue: Pending[] = [];
  /** Batches in the group being written right now. */
  private inFlight: Pending[] = [];
  /** The last group synced: its callers may not have applied their changes to memory yet. */
  private lastGroup: Buffer | null = null;
  private switches: Switch[] = [];
  private nextGen = 1;
  private flushing: Promise<void> | null = null;
  /** After a failed write or fsync the journal's state on disk is unknown: refuse further writes. */
  private failed: Error | null = null;
  private sinceSnapshot = 0;
  private compacting: Promise<void> = Promise.resolve();
  private opened = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  /** Counters for the benchmark and tests: how many appends shared how many fsyncs. */
  readonly stats = { appends: 0, syncs: 0, bytes: 0 };

  constructor(
    readonly dbPath: string,
    opts: FileStorageOptions = {},
  ) {
    this.logger = opts.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
    this.compactAfterBytes = opts.compactAfterBytes;
  }

  async open(): Promise<LoadedState> {
    if (this.opened) throw new Error('FileStorage.open() called twice');
    this.opened = true;
    await fsp.mkdir(this.dbPath, { recursive: true });
    this.lock = await acquireLock(this.dbPath, (pid) =>
      this.logger.warn(`embedded-db: took over a stale lock on ${this.dbPath} left by pid ${pid}, which is no longer running`),
    );
    try {
      return await this.load();
    } catch (err) {
      await this.lock.release();
      this.lock = null;
      throw err;
    }
  }

  private async load(): Promise<LoadedState> {
    const names = await fsp.readdir(this.dbPath);
    const snapshots: number[] = [];
    const journals: number[] = [];
    for (const n of names) {
      if (n.endsWith('.tmp')) {
        // A snapshot that never reached its rename: the journal still holds everything it had.
        await fsp.unlink(path.join(this.dbPath, n)).catch(() => {});
        continue;
      }
      const m = GEN_RE.exec(n);
      if (m) (m[1] === 'journal' ? journals : snapshots).push(Number(m[2]));
    }
    snapshots.sort((a, b) => a - b);
    journals.sort((a, b) => a - b);

    let snapshot: EngineState | null = null;
    let base = 0;
    if (snapshots.length > 0) {
      base = snapshots[snapshots.length - 1];
      // A snapshot is renamed into place only after it is fsynced, so a bad one means the disk
      // lost data: refusing is safer than starting from an older state without saying so.
      snapshot = await this.readSnapshot(path.join(this.dbPath, genName('snapshot', base)));
    }

    const records: JournalRecord[] = [];
    const live = journals.filter((g) => g >= base);
    this.sinceSnapshot = 0;
    for (let i = 0; i < live.length; i++) {
      const gen = live[i];
      const isLast = i === live.length - 1;
      const file = path.join(this.dbPath, genName('journal', gen));
      const buf = await fsp.readFile(file);
      const H = JOURNAL_MAGIC.length;
      const headerOk = buf.length >= H && buf.subarray(0, H).equals(JOURNAL_MAGIC);
      if (!headerOk && buf.length > 0) {
        // The header is written and synced before any record, so records after a bad header
        // mean the disk damaged it: say so, and read the records anyway.
        this.logger.warn(`embedded-db: journal ${file} has a damaged header; reading its records anyway`);
      }
      const scan = scanFrames(buf, Math.min(H, buf.length), (payload) => {
        for (const r of decodeBatch(payload)) records.push(r as JournalRecord);
      });
      const goodEnd = Math.max(H, scan.goodEnd);
      if (scan.problem) {
        this.logger.warn(
          `embedded-db: journal ${file} ends in ${scan.problem} at byte ${scan.goodEnd}; ` +
            `cut off ${buf.length - scan.goodEnd} bytes (a write torn by a crash; it was never acknowledged)`,
        );
      }
      this.sinceSnapshot += goodEnd;
      if (isLast) {
        // New records must follow the last good one, after a sound header.
        if (!headerOk || goodEnd !== buf.length) await this.repairJournal(file, goodEnd, !headerOk);
        const fh = await fsp.open(file, fsc.O_RDWR);
        this.journal = new JournalFile(gen, fh, goodEnd);
      }
    }
    if (!this.journal) this.journal = await this.createJournal(base);
    this.nextGen = this.journal.gen + 1;
    for (const g of snapshots) if (g < base) await fsp.unlink(path.join(this.dbPath, genName('snapshot', g))).catch(() => {});
    for (const g of journals) if (g < base) await fsp.unlink(path.join(this.dbPath, genName('journal', g))).catch(() => {});
    return { snapshot, records };
  }

  /** Cuts a torn tail at goodEnd and, if asked, writes the header again. */
  private async repairJournal(file: string, goodEnd: number, rewriteHeader: boolean): Promise<void> {
    const fh = await fsp.open(file, fsc.O_RDWR);
    try {
      if (rewriteHeader) await writeAll(fh, JOURNAL_MAGIC, 0);
      await fh.truncate(goodEnd);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  private async createJournal(gen: number): Promise<JournalFile> {
    const file = path.join(this.dbPath, genName('journal', gen));
    const fh = await fsp.open(file, fsc.O_RDWR | fsc.O_CREAT | fsc.O_TRUNC);
    await writeAll(fh, JOURNAL_MAGIC, 0);
    await fh.sync();
    await this.syncDir();
    return new JournalFile(gen, fh, JOURNAL_MAGIC.length);
  }

  private async readSnapshot(file: string): Promise<EngineState> {
    const fh = await fsp.open(file, 'r');
    try {
      return await this.readSnapshotFrom(fh, file);
    } finally {
      await fh.close();
    }
  }

  private async readSnapshotFrom(fh: fsp.FileHandle, file: string): Promise<EngineState> {
    const magic = Buffer.alloc(SNAPSHOT_MAGIC.length);
    const { bytesRead } = await fh.read(magic, 0, magic.length, 0);
    if (bytesRead < SNAPSHOT_MAGIC.length || !magic.equals(SNAPSHOT_MAGIC)) {
      throw new Error(`embedded-db: snapshot ${file} is not a snapshot file (bad header)`);
    }
    const state: EngineState = { databases: {} };
    let current: CollectionState | null = null;
    let docs = 0;
    let ended = false;
    const scan = await scanFileFrames(fh, SNAPSHOT_MAGIC.length, (payload) => {
      if (ended) throw new Error(`embedded-db: snapshot ${file} has data after its end frame`);
      const rec = readDocument(payload);
      if (rec.k === 'd') {
        if (!current) throw new Error(`embedded-db: snapshot ${file} has a document before any collection`);
        current.docs.push(rec.d as Document);
        docs++;
      } else if (rec.k === 'c') {
        current = { options: rec.options as Document, indexes: rec.indexes as CollectionState['indexes'], docs: [] };
        (state.databases[rec.db as string] ??= {})[rec.coll as string] = current;
      } else if (rec.k === 'db') {
        state.databases[rec.db as string] ??= {};
      } else if (rec.k === 'end') {
        if (Number(rec.docs) !== docs) throw new Error(`embedded-db: snapshot ${file} holds ${docs} documents, its end frame says ${rec.docs}`);
        ended = true;
      }
    });
    if (scan.problem || !ended) {
      throw new Error(
        `embedded-db: snapshot ${file} is damaged (${scan.problem ?? 'no end frame'} at byte ${scan.goodEnd}); ` +
          'it was complete when written, so the disk lost data. Restore the dbPath from a backup.',
      );
    }
    return state;
  }

  append(batch: JournalRecord[]): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new Error('embedded-db storage is closed'));
    if (this.failed) return Promise.reject(this.failed);
    if (!this.journal) return Promise.reject(new Error('embedded-db storage is not open'));
    if (batch.length === 0) return Promise.resolve();
    let bytes: Buffer;
    try {
      bytes = frame(encodeBatch(batch as unknown as Document[]));
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, resolve, reject });
      this.stats.appends++;
      this.kick();
    });
  }

  /** Starts a group write unless one is running; that one starts the next when it finishes. */
  private kick(): void {
    if (this.flushing || (this.queue.length === 0 && this.switches.length === 0)) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      this.kick();
    });
  }

  private async flushLoop(): Promise<void> {
    while ((this.queue.length > 0 || this.switches.length > 0) && !this.failed) {
      const sw = this.switches.shift();
      if (sw) {
        try {
          await this.switchJournal(sw.gen, sw.carry);
          sw.resolve();
        } catch (err) {
          sw.reject(this.fail(err as Error, []));
          return;
        }
        continue;
      }
      const group = this.queue;
      this.queue = [];
      this.inFlight = group;
      const journal = this.journal as JournalFile;
      const bytes = group.length === 1 ? group[0].bytes : Buffer.concat(group.map((p) => p.bytes));
      try {
        await writeAll(journal.fh, bytes, journal.size);
        // fdatasync also persists the file size, which is all an append changes besides data.
        await journal.fh.datasync();
      } catch (err) {
        this.fail(err as Error, group);
        return;
      }
      journal.size += bytes.length;
      this.sinceSnapshot += bytes.length;
      this.stats.syncs++;
      this.stats.bytes += bytes.length;
      this.inFlight = [];
      this.lastGroup = bytes;
      for (const p of group) p.resolve();
    }
  }

  /** After a failed write or fsync nothing on disk can be trusted (a retried fsync may lie). */
  private fail(err: Error, group: Pending[]): Error {
    const e = new Error(`embedded-db: journal write failed, refusing further writes: ${err.message}`);
    this.failed = e;
    this.logger.error(e.message);
    this.inFlight = [];
    for (const p of group) p.reject(e);
    for (const p of this.queue) p.reject(e);
    this.queue = [];
    for (const s of this.switches) s.reject(e);
    this.switches = [];
    return e;
  }

  private async switchJournal(gen: number, carry: Buffer[]): Promise<void> {
    const old = this.journal as JournalFile;
    const next = await this.createJournal(gen);
    let carried = 0;
    if (carry.length > 0) {
      const bytes = Buffer.concat(carry);
      await writeAll(next.fh, bytes, next.size);
      await next.fh.datasync();
      next.size += bytes.length;
      carried = bytes.length;
    }
    this.journal = next;
    this.sinceSnapshot = carried;
    await old.fh.close();
  }

  journalSize(): number {
    if (this.compactAfterBytes !== undefined && this.sinceSnapshot >= this.compactAfterBytes) return Number.MAX_SAFE_INTEGER;
    return this.sinceSnapshot;
  }

  /**
   * Switches to journal <gen+1> at once (before any await), so every write the engine makes
   * after handing over `state` lands in the new journal; then writes snapshot <gen+1> in the
   * background of further appends. Batches still unsynced in the old journal are written to the
   * new one too: the engine may have applied them after taking `state`, and replay is idempotent.
   * If the process dies before the snapshot is renamed into place, start-up reads the old
   * snapshot and replays both journals, so no crash point loses a write.
   */
  compact(state: EngineState): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new Error('embedded-db storage is closed'));
    if (this.failed) return Promise.reject(this.failed);
    if (!this.journal) return Promise.reject(new Error('embedded-db storage is not open'));
    // Shallow copies taken now: the engine may insert or delete while the snapshot is written,
    // and an array that shifts under the writer could skip a document.
    const captured: Captured[] = [];
    for (const [db, colls] of Object.entries(state.databases)) {
      const names = Object.keys(colls);
      if (names.length === 0) captured.push({ db, coll: null, docs: [] });
      for (const coll of names) {
        const c = colls[coll];
        captured.push({ db, coll, options: c.options, indexes: c.indexes.slice(), docs: c.docs.slice() });
      }
    }
    const gen = this.nextGen++;
    // The group being written now (and the one just acknowledged) belong to the old journal, but
    // an engine that applies a change to memory only once it is acknowledged may have left them
    // out of `state`: they are written again at the head of the new journal (replay is
    // idempotent). Queued batches simply go to the new journal.
    const carry = [...(this.lastGroup ? [this.lastGroup] : []), ...this.inFlight.map((p) => p.bytes)];
    const switched = new Promise<void>((resolve, reject) => this.switches.push({ gen, carry, resolve, reject }));
    this.kick();
    const run = this.compacting.then(async () => {
      await switched;
      await this.writeSnapshot(gen, captured);
    });
    this.compacting = run.catch(() => {});
    return run;
  }

  private async writeSnapshot(gen: number, captured: Captured[]): Promise<void> {
    const finalName = path.join(this.dbPath, genName('snapshot', gen));
    const tmpName = `${finalName}.tmp`;
    const fh = await fsp.open(tmpName, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC);
    let pos = 0;
    let chunk: Buffer[] = [SNAPSHOT_MAGIC];
    let chunkBytes = SNAPSHOT_MAGIC.length;
    let docCount = 0;
    const push = async (doc: Document): Promise<void> => {
      const f = frame(Buffer.from(BSON.serialize(doc)));
      chunk.push(f);
      chunkBytes += f.length;
      if (chunkBytes >= WRITE_CHUNK) {
        const b = Buffer.concat(chunk);
        chunk = [];
        chunkBytes = 0;
        await writeAll(fh, b, pos);
        pos += b.length;
      }
    };
    try {
      for (const c of captured) {
        if (c.coll === null) {
          await push({ k: 'db', db: c.db });
          continue;
        }
        await push({ k: 'c', db: c.db, coll: c.coll, options: c.options ?? {}, indexes: c.indexes ?? [] });
        for (const d of c.docs) {
          await push({ k: 'd', d });
          docCount++;
        }
      }
      await push({ k: 'end', gen, docs: docCount });
      if (chunkBytes > 0) {
        const b = Buffer.concat(chunk);
        await writeAll(fh, b, pos);
        pos += b.length;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmpName, finalName);
    await this.syncDir();
    // Only now are the old snapshot and journals redundant.
    for (const n of await fsp.readdir(this.dbPath)) {
      const m = GEN_RE.exec(n);
      if (m && Number(m[2]) < gen) await fsp.unlink(path.join(this.dbPath, n)).catch(() => {});
    }
    this.logger.info(`embedded-db: snapshot ${gen} written (${docCount} documents, ${pos} bytes)`);
  }

  private async drain(): Promise<void> {
    for (let f = this.flushing; f; f = this.flushing) await f.catch(() => {});
  }

  private async syncDir(): Promise<void> {
    const dh = await fsp.open(this.dbPath, fsc.O_RDONLY);
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    // Let queued writes and a running compaction finish: their callers are waiting on them.
    await this.drain();
    await this.compacting.catch(() => {});
    await this.drain();
    this.closed = true;
    if (this.journal) {
      await this.journal.fh.close().catch(() => {});
      this.journal = null;
    }
    if (this.lock) {
      await this.lock.release();
      this.lock = null;
    }
  }
}

async function writeAll(fh: fsp.FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    off += bytesWritten;
  }
}
