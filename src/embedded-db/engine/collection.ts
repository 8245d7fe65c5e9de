/**
 * One collection in memory: documents by canonical _id key (insertion order is natural order),
 * and its indexes (the _id index first). Every change goes through insert/replace/remove, which
 * check all unique indexes before touching anything, so a failed write leaves no trace.
 */
import { BSON, type Document } from 'bson';
import type { IndexSpec } from '../storage/types';
import { ErrorCodes, MongoError } from '../errors';
import { MAX_BSON_SIZE } from '../wire';
import { Index, sortedKeys, validateIndexSpec, type ExtractedKeys } from './indexes';
import { compileFilter, type CompiledFilter } from './mingo-bridge';
import { isPlainObject, keyString } from './values';
import { internArrayStrings } from './intern';

/** notablescan: collection scans refused (code 291), optionally only above a collection size. */
export interface ScanPolicy {
  notablescan: boolean;
  /** With notablescan, collections of at most this many documents may still be scanned. */
  minDocuments: number;
}

/** How long one index took to build at start-up (logged by the engine). */
export interface IndexBuildTime {
  ns: string;
  name: string;
  entries: number;
  ms: number;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** MongoDB refuses `$`-prefixed field names anywhere inside an _id (they are allowed elsewhere). */
function checkIdFieldNames(v: unknown): void {
  if (Array.isArray(v)) {
    for (const e of v) checkIdFieldNames(e);
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, e] of Object.entries(v)) {
    if (k.startsWith('$')) {
      throw new MongoError(ErrorCodes.DollarPrefixedFieldName, `_id fields may not contain '$'-prefixed fields: ${k} is not valid for storage.`);
    }
    checkIdFieldNames(e);
  }
}

export class Collection {
  readonly db: string;
  readonly name: string;
  readonly options: Document;
  readonly uuid = new BSON.UUID();
  readonly docs = new Map<string, Document>();
  readonly indexes = new Map<string, Index>();
  private readonly validator: CompiledFilter | null;
  /** Set by the catalog for the collections it holds. */
  scanPolicy: ScanPolicy | null = null;

  constructor(db: string, name: string, options: Document = {}) {
    this.db = db;
    this.name = name;
    this.options = options;
    this.indexes.set('_id_', new Index(ID_INDEX_SPEC, (id) => this.docs.has(id)));
    this.validator = options.validator && Object.keys(options.validator as Document).length > 0 ? compileFilter(options.validator as Document) : null;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get idIndex(): Index {
    return this.indexes.get('_id_') as Index;
  }

  /** Specs as listIndexes reports them, _id_ first. */
  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  getById(id: unknown): Document | undefined {
    return this.docs.get(keyString(id));
  }

  private validate(doc: Document): void {
    if (this.validator && this.options.validationLevel !== 'off' && this.options.validationAction !== 'warn' && !this.validator.test(doc)) {
      throw new MongoError(ErrorCodes.DocumentValidationFailure, 'Document failed validation', {
        errInfo: { failingDocumentId: doc._id, details: { operatorName: '$and', schemaRulesNotSatisfied: [] } },
      });
    }
  }

  /**
   * Extracts every index's keys of `doc` (throwing on parallel arrays) and throws the first
   * unique violation, all before anything changes.
   */
  private prepare(doc: Document, selfId: string): ExtractedKeys[] {
    const all: ExtractedKeys[] = [];
    for (const index of this.indexes.values()) {
      const extracted = index.extract(doc);
      if (index.unique) {
        const conflict = index.findConflict(doc, selfId, extracted);
        if (conflict) throw index.duplicateError(this.ns, conflict);
      }
      all.push(extracted);
    }
    return all;
  }

  /** `doc` must carry its _id; the collection keeps the object, so callers hand over a copy. */
  insert(doc: Document, validate = true): void {
    if (Array.isArray(doc._id)) throw new MongoError(ErrorCodes.InvalidIdField, `can't use an array for _id`);
    if (doc._id instanceof RegExp) throw new MongoError(ErrorCodes.InvalidIdField, `can't use a regex for _id`);
    if (validate) {
      checkIdFieldNames(doc._id);
      const size = BSON.calculateObjectSize(doc);
      if (size > MAX_BSON_SIZE) {
        throw new MongoError(ErrorCodes.BSONObjectTooLarge, `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`);
      }
    }
    if (validate) this.validate(doc);
    const id = keyString(doc._id);
    internArrayStrings(doc);
    const keys = this.prepare(doc, '');
    this.docs.set(id, doc);
    let i = 0;
    for (const index of this.indexes.values()) index.add(id, doc, keys[i++]);
  }

  replace(oldDoc: Document, newDoc: Document, validate = true): void {
    const id = keyString(oldDoc._id);
    if (validate) this.validate(newDoc);
    internArrayStrings(newDoc);
    const newKeys = this.prepare(newDoc, id);
    let i = 0;
    for (const index of this.indexes.values()) {
      const after = newKeys[i++];
      if (index.isId) continue;
      const before = index.extract(oldDoc);
      if (keyString(before.keys) === keyString(after.keys)) continue;
      index.remove(id, oldDoc, before);
      index.add(id, newDoc, after);
    }
    this.docs.set(id, newDoc);
  }

  /** Places every index's pending entries (see Index.sorted); reads do it on their own. */
  settle(): void {
    for (const index of this.indexes.values()) void index.sorted;
  }

  remove(doc: Document): void {
    const id = keyString(doc._id);
    if (!this.docs.has(id)) return;
    for (const index of this.indexes.values()) index.remove(id, doc);
    this.docs.delete(id);
  }

  /** Builds a new index over the existing documents; a duplicate aborts it with 11000. */
  addIndex(spec: IndexSpec): Index {
    validateIndexSpec(spec);
    const index = new Index(spec);
    index.build(this.docs, this.ns);
    this.indexes.set(spec.name, index);
    return index;
  }

  // -------------------------------------------------------------------------------------------
  // Loading (start-up): documents first, every index built once at the end.

  /** Declares an index without building it; `rebuildIndexes` fills it. */
  declareIndex(spec: IndexSpec): void {
    validateIndexSpec(spec);
    this.indexes.set(spec.name, new Index(spec));
  }

  /**
   * A document already in the engine's form: read from storage (storage/framing.ts readDocument
   * interns it) or taken from another collection.
   */
  loadPut(doc: Document): void {
    this.docs.set(keyString(doc._id), doc);
  }

  loadDelete(id: unknown): void {
    this.docs.delete(keyString(id));
  }

  /** Builds every index; one that cannot be built (duplicates) is dropped with a warning. */
  rebuildIndexes(warn: (msg: string) => void): IndexBuildTime[] {
    const built: IndexBuildTime[] = [];
    const ids = sortedKeys(this.docs);
    for (const [name, index] of [...this.indexes]) {
      try {
        const started = performance.now();
        index.build(this.docs, this.ns, ids);
        built.push({ ns: this.ns, name, entries: index.entryCount, ms: performance.now() - started });
      } catch (err) {
        if (index.isId) throw err;
        warn(`index ${name} on ${this.ns} dropped at start-up: ${(err as Error).message}`);
        this.indexes.delete(name);
      }
    }
    return built;
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  clearDocuments(): void {
    this.docs.clear();
    for (const index of this.indexes.values()) index.clear();
  }
}
