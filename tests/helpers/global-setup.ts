/**
 * Starts one in-memory embedded database for the whole test run (or uses MONGODB_URI when set,
 * so the same suites run against a real MongoDB). Each test file then works in a database of its
 * own (see tests/helpers/db.ts), which keeps files independent of each other.
 */
import { startEmbeddedDb } from '../../src/embedded-db';

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_BASE_URI = process.env.MONGODB_URI;
    return;
  }
  // EMBEDDED_DB_NOTABLESCAN_ABOVE=N: queries that would scan a collection of more than N documents
  // fail with 291 (MongoDB's notablescan), to find the portal's unindexed queries. Off by default.
  const above = process.env.EMBEDDED_DB_NOTABLESCAN_ABOVE;
  const db = await startEmbeddedDb({ port: 0, ...(above !== undefined && above !== '' ? { notablescanAbove: Number(above) } : {}) });
  (globalThis as { __EMBEDDED_DB__?: typeof db }).__EMBEDDED_DB__ = db;
  process.env.TEST_MONGODB_BASE_URI = db.uri;
}
