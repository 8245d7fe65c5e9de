/**
 * Front door of the embedded MongoDB-compatible database: starts one server on 127.0.0.1,
 * file-backed when a dbPath is given (journal + snapshots under it), in memory otherwise.
 * Used by the CLI (cli.ts), the portal's connection module (src/db) and the test suite.
 */
import { createServer } from './server';
import { FileStorage } from './storage/file';
import { MemoryStorage } from './storage/memory';
import type { Storage } from './storage/types';

export type { Storage, JournalRecord, EngineState, CollectionState, IndexSpec, LoadedState } from './storage/types';
export { FileStorage } from './storage/file';
export { DbPathLockedError } from './storage/lock';

export interface EmbeddedDbLogger {
  info(msg: string, ...rest: unknown[]): void;
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
}

export interface EmbeddedDbOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Only loopback makes sense for an unauthenticated server; kept configurable for tests. */
  host?: string;
  /** Directory holding the journal, snapshots and lock file; unset keeps everything in memory. */
  dbPath?: string;
  logger?: EmbeddedDbLogger;
  /** With dbPath: compact once the journal passes this many bytes (see FileStorageOptions). */
  compactAfterBytes?: number;
  /**
   * Starts with MongoDB's `notablescan` on for collections holding more than this many documents:
   * a query on them that would need a collection scan fails with code 291 NoQueryExecutionPlans.
   * 0 applies it to every collection (MongoDB's own `setParameter: {notablescan: true}`).
   */
  notablescanAbove?: number;
}

export interface EmbeddedDb {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

/** Logs nothing: a library should not write to the console unless asked to. */
const silentLogger: EmbeddedDbLogger = { info: () => {}, warn: () => {}, error: () => {} };

export async function startEmbeddedDb(opts: EmbeddedDbOptions = {}): Promise<EmbeddedDb> {
  const logger = opts.logger ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const storage: Storage = opts.dbPath ? new FileStorage(opts.dbPath, { logger, compactAfterBytes: opts.compactAfterBytes }) : new MemoryStorage();
  let server: Awaited<ReturnType<typeof createServer>>;
  try {
    server = await createServer({
      storage,
      host,
      port: opts.port ?? 0,
      logger,
      engine: opts.notablescanAbove !== undefined ? { notablescanAbove: opts.notablescanAbove } : undefined,
    });
  } catch (err) {
    // The server may have opened (and locked) the storage before failing: release it so a
    // retry on the same dbPath is not refused by our own lock.
    await storage.close().catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | null = null;
  return {
    uri: `mongodb://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.port}`,
    port: server.port,
    stop(): Promise<void> {
      // Idempotent: a signal handler and a test teardown may both ask. The storage close is
      // idempotent too, so it is safe whether or not server.close() already closed it.
      const s = stopping ?? server.close().then(() => storage.close());
      stopping = s;
      return s;
    },
  };
}
