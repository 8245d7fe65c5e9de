/**
 * A database name of its own for each test file, on the run's shared server.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { configureMongoose } from '../../src/db';

export function testDbUri(prefix = 't'): string {
  const base = process.env.TEST_MONGODB_BASE_URI;
  if (!base) throw new Error('TEST_MONGODB_BASE_URI is not set: run the tests through jest (tests/helpers/global-setup.ts)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Connects mongoose for a unit test file the way the app does (configureMongoose: sanitizeFilter and
 * strictQuery on), to a database of the file's own.
 */
export async function connectTestDb(prefix = 't'): Promise<void> {
  configureMongoose();
  await mongoose.connect(testDbUri(prefix), { serverSelectionTimeoutMS: 10_000 });
}

/** Drops the file's database and disconnects. */
export async function disconnectTestDb(): Promise<void> {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
}
