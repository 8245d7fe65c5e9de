/**
 * Starts the in-memory embedded databases for the whole test run (or uses MONGODB_URI when set,
 * so the same suites run against a real MongoDB). Each test file then works in a database of its
 * own (see tests/helpers/db.ts), which keeps files independent of each other.
 *
 * The portal's tests (unit, integration, browser) run with MongoDB's `notablescan` on for every
 * collection holding more than NOTABLESCAN_ABOVE documents: a query of the portal that would scan
 * such a collection fails with 291 (the message names the collection and the filter), so a page
 * that would scan a real list without an index is caught by its test. 50 is a little more than two
 * pages of a list and more than the 45 ASEM members (reference data the tests' own checks read
 * whole): a test that fills a list past that and reads it through a scan fails, while fixtures and
 * the tests' direct reads of small collections pass. EMBEDDED_DB_NOTABLESCAN_ABOVE
 * sets another size ("off" turns it off). The embedded database's own conformance suite scans on
 * purpose (explain, planner and property tests), so it gets a second server without the setting
 * (TEST_EMBEDDED_DB_BASE_URI, see tests/embedded-db/support.ts).
 */
import { startEmbeddedDb, type EmbeddedDb } from '../../src/embedded-db';

export const NOTABLESCAN_ABOVE = 50;

function scanLimit(): number | undefined {
  const v = process.env.EMBEDDED_DB_NOTABLESCAN_ABOVE;
  if (v === undefined || v === '') return NOTABLESCAN_ABOVE;
  if (v === 'off') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`EMBEDDED_DB_NOTABLESCAN_ABOVE must be a whole number or "off", not ${v}`);
  return n;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.TEST_MONGODB_BASE_URI = process.env.MONGODB_URI;
    process.env.TEST_EMBEDDED_DB_BASE_URI = process.env.MONGODB_URI;
    return;
  }
  const above = scanLimit();
  const portal = await startEmbeddedDb({ port: 0, ...(above !== undefined ? { notablescanAbove: above } : {}) });
  const conformance = await startEmbeddedDb({ port: 0 });
  const both: Pick<EmbeddedDb, 'stop'> = {
    async stop() {
      await Promise.all([portal.stop(), conformance.stop()]);
    },
  };
  (globalThis as { __EMBEDDED_DB__?: Pick<EmbeddedDb, 'stop'> }).__EMBEDDED_DB__ = both;
  process.env.TEST_MONGODB_BASE_URI = portal.uri;
  process.env.TEST_EMBEDDED_DB_BASE_URI = conformance.uri;
}
