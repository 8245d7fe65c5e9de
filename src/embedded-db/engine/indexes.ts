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

import { SortedEntries } from './sorted-entries';

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
  /**
   * The ordered entries. A one-field index keeps each entry's value itself as its key; a compound
   * index keeps the key tuple (see `stored`).
   */
  private readonly entries: SortedEntries;
  /**
   * Entries added but not yet placed in the ordered structure: a write adds here, and the first
   * reader (or a removal) places them all at once, sorted, in one merge. A bulk insert of 1,000
   * documents with 90 keys each thus costs one merge instead of 90,000 binary insertions.
   * Uniqueness never waits: the hash is updated at once.
   */
  private pendingKeys: unknown[] = [];
  private pendingIds: string[] = [];
  /** One field: entries hold the value, not a one-element tuple. */
  private readonly single: boolean;

  /**
   * The _id index only: whether a document with this id (a keyString of an _id) is held. The
   * collection's own map answers uniqueness, so this index keeps no hash of its own (a second
   * map of every id: ~100 bytes per document).
   */
  private readonly idTaken: ((id: string) => boolean) | null;

  constructor(spec: IndexSpec, idTaken: ((id: string) => boolean) | null = null) {
    this.idTaken = idTaken;
    this.spec = spec;
    this.name = spec.name;
    this.fields = Object.entries(spec.key).map(([path, d]) => ({ path, dir: typeof d === 'number' && d < 0 ? -1 : 1 }));
    this.unique = spec.unique === true || spec.name === '_id_';
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression as Document) : null;
    this.single = this.fields.length === 1;
    this.entries = new SortedEntries(this.entryOrder());
  }

  /** What the ordered entries keep for a key tuple. */
  private stored(key: unknown[]): unknown {
    return this.single ? key[0] : key;
  }

  /** The ordered entries, with every pending one in place. */
  get sorted(): SortedEntries {
    this.flush();
    return this.entries;
  }

  private flush(): void {
    const keys = this.pendingKeys;
    const ids = this.pendingIds;
    if (keys.length === 0) return;
    this.pendingKeys = [];
    this.pendingIds = [];
    if (keys.length < 8) {
      for (let i = 0; i < keys.length; i++) this.entries.insert(keys[i], ids[i]);
      return;
    }
    const compare = this.entryOrder();
    const order = Array.from({ length: keys.length }, (_, i) => i).sort((a, b) => compare(keys[a], ids[a], keys[b], ids[b]));
    this.entries.insertSorted(
      order.map((i) => keys[i]),
      order.map((i) => ids[i]),
    );
  }

  private entryOrder(): (ka: unknown, ia: string, kb: unknown, ib: string) => number {
    const dir = this.fields[0].dir;
    return this.single
      ? (ka, ia, kb, ib) => compareValues(ka, kb) * dir || (ia < ib ? -1 : ia > ib ? 1 : 0)
      : (ka, ia, kb, ib) => this.compareKeys(ka as unknown[], kb as unknown[]) || (ia < ib ? -1 : ia > ib ? 1 : 0);
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

  /**
   * First position whose entry's first key field satisfies `isAfter`, for a predicate monotonic
   * over the order.
   */
  searchFirst(isAfter: (first: unknown) => boolean): number {
    return this.single ? this.sorted.search((k) => isAfter(k)) : this.sorted.search((k) => isAfter((k as unknown[])[0]));
  }

  /** The first index key of `doc` that another document already holds, if any. */
  findConflict(doc: Document, selfId: string, extracted: ExtractedKeys = this.extract(doc)): unknown[] | null {
    if (!this.unique) return null;
    if (this.idTaken) {
      for (const key of extracted.keys) {
        const holder = keyString(key[0]);
        if (holder !== selfId && this.idTaken(holder)) return key;
      }
      return null;
    }
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
      if (this.unique && !this.idTaken) this.holdersAdd(keyString(key), id);
      this.pendingKeys.push(this.stored(key));
      this.pendingIds.push(id);
    }
  }

  remove(id: string, doc: Document, extracted: ExtractedKeys = this.extract(doc)): void {
    const sorted = this.sorted;
    for (const key of extracted.keys) {
      if (this.unique && !this.idTaken) this.holdersRemove(keyString(key), id);
      sorted.remove(this.stored(key), id);
    }
  }

  /**
   * Builds the index over `docs` (start-up, createIndex) without inserting entries one by one,
   * without an object per entry, and without sorting all entries: documents are visited in id
   * order, each entry is numbered by its distinct key (strings, the bulk of multikey terms, share
   * a number per value), a counting sort groups entries by key with their ids still in order,
   * and only the distinct keys are sorted. A duplicate under a unique index throws 11000.
   */
  build(docs: Map<string, Document>, ns: string, sortedIds: string[] = sortedKeys(docs)): void {
    this.clear();
    const ids = sortedIds;
    if (this.single) this.buildSingle(ids, docs, ns);
    else this.buildCompound(ids, docs, ns);
    this.entries.endAppend();
  }

  private claim(ns: string, key: unknown[], id: string): void {
    const ks = keyString(key);
    const holder = this.hash.get(ks);
    if (holder !== undefined && holder !== id) {
      this.clear();
      throw this.duplicateError(ns, key);
    }
    this.hash.set(ks, id);
  }

  private buildSingle(ids: string[], docs: Map<string, Document>, ns: string): void {
    const path = this.fields[0].path;
    const dir = this.fields[0].dir;
    const groupOf = new Map<string, number>();
    const groupKeys: unknown[] = [];
    /** lastDoc[g]: the last document that gave group g an entry (a string once per document). */
    const lastDoc: number[] = [];
    let entryGroup = new Int32Array(1024);
    let entryDoc = new Int32Array(1024);
    let n = 0;
    for (let d = 0; d < ids.length; d++) {
      const id = ids[d];
      const doc = docs.get(id) as Document;
      if (this.partial && !this.partial.test(doc)) continue;
      const { values, multikey } = pathValues(doc, path);
      if (this.sparse && !values.some((v) => v !== undefined)) continue;
      if (multikey) {
        this.multikey = true;
        this.multikeyPaths.add(path);
      }
      if (n + values.length > entryGroup.length) {
        const size = Math.max(entryGroup.length * 2, n + values.length);
        entryGroup = grow(entryGroup, size);
        entryDoc = grow(entryDoc, size);
      }
      // Once per distinct value, as dedupe does: strings by their group, others by keyString.
      let others: Set<string> | null = null;
      for (const v of values) {
        let g: number | undefined;
        if (typeof v === 'string') {
          g = groupOf.get(v);
          if (g === undefined) {
            g = groupKeys.length;
            groupKeys.push(v);
            lastDoc.push(-1);
            groupOf.set(v, g);
          } else if (lastDoc[g] === d) continue;
          lastDoc[g] = d;
          if (this.unique && !this.idTaken) this.claim(ns, [v], id);
        } else {
          if (values.length > 1) {
            const k = keyString(v);
            others ??= new Set<string>();
            if (others.has(k)) continue;
            others.add(k);
          }
          if (this.unique && !this.idTaken) this.claim(ns, [v], id);
          // Other values keep a group each: equal but differently typed values (1, 1.0, a Long)
          // stay as they were stored, and are interleaved by id below.
          g = groupKeys.length;
          groupKeys.push(v);
          lastDoc.push(-1);
        }
        entryGroup[n] = g;
        entryDoc[n++] = d;
      }
    }
    groupOf.clear();
    // Counting sort by group, stable: within a group the documents stay in id order.
    const groups = groupKeys.length;
    const next = new Int32Array(groups + 1);
    for (let i = 0; i < n; i++) next[entryGroup[i] + 1]++;
    for (let g = 0; g < groups; g++) next[g + 1] += next[g];
    const begin = next.slice(0, groups + 1);
    const byGroup = new Int32Array(n);
    for (let i = 0; i < n; i++) byGroup[next[entryGroup[i]]++] = entryDoc[i];
    entryGroup = entryDoc = new Int32Array(0);
    const order = new Int32Array(groups);
    for (let g = 0; g < groups; g++) order[g] = g;
    order.sort((a, b) => compareValues(groupKeys[a], groupKeys[b]) * dir || a - b);
    for (let r = 0; r < groups; ) {
      let e = r + 1;
      while (e < groups && compareValues(groupKeys[order[r]], groupKeys[order[e]]) === 0) e++;
      if (e === r + 1) {
        const g = order[r];
        const key = groupKeys[g];
        for (let i = begin[g]; i < begin[g + 1]; i++) this.entries.append(key, ids[byGroup[i]]);
      } else {
        // Distinct groups whose keys compare equal: one run, ordered by id.
        const run: Array<[unknown, number]> = [];
        for (let k = r; k < e; k++) {
          const g = order[k];
          for (let i = begin[g]; i < begin[g + 1]; i++) run.push([groupKeys[g], byGroup[i]]);
        }
        run.sort((a, b) => a[1] - b[1]);
        for (const [key, d] of run) this.entries.append(key, ids[d]);
      }
      r = e;
    }
  }

  private buildCompound(ids: string[], docs: Map<string, Document>, ns: string): void {
    const keys: unknown[][] = [];
    const entryDoc: number[] = [];
    for (let d = 0; d < ids.length; d++) {
      const { keys: docKeys, arrayPaths } = this.extract(docs.get(ids[d]) as Document);
      for (const p of arrayPaths) {
        this.multikey = true;
        this.multikeyPaths.add(p);
      }
      for (const key of docKeys) {
        if (this.unique && !this.idTaken) this.claim(ns, key, ids[d]);
        keys.push(key);
        entryDoc.push(d);
      }
    }
    const order = Array.from({ length: keys.length }, (_, i) => i).sort((a, b) => this.compareKeys(keys[a], keys[b]) || entryDoc[a] - entryDoc[b]);
    for (const i of order) this.entries.append(keys[i], ids[entryDoc[i]]);
  }

  get entryCount(): number {
    return this.entries.length + this.pendingKeys.length;
  }

  clear(): void {
    this.hash.clear();
    this.pendingKeys = [];
    this.pendingIds = [];
    this.entries.clear();
    this.multikey = false;
    this.multikeyPaths.clear();
  }
}

/** A map's keys in the order index entries give ids (`<` on strings, as the default sort). */
export function sortedKeys(docs: Map<string, unknown>): string[] {
  return [...docs.keys()].sort();
}

function grow(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(size);
  out.set(a);
  return out;
}

/**
 * The values once each (by keyString). Strings are compared as themselves, which is the same
 * test (a string's keyString is the string with a prefix no other type uses) without building a
 * key per value: 90 search terms per post made this a string allocation per index entry.
 */
function dedupe(values: unknown[]): unknown[] {
  if (values.length <= 1) return values;
  const strings = new Set<string>();
  let others: Set<string> | null = null;
  const out: unknown[] = [];
  for (const v of values) {
    if (typeof v === 'string') {
      if (strings.has(v)) continue;
      strings.add(v);
    } else {
      const k = keyString(v);
      others ??= new Set<string>();
      if (others.has(k)) continue;
      others.add(k);
    }
    out.push(v);
  }
  return out.length === values.length ? values : out;
}
