/**
 * Shared helpers of the conformance suite: a driver connection to a database of the file's own,
 * a recursive search through explain output (whose nesting differs between MongoDB versions and
 * engines, while stage names and index names do not), and a switch for embedded-only checks.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, MongoServerError, type Db, type Document, type ObjectId } from 'mongodb';

/**
 * A database name of the file's own on the conformance suite's server: a second embedded server
 * without `notablescan` (the conformance tests scan on purpose; tests/helpers/global-setup.ts).
 */
export function testDbUri(prefix = 't'): string {
  const base = process.env.TEST_EMBEDDED_DB_BASE_URI ?? process.env.TEST_MONGODB_BASE_URI;
  if (!base) throw new Error('TEST_EMBEDDED_DB_BASE_URI is not set: run the tests through jest (tests/helpers/global-setup.ts)');
  const url = new URL(base);
  url.pathname = `/${prefix}_${randomBytes(6).toString('hex')}`;
  return url.toString();
}

/** A document of any shape whose _id may be a number, a string or an ObjectId. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver's own Document type is Record<string, any>
export type AnyDoc = { _id?: number | string | ObjectId; [key: string]: any };

export interface TestDb {
  client: MongoClient;
  db: Db;
  uri: string;
  close(): Promise<void>;
}

export async function connectTestDb(prefix = 'edb'): Promise<TestDb> {
  const uri = testDbUri(prefix);
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db();
  return {
    client,
    db,
    uri,
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** True when the suite runs against a real MongoDB (MONGODB_URI) rather than the embedded one. */
export const againstRealMongo = Boolean(process.env.MONGODB_URI);

/** Behaviour of the embedded database that a real MongoDB does differently (refusals). */
export const embeddedOnly = againstRealMongo ? test.skip : test;

/**
 * Every stage (object with a `stage` field) of the chosen plan anywhere in an explain document;
 * plans MongoDB considered and rejected are left out.
 */
export function planStages(explain: unknown): Document[] {
  const out: Document[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && !(v instanceof Date)) {
      const d = v as Document;
      if (typeof d.stage === 'string') out.push(d);
      for (const [key, child] of Object.entries(d)) {
        if (key !== 'rejectedPlans' && key !== 'allPlansExecution') walk(child);
      }
    }
  };
  walk(explain);
  return out;
}

/** Names of the indexes the chosen plan scans, each once. */
export function indexScans(explain: unknown): string[] {
  const names = planStages(explain)
    .filter((s) => s.stage === 'IXSCAN' || s.stage === 'EXPRESS_IXSCAN')
    .map((s) => String(s.indexName));
  return [...new Set(names)];
}

export function hasCollScan(explain: unknown): boolean {
  return planStages(explain).some((s) => s.stage === 'COLLSCAN');
}

/** The server error a promise rejects with (fails the test if it resolves). */
export async function serverError(p: Promise<unknown>): Promise<MongoServerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MongoServerError) return err;
    throw err;
  }
  throw new Error('expected a server error, but the operation succeeded');
}
