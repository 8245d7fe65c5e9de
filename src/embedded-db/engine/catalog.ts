/**
 * Databases and their collections, plus the two directions of the storage contract: building
 * this state from a snapshot and journal replay (idempotently), and handing it back as an
 * EngineState for compaction. Mutations here record the physical journal records they imply.
 */
import type { Document } from 'bson';
import type { EngineState, IndexSpec, JournalRecord } from '../storage/types';
import { ErrorCodes, MongoError } from '../errors';
import { Collection, type IndexBuildTime, type ScanPolicy } from './collection';
import { keyString } from './values';

export function validateDbName(db: string): void {
  if (db.length === 0 || db.length > 63 || /[/\\. "$*<>:|?\0]/.test(db)) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid database name: '${db}'`);
  }
}

export function validateCollectionName(db: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${db}.'`);
  }
  if (name.includes('$') || name.includes('\0') || name.startsWith('.') || name.startsWith('system.')) {
    throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid collection name: ${name}`);
  }
}

export class Catalog {
  readonly dbs = new Map<string, Map<string, Collection>>();
  /** notablescan, shared by every collection of the catalog. */
  readonly scanPolicy: ScanPolicy = { notablescan: false, minDocuments: 0 };
  /** While loading, documents are applied without index maintenance (see endLoad). */
  private loading = false;

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  /** Creates the collection; records a createCollection record. */
  create(db: string, name: string, options: Document, records: JournalRecord[]): Collection {
    validateDbName(db);
    validateCollectionName(db, name);
    if (this.get(db, name)) throw new MongoError(ErrorCodes.NamespaceExists, `Collection ${db}.${name} already exists.`);
    const coll = new Collection(db, name, options);
    coll.scanPolicy = this.scanPolicy;
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    colls.set(name, coll);
    records.push({ t: 'createCollection', db, coll: name, options });
    return coll;
  }

  /** The collection, created implicitly (as MongoDB does on first write) when missing. */
  ensure(db: string, name: string, records: JournalRecord[]): { coll: Collection; created: boolean } {
    const existing = this.get(db, name);
    if (existing) return { coll: existing, created: false };
    return { coll: this.create(db, name, {}, records), created: true };
  }

  drop(db: string, name: string, records: JournalRecord[]): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    records.push({ t: 'dropCollection', db, coll: name });
    return true;
  }

  dropDatabase(db: string, records: JournalRecord[]): void {
    if (!this.dbs.has(db)) return;
    this.dbs.delete(db);
    records.push({ t: 'dropDatabase', db });
  }

  rename(db: string, from: string, to: string, records: JournalRecord[]): void {
    const colls = this.dbs.get(db);
    const source = colls?.get(from);
    if (!colls || !source) throw new MongoError(ErrorCodes.NamespaceNotFound, 'source namespace does not exist');
    validateCollectionName(db, to);
    const target = new Collection(db, to, source.options);
    target.scanPolicy = this.scanPolicy;
    for (const spec of source.indexSpecs()) if (spec.name !== '_id_') target.declareIndex(spec);
    for (const doc of source.docs.values()) target.loadPut(doc);
    if (!this.loading) target.rebuildIndexes(() => undefined);
    colls.delete(from);
    colls.set(to, target);
    records.push({ t: 'renameCollection', db, from, to });
  }

  // -------------------------------------------------------------------------------------------
  // Storage contract

  toState(): EngineState {
    const databases: EngineState['databases'] = {};
    for (const [db, colls] of this.dbs) {
      databases[db] = {};
      for (const [name, coll] of colls) {
        databases[db][name] = {
          options: coll.options,
          indexes: coll.indexSpecs().filter((s) => s.name !== '_id_'),
          // Stored documents are never mutated in place (updates replace them), so sharing the
          // references with a snapshot being written is safe.
          docs: [...coll.docs.values()],
        };
      }
    }
    return { databases };
  }

  beginLoad(): void {
    this.loading = true;
  }

  /** Ends loading: every index of every collection is built in one pass. */
  endLoad(warn: (msg: string) => void): IndexBuildTime[] {
    this.loading = false;
    const built: IndexBuildTime[] = [];
    for (const colls of this.dbs.values()) for (const coll of colls.values()) built.push(...coll.rebuildIndexes(warn));
    return built;
  }

  loadSnapshot(state: EngineState, warn: (msg: string) => void): void {
    for (const [db, colls] of Object.entries(state.databases)) {
      for (const [name, cs] of Object.entries(colls)) {
        this.apply({ t: 'createCollection', db, coll: name, options: cs.options }, warn);
        for (const spec of cs.indexes) this.apply({ t: 'createIndex', db, coll: name, spec }, warn);
        for (const doc of cs.docs) this.apply({ t: 'put', db, coll: name, doc }, warn);
      }
    }
  }

  /** Applies one journal record; replaying a record twice leaves the same state. */
  apply(rec: JournalRecord, warn: (msg: string) => void): void {
    const sink: JournalRecord[] = [];
    switch (rec.t) {
      case 'createCollection':
        if (!this.get(rec.db, rec.coll)) this.create(rec.db, rec.coll, rec.options ?? {}, sink);
        return;
      case 'dropCollection':
        this.drop(rec.db, rec.coll, sink);
        return;
      case 'dropDatabase':
        this.dropDatabase(rec.db, sink);
        return;
      case 'renameCollection':
        if (this.get(rec.db, rec.from)) {
          this.drop(rec.db, rec.to, sink);
          this.rename(rec.db, rec.from, rec.to, sink);
        }
        return;
      case 'createIndex': {
        const { coll } = this.ensure(rec.db, rec.coll, sink);
        if (!coll.indexes.has(rec.spec.name)) {
          try {
            if (this.loading) coll.declareIndex(rec.spec as IndexSpec);
            else coll.addIndex(rec.spec as IndexSpec);
          } catch (err) {
            warn(`replay: index ${rec.spec.name} on ${coll.ns} not rebuilt: ${(err as Error).message}`);
          }
        }
        return;
      }
      case 'dropIndex':
        this.get(rec.db, rec.coll)?.dropIndex(rec.name);
        return;
      case 'put': {
        const { coll } = this.ensure(rec.db, rec.coll, sink);
        if (this.loading) {
          coll.loadPut(rec.doc);
          return;
        }
        const old = coll.docs.get(keyString(rec.doc._id));
        try {
          if (old) coll.replace(old, rec.doc, false);
          else coll.insert(rec.doc, false);
        } catch (err) {
          warn(`replay: document ${keyString(rec.doc._id)} in ${coll.ns} skipped: ${(err as Error).message}`);
        }
        return;
      }
      case 'del': {
        const coll = this.get(rec.db, rec.coll);
        if (this.loading) {
          coll?.loadDelete(rec.id);
          return;
        }
        const old = coll?.docs.get(keyString(rec.id));
        if (coll && old) coll.remove(old);
        return;
      }
      default:
        warn(`replay: unknown journal record ${JSON.stringify(rec)}`);
    }
  }
}
