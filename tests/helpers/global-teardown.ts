import type { EmbeddedDb } from '../../src/embedded-db';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __EMBEDDED_DB__?: EmbeddedDb }).__EMBEDDED_DB__;
  if (db) await db.stop();
}
