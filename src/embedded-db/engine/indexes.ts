/**
 * One secondary (or _id) index: key extraction with multikey expansion, a hash map from key to
 * documents for equality and uniqueness checks, and a sorted array (binary search + splice) for
 * ranges and ordered scans. Sparse and partial indexes simply leave some documents out.
 */
import type { Document } from 'bson';
import type { IndexSpec } from '../storage/types';
import { ErrorCodes, MongoError } from '../errors';
import { compareValues, formatValue, keyString, pathValues } from './values';
import { compileFilter, type CompiledFilter } from './mingo-bridge';

import { SortedEntries, type IndexEntry } from './sorted-entries';

export type { IndexEntry };

/** The keys one document contributes to one index, computed once per write. */
export interface ExtractedKeys {
  keys: unknown[][];
  arrayPaths: string[];
}

/** Index types MongoDB offers that this engine does not implement; creating one is refused. */
const UNSUPPORTED_TYPES = new Set(['text', '2d', '2dsphere', 'geoHaystack']);

export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([f, d]) => `${f}_${String(d)}`)
    .join('_');
}

export function validateIndexSpec(spec: Document): void {
  const key = spec.key;
  if (typeof key !== 'object' || key === null || Array.isArray(key) || Object.keys(key).length === 0) {
    throw new MongoError(ErrorCodes.CannotCreateIndex, "Index keys cannot be empty.");
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new MongoError(ErrorCodes.CannotCreateIndex, 'index name must be a non-empty string');
  }
  for (const [field, dir] of Object.entries(key as Document)) {
    if (typeof dir === 'string') {
      if (UNSUPPORTED_TYPES.has(dir)) {
        // MongoDB answers an index plugin it cannot build with 67 CannotCreateIndex; here text and
        // geo indexes are never built (the portal searches a tokenised, multikey-indexed field).
        throw new MongoError(
          ErrorCodes.CannotCreateIndex,
          `'${dir}' indexes are not supported by the embedded database (field '${field}')`,
        );
      }
      if (dir !== 'hashed') throw new MongoError(ErrorCodes.CannotCreateIndex, `Unknown index plugin '${dir}'`);
    } else if (typeof dir !== 'number' || dir === 0 || Number.isNaN(dir)) {
      throw new MongoError(ErrorCodes.CannotCreateIndex, `Values in the index key pattern can only be numbers or strings, found ${formatValue(dir)} for field '${field}'`);
    }
  }
  if (spec.expireAfterSeconds !== undefined && (typeof spec.expireAfterSeconds !== 'number' || spec.expireAfterSeconds < 0)) {
    throw new MongoError(ErrorCodes.CannotCreateIndex, 'TTL index \'expireAfterSeconds\' option must be a non-negative number');
  }
}

export class Index {
  readonly spec: IndexSpec;
  readonly name: string;
  readonly fields: Array<{ path: string; dir: 1 | -1 }>;
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: CompiledFilter | null;
  /** True once any indexed document had an array on an indexed path. */
  multikey = false;
  readonly multikeyPaths = new Set<string>();
  /**
   * Unique indexes only: key -> holder(s). A single holder is stored as a bare id (the common
   * case), so a 100k-document unique index costs no 100k Sets.
   */
  private readonly hash = new Map<string, string | Set<string>>();
  private readonly entries: SortedEntries;
  /**
   * Entries added but not yet placed in the ordered structure: a write adds here, and the first
   * reader (or a removal) places them all at once, sorted, in one merge. A bulk insert of 1,000
   * documents with 90 keys each thus costs one merge instead of 90,000 binary insertions.
   * Uniqueness never waits: the hash is updated at once.
   */
  private pending: IndexEntry[] = [];

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.fields = Object.entries(spec.key).map(([path, d]) => ({ path, dir: typeof d === 'number' && d < 0 ? -1 : 1 }));
    this.unique = spec.unique === true || spec.name === '_id_';
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression as Document) : null;
    this.entries = new SortedEntries((a, b) => this.compareEntries(a, b));
  }

  /** The ordered entries, with every pending one in place. */
  get sorted(): SortedEntries {
    this.flush();
    return this.entries;
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (batch.length < 8) {
      for (const e of batch) this.entries.insert(e);
      return;
    }
    batch.sort((a, b) => this.compareEntries(a, b));
    this.entries.insertSorted(batch);
  }

  /** Hidden from the planner (collMod); still maintained and still enforcing uniqueness. */
  get hidden(): boolean {
    return this.spec.hidden === true;
  }

  get isId(): boolean {
    return this.name === '_id_';
  }

  get expireAfterSeconds(): number | undefined {
    return typeof this.spec.expireAfterSeconds === 'number' && this.fields.length === 1 ? this.spec.expireAfterSeconds : undefined;
  }

  /** The key tuples a document contributes, or [] when the index leaves it out. */
  keysFor(doc: Document): unknown[][] {
    return this.extract(doc).keys;
  }

  extract(doc: Document): ExtractedKeys {
    const none: ExtractedKeys = { keys: [], arrayPaths: [] };
    if (this.partial && !this.partial.test(doc)) return none;
    const perField: unknown[][] = [];
    const arrayPaths: string[] = [];
    let anyPresent = false;
    for (const f of this.fields) {
      const { values, multikey } = pathValues(doc, f.path);
      if (multikey) arrayPaths.push(f.path);
      if (values.some((v) => v !== undefined)) anyPresent = true;
      perField.push(dedupe(values));
    }
    if (this.sparse && !anyPresent) return none;
    const arrayFields = arrayPaths.length;
    if (arrayFields > 1) {
      throw new MongoError(
        ErrorCodes.CannotIndexParallelArrays,
        `cannot index parallel arrays [${this.fields.map((f) => f.path).join('] [')}]`,
      );
    }
    // Every key tuple is kept by the index for as long as the document lives, so each is built at
    // its exact length: a spread (`[...t, v]`) grows its array by pushes and leaves room for 16
    // more elements, which made a multikey entry cost ~230 bytes instead of ~100.
    let tuples: unknown[][] = [[]];
    for (const values of perField) {
      const next: unknown[][] = [];
      for (const t of tuples) {
        for (const v of values) {
          const k = new Array<unknown>(t.length + 1);
          for (let i = 0; i < t.length; i++) k[i] = t[i];
          k[t.length] = v;
          next.push(k);
        }
      }
      tuples = next;
    }
    return { keys: tuples, arrayPaths };
  }

  compareKeys(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < this.fields.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c * this.fields[i].dir;
    }
    return 0;
  }

  private compareEntries(a: IndexEntry, b: IndexEntry): number {
    const c = this.compareKeys(a.key, b.key);
    if (c !== 0) return c;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  }

  /** First position where `isAfter(entry)` holds, for a predicate monotonic over the order. */
  search(isAfter: (e: IndexEntry) => boolean): number {
    return this.sorted.search(isAfter);
  }

  /** The first index key of `doc` that another document already holds, if any. */
  findConflict(doc: Document, selfId: string, extracted: ExtractedKeys = this.extract(doc)): unknown[] | null {
    if (!this.unique) return null;
    for (const key of extracted.keys) {
      const holders = this.hash.get(keyString(key));
      if (holders === undefined) continue;
      if (typeof holders === 'string') {
        if (holders !== selfId) return key;
      } else {
        for (const id of holders) if (id !== selfId) return key;
      }
    }
    return null;
  }

  private holdersAdd(ks: string, id: string): void {
    const holders = this.hash.get(ks);
    if (holders === undefined) this.hash.set(ks, id);
    else if (typeof holders === 'string') {
      if (holders !== id) this.hash.set(ks, new Set([holders, id]));
    } else holders.add(id);
  }

  private holdersRemove(ks: string, id: string): void {
    const holders = this.hash.get(ks);
    if (holders === undefined) return;
    if (typeof holders === 'string') {
      if (holders === id) this.hash.delete(ks);
      return;
    }
    holders.delete(id);
    if (holders.size === 1) this.hash.set(ks, holders.values().next().value as string);
    else if (holders.size === 0) this.hash.delete(ks);
  }

  duplicateError(ns: string, key: unknown[]): MongoError {
    const keyValue: Document = {};
    const keyPattern: Document = {};
    this.fields.forEach((f, i) => {
      keyPattern[f.path] = this.spec.key[f.path];
      keyValue[f.path] = key[i] === undefined ? null : key[i];
    });
    const shown = this.fields.map((f, i) => `${f.path}: ${formatValue(key[i] === undefined ? null : key[i])}`).join(', ');
    return new MongoError(
      ErrorCodes.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`,
      { keyPattern, keyValue },
    );
  }

  add(id: string, doc: Document, extracted: ExtractedKeys = this.extract(doc)): void {
    const { keys, arrayPaths } = extracted;
    for (const p of arrayPaths) {
      this.multikey = true;
      this.multikeyPaths.add(p);
    }
    for (const key of keys) {
      if (this.unique) this.holdersAdd(keyString(key), id);
      this.pending.push({ key, id });
    }
  }

  remove(id: string, doc: Document, extracted: ExtractedKeys = this.extract(doc)): void {
    const sorted = this.sorted;
    for (const key of extracted.keys) {
      if (this.unique) this.holdersRemove(keyString(key), id);
      sorted.remove({ key, id });
    }
  }

  /**
   * Builds the index over `docs` in one pass and one sort (start-up, createIndex), much faster
   * than inserting entries one by one. A duplicate under a unique index throws 11000.
   */
  build(docs: Map<string, Document>, ns: string): void {
    this.clear();
    const entries: IndexEntry[] = [];
    for (const [id, doc] of docs) {
      const { keys, arrayPaths } = this.extract(doc);
      for (const p of arrayPaths) {
        this.multikey = true;
        this.multikeyPaths.add(p);
      }
      for (const key of keys) {
        if (this.unique) {
          const ks = keyString(key);
          const holder = this.hash.get(ks);
          if (holder !== undefined && holder !== id) {
            this.clear();
            throw this.duplicateError(ns, key);
          }
          this.hash.set(ks, id);
        }
        entries.push({ key, id });
      }
    }
    entries.sort((a, b) => this.compareEntries(a, b));
    this.entries.load(entries);
  }

  get entryCount(): number {
    return this.entries.length + this.pending.length;
  }

  clear(): void {
    this.hash.clear();
    this.pending = [];
    this.entries.clear();
    this.multikey = false;
    this.multikeyPaths.clear();
  }
}

function dedupe(values: unknown[]): unknown[] {
  if (values.length <= 1) return values;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const v of values) {
    const k = keyString(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}
