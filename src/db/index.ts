/**
 * The portal's database connection: mongoose on MONGODB_URI when it is set, otherwise on the
 * embedded database started as a child process with its data in DATA_DIR/db, restarted when it
 * dies (EmbeddedDbSupervisor). Query filters are
 * sanitised (no `$` operators smuggled in from request input) and queries are strict.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { spawnEmbeddedDb, type EmbeddedDbProcess, type ProcessLogger } from './embedded-process';

export { spawnEmbeddedDb, type EmbeddedDbProcess, type ProcessLogger } from './embedded-process';

/** The database name on the embedded server, and on a MONGODB_URI that names none. */
export const DEFAULT_DB_NAME = 'asem_sme_exchange';

export interface ConnectDatabaseOptions {
  mongodbUri?: string;
  dataDir: string;
  logger: ProcessLogger;
  /** Told each time the embedded database process dies under the portal (it is restarted regardless). */
  onEmbeddedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** Told each time a restarted embedded database is ready again (its new pid). */
  onEmbeddedRestart?: (pid: number) => void;
  /** Waits between restart attempts: the first, doubled after each failed attempt up to the last. */
  restartBackoffMs?: { first: number; max: number };
}

export interface DatabaseHandle {
  connection: mongoose.Connection;
  /** The address connected to (for the embedded database, its local URI). */
  uri: string;
  /** The embedded database's current process id (it changes when it is restarted); undefined on MONGODB_URI. */
  readonly pid?: number;
  stop(): Promise<void>;
}

/** Mongoose settings that hold for the whole process, applied before any model is used. */
export function configureMongoose(): void {
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
}

/** True when the URI already names a database (mongodb://host/db?...). */
function uriNamesDatabase(uri: string): boolean {
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri);
  return Boolean(m && m[1]);
}

export async function connectDatabase(opts: ConnectDatabaseOptions): Promise<DatabaseHandle> {
  configureMongoose();
  const { logger } = opts;
  if (opts.mongodbUri) {
    const uri = opts.mongodbUri;
    await mongoose.connect(uri, uriNamesDatabase(uri) ? {} : { dbName: DEFAULT_DB_NAME });
    logger.info({ database: 'MongoDB' }, 'connected to MongoDB');
    return { connection: mongoose.connection, uri, stop: () => mongoose.disconnect() };
  }

  const dbPath = path.resolve(opts.dataDir, 'db');
  const supervisor = new EmbeddedDbSupervisor(dbPath, opts);
  const first = await supervisor.start();
  try {
    await mongoose.connect(first.uri, { dbName: DEFAULT_DB_NAME });
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  logger.info({ database: 'embedded', uri: first.uri, dbPath, pid: first.pid }, 'connected to the embedded database');
  let stopping: Promise<void> | null = null;
  return {
    connection: mongoose.connection,
    uri: first.uri,
    get pid() {
      return supervisor.pid;
    },
    stop(): Promise<void> {
      // Disconnect first so the driver does not see the server vanish under open sockets.
      const s = stopping ?? mongoose.disconnect().then(() => supervisor.stop());
      stopping = s;
      return s;
    },
  };
}

/**
 * Keeps the embedded database running under the portal: when its process dies, it is started
 * again on the same port and data directory (the new process takes over the dead one's lock and
 * replays the journal), with back-off between failed attempts. Meanwhile the driver cannot reach
 * it, so requests get 503 (the request time limit, /healthz); once it is back, mongoose
 * reconnects to the same address by itself and the portal goes on.
 */
class EmbeddedDbSupervisor {
  private current: EmbeddedDbProcess | null = null;
  private stopped = false;
  private port = 0;
  private restarting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private endWait: (() => void) | null = null;

  constructor(
    private readonly dbPath: string,
    private readonly opts: ConnectDatabaseOptions,
  ) {}

  get pid(): number | undefined {
    return this.current?.pid;
  }

  async start(): Promise<EmbeddedDbProcess> {
    const child = await this.spawn(0);
    this.port = Number(new URL(child.uri).port);
    return child;
  }

  private async spawn(port: number): Promise<EmbeddedDbProcess> {
    const child = await spawnEmbeddedDb({
      dbPath: this.dbPath,
      port,
      logger: this.opts.logger,
      onUnexpectedExit: (code, signal) => this.died(code, signal),
    });
    this.current = child;
    return child;
  }

  private died(code: number | null, signal: NodeJS.Signals | null): void {
    this.current = null;
    this.opts.onEmbeddedExit?.(code, signal);
    if (this.stopped) return;
    this.opts.logger.error({ code, signal }, 'the embedded database stopped unexpectedly; restarting it');
    this.restarting ??= this.restart().finally(() => {
      this.restarting = null;
    });
  }

  private async restart(): Promise<void> {
    const { first, max } = this.opts.restartBackoffMs ?? { first: 500, max: 30_000 };
    let wait = first;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        const child = await this.spawn(this.port);
        if (this.stopped) {
          await child.stop();
          return;
        }
        this.opts.logger.info({ pid: child.pid, attempt }, 'the embedded database is running again');
        this.opts.onEmbeddedRestart?.(child.pid);
        return;
      } catch (err) {
        this.opts.logger.error({ err, attempt, retryInMs: wait }, 'the embedded database could not be restarted; trying again');
      }
      await new Promise<void>((resolve) => {
        this.endWait = resolve;
        this.retryTimer = setTimeout(resolve, wait);
      });
      this.endWait = null;
      wait = Math.min(max, wait * 2);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.endWait?.();
    await this.restarting;
    await this.current?.stop();
  }
}

/** For /healthz: a round trip to the database, false on any failure or after two seconds. */
export async function pingDatabase(connection: mongoose.Connection = mongoose.connection): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== mongoose.ConnectionStates.connected) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 2000);
    });
    const ping = db
      .admin()
      .command({ ping: 1 })
      .then((r) => r.ok === 1)
      .catch(() => false);
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
