/**
 * The portal's database connection: mongoose on MONGODB_URI when it is set, otherwise on the
 * embedded database started as a child process with its data in DATA_DIR/db. Query filters are
 * sanitised (no `$` operators smuggled in from request input) and queries are strict.
 */
import path from 'node:path';
import mongoose from 'mongoose';
import { spawnEmbeddedDb, type ProcessLogger } from './embedded-process';

export { spawnEmbeddedDb, type EmbeddedDbProcess, type ProcessLogger } from './embedded-process';

/** The database name on the embedded server, and on a MONGODB_URI that names none. */
export const DEFAULT_DB_NAME = 'asem_sme_exchange';

export interface ConnectDatabaseOptions {
  mongodbUri?: string;
  dataDir: string;
  logger: ProcessLogger;
  /** When the embedded database dies under the portal; the default logs and exits 1. */
  onEmbeddedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface DatabaseHandle {
  connection: mongoose.Connection;
  /** The address connected to (for the embedded database, its local URI). */
  uri: string;
  /** The embedded database's process id; undefined on MONGODB_URI. */
  pid?: number;
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
  const child = await spawnEmbeddedDb({
    dbPath,
    port: 0,
    logger,
    onUnexpectedExit:
      opts.onEmbeddedExit ??
      ((code, signal) => {
        logger.error({ code, signal }, 'the embedded database stopped unexpectedly; the portal cannot run without it');
        process.exit(1);
      }),
  });
  try {
    await mongoose.connect(child.uri, { dbName: DEFAULT_DB_NAME });
  } catch (err) {
    await child.stop();
    throw err;
  }
  logger.info({ database: 'embedded', uri: child.uri, dbPath, pid: child.pid }, 'connected to the embedded database');
  let stopping: Promise<void> | null = null;
  return {
    connection: mongoose.connection,
    uri: child.uri,
    pid: child.pid,
    stop(): Promise<void> {
      // Disconnect first so the driver does not see the server vanish under open sockets.
      const s = stopping ?? mongoose.disconnect().then(() => child.stop());
      stopping = s;
      return s;
    },
  };
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
