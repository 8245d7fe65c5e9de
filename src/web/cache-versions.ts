/**
 * Process-level caches that stay correct with several app instances on one database.
 *
 * Each cached kind of data has a named version stamp, a document `{ _id: name, v: number }` in the
 * small `cache_versions` collection. Every write to a model that feeds the cache raises the stamp
 * (`$inc`, from mongoose middleware registered with `bumpsCacheVersion(schema, name)`, so every
 * write path is covered, today's and tomorrow's), after the write has been applied. A cache entry
 * remembers the stamps it was built under and is reused only while they are unchanged.
 *
 * When the stamps are checked: at most once every `checkEveryMs` (1 s by default) per process, in
 * one query for all stamps, not once per request. A check per request would add a database round
 * trip to every page that uses a cache, which is what the caches are there to save; with the
 * interval, a busy instance asks once a second whatever its load. The price is bounded staleness:
 * a write made on another instance is seen here within `checkEveryMs`. A write made on this
 * instance is seen at once (the local generation moves before the write call returns), so a person
 * who changed something sees the change on the next page.
 *
 * Ordering: the stamps a load is keyed by are read before the load reads its data, and a stamp is
 * raised only after the write, so an entry can never hold data older than its stamps say.
 */
import type { Schema } from 'mongoose';
import mongoose from 'mongoose';
import { outsideRequest } from './time-limit';

const COLLECTION = 'cache_versions';

interface StampState {
  /** The stamp as last read from (or written to) the database. */
  db: number;
  /** Raised synchronously by local writes: invalidates this process's entries at once. */
  local: number;
}

const stamps = new Map<string, StampState>();
let checkEveryMs = 1000;
let lastCheck = 0;
let checking: Promise<void> | null = null;

/** How often the stamps are read from the database (tests and benchmarks may change it). */
export function setCacheCheckInterval(ms: number): void {
  checkEveryMs = Math.max(0, ms);
  lastCheck = 0;
}

function stateOf(name: string): StampState {
  let s = stamps.get(name);
  if (!s) {
    s = { db: -1, local: 0 };
    stamps.set(name, s);
  }
  return s;
}

async function refresh(): Promise<void> {
  const names = [...stamps.keys()];
  const started = Date.now();
  const docs = await mongoose.connection.collection<{ _id: string; v: number }>(COLLECTION).find({ _id: { $in: names } }).toArray();
  const seen = new Map(docs.map((d) => [d._id, d.v]));
  for (const name of names) {
    const s = stateOf(name);
    // Taken as it is, not the larger of the two: a database emptied and filled again starts its
    // stamps from zero, and any difference is what invalidates.
    s.db = seen.get(name) ?? 0;
  }
  lastCheck = started;
}

/** The current version of these stamps, as one string (reads the database at most every checkEveryMs). */
export async function cacheVersion(names: readonly string[]): Promise<string> {
  for (const n of names) stateOf(n);
  const unknown = names.some((n) => stateOf(n).db < 0);
  if (unknown || Date.now() - lastCheck >= checkEveryMs) {
    checking ??= refresh().finally(() => {
      checking = null;
    });
    await checking;
    // A name first seen while a refresh that did not include it was under way.
    if (names.some((n) => stateOf(n).db < 0)) await refresh();
  }
  return names.map((n) => `${stateOf(n).db}.${stateOf(n).local}`).join('|');
}

/** Raises a stamp: here at once, in the database for the other instances. Never throws. */
export async function bumpCacheVersion(name: string): Promise<void> {
  const s = stateOf(name);
  s.local++;
  try {
    const doc = await mongoose.connection
      .collection<{ _id: string; v: number }>(COLLECTION)
      .findOneAndUpdate({ _id: name }, { $inc: { v: 1 } }, { upsert: true, returnDocument: 'after' });
    if (doc) s.db = doc.v;
  } catch {
    // The write itself went through; this instance already ignores its old entries, and the other
    // instances see the change with the next write that reaches the stamp. Nothing to undo.
  }
}

/** Whether a query write's result says it changed a document (unknown shapes count as a change). */
function changedSomething(result: unknown): boolean {
  if (result === null || result === undefined) return false; // findOneAnd… matched nothing
  if (typeof result !== 'object') return true;
  const r = result as Record<string, unknown>;
  const counts = ['modifiedCount', 'deletedCount', 'upsertedCount'].filter((k) => typeof r[k] === 'number');
  if (!counts.length) return true;
  return counts.some((k) => (r[k] as number) > 0);
}

const QUERY_WRITES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'replaceOne', 'deleteOne', 'deleteMany'] as const;

/**
 * Registers middleware on a schema (before its model is compiled) so that every write through its
 * model raises the named stamps: document saves and deletes, query updates and deletes, insertMany
 * and bulkWrite. Writes through the raw driver collection bypass it (the portal makes none on these
 * models).
 */
export function bumpsCacheVersion(schema: Schema, ...names: string[]): void {
  const bump = async () => {
    await Promise.all(names.map(bumpCacheVersion));
  };
  // A query write that changed nothing (a refused conditional update, a delete that matched
  // nothing) leaves the stamps alone: cached entries stay valid and a refused request stores nothing.
  const bumpIfChanged = async (result: unknown) => {
    if (changedSomething(result)) await bump();
  };
  schema.post([...QUERY_WRITES], { document: false, query: true }, bumpIfChanged);
  schema.post(['save', 'deleteOne', 'updateOne'], { document: true, query: false }, bump);
  schema.post('insertMany', bump);
  schema.post('bulkWrite', bump);
}

/**
 * A cache of values by key, each valid while the given stamps are unchanged. Concurrent misses of
 * one key share one load. Holds at most `max` entries (the oldest go first).
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { version: string; value: V }>();
  private readonly loading = new Map<string, { version: string; promise: Promise<V> }>();

  constructor(
    private readonly stampNames: readonly string[],
    private readonly max = 100,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const version = await cacheVersion(this.stampNames);
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.value;
    const pending = this.loading.get(key);
    if (pending && pending.version === version) return pending.promise;
    // Outside the asking request: the load is shared, so one request's time limit must not cut it off.
    const promise = outsideRequest(load).then(
      (value) => {
        if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
        this.entries.delete(key);
        this.entries.set(key, { version, value });
        while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, { version, promise });
    return promise;
  }

  /** Forgets every entry (tests). */
  clear(): void {
    this.entries.clear();
  }
}
