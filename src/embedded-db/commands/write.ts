/**
 * Write commands: insert, update, delete and findAndModify. Each applies its changes in memory
 * (every single-document change is atomic: unique checks run before anything moves), collects
 * the physical journal records, and replies only after `engine.commit` made them durable.
 */
import { performance } from 'node:perf_hooks';
import { BSON, type Document } from 'bson';
import type { JournalRecord } from '../storage/types';
import { ErrorCodes, MongoError, asMongoError, failedToParse } from '../errors';
import type { Collection } from '../engine/collection';
import { applyUpdate, project, updateKind } from '../engine/mingo-bridge';
import { selectDocuments } from '../engine/query';
import { cloneDocument, isPlainObject, setOwn } from '../engine/values';
import {
  collectionArg,
  optionalArray,
  optionalDocument,
  truthy,
  type CommandContext,
  type CommandHandler,
} from './context';

/** MongoDB stores _id first; a document without one gets an ObjectId. */
function withIdFirst(doc: Document): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id') return doc;
  const out: Document = { _id: doc._id === undefined ? new BSON.ObjectId() : doc._id };
  for (const k of keys) if (k !== '_id') setOwn(out, k, doc[k]);
  return out;
}

/** A write command that has run this long lets other work in before it goes on. */
const YIELD_AFTER_MS = 50;

function put(coll: Collection, doc: Document): JournalRecord {
  return { t: 'put', db: coll.db, coll: coll.name, doc };
}

function del(coll: Collection, doc: Document): JournalRecord {
  return { t: 'del', db: coll.db, coll: coll.name, id: doc._id };
}

function writeReply(base: Document, writeErrors: Document[]): Document {
  return writeErrors.length > 0 ? { ...base, writeErrors, ok: 1 } : { ...base, ok: 1 };
}

async function insert(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'insert');
  const documents = optionalArray(cmd, 'documents', 'insert');
  if (!documents) throw failedToParse("BSON field 'insert.documents' is missing but a required field");
  const ordered = cmd.ordered !== false;
  const records: JournalRecord[] = [];
  const writeErrors: Document[] = [];
  let n = 0;
  try {
    let { coll } = ctx.engine.catalog.ensure(ctx.db, name, records);
    let slice = performance.now();
    for (let i = 0; i < documents.length; i++) {
      if (performance.now() - slice > YIELD_AFTER_MS) {
        // A large batch gives the event loop back now and then, so heartbeats and other
        // connections are answered while it runs (MongoDB too interleaves the documents of one
        // insert with other operations). The collection may have been dropped meanwhile.
        coll.settle();
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (ctx.engine.catalog.get(ctx.db, name) !== coll) {
          // Dropped meanwhile: what this command inserted so far went with it, and the journal
          // (where the drop is already written) must not bring it back.
          records.length = 0;
          coll = ctx.engine.catalog.ensure(ctx.db, name, records).coll;
        }
        slice = performance.now();
      }
      ctx.engine.counters.insert++;
      try {
        const raw = documents[i];
        if (!isPlainObject(raw)) throw new MongoError(ErrorCodes.TypeMismatch, 'document to insert must be an object');
        // The command was decoded for this request only, so the engine may keep its objects.
        const doc = withIdFirst(raw);
        coll.insert(doc);
        records.push(put(coll, doc));
        n++;
      } catch (err) {
        writeErrors.push(asMongoError(err).toWriteError(i));
        if (ordered) break;
      }
    }
  } finally {
    await ctx.engine.commit(records);
  }
  return writeReply({ n }, writeErrors);
}

/** The document an upsert starts from: the query's equality conditions (MongoDB's rule). */
function upsertSeed(query: Document): Document {
  const seed: Document = {};
  const addEqualities = (q: Document): void => {
    for (const [key, cond] of Object.entries(q)) {
      if (key === '$and' && Array.isArray(cond)) {
        for (const sub of cond) if (isPlainObject(sub)) addEqualities(sub);
        continue;
      }
      if (key.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) {
        if (!('$eq' in cond)) continue;
        value = cond.$eq;
      } else {
        value = cond;
      }
      setPath(seed, key, value);
    }
  };
  addEqualities(query);
  return seed;
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = Object.prototype.hasOwnProperty.call(cur, parts[i]) ? cur[parts[i]] : undefined;
    if (!isPlainObject(next)) setOwn(cur, parts[i], {});
    cur = cur[parts[i]] as Document;
  }
  setOwn(cur, parts[parts.length - 1], value);
}

interface UpsertResult {
  doc: Document;
}

/** Builds and inserts the document of an upsert that matched nothing. */
function upsertInsert(coll: Collection, query: Document, u: Document | Document[], arrayFilters?: Document[], variables?: Document): UpsertResult {
  const kind = updateKind(u);
  let doc: Document;
  if (kind === 'replacement') {
    const seed = upsertSeed(query);
    const base: Document = seed._id !== undefined ? { _id: seed._id } : {};
    doc = applyUpdate(base, u) ?? base;
  } else {
    const seed = cloneDocument(upsertSeed(query));
    doc = applyUpdate(seed, u, { inserting: true, query, arrayFilters, variables }) ?? seed;
  }
  doc = withIdFirst(doc);
  coll.insert(doc);
  return { doc };
}

interface UpdateStatement {
  q: Document;
  u: Document | Document[];
  multi: boolean;
  upsert: boolean;
  arrayFilters?: Document[];
  collation?: Document;
  hint?: unknown;
}

function parseStatement(raw: unknown): UpdateStatement {
  if (!isPlainObject(raw)) throw failedToParse('update statement must be an object');
  const q = raw.q === undefined ? {} : raw.q;
  if (!isPlainObject(q)) throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'update.updates.q' is the wrong type, expected type 'object'");
  const u = raw.u;
  if (!isPlainObject(u) && !Array.isArray(u)) throw new MongoError(ErrorCodes.FailedToParse, 'Update argument must be either an object or an array');
  if (raw.sort !== undefined) {
    // The update statement's sort arrived with MongoDB 8.0; the 7.0 server this engine reports
    // being refuses it the same way.
    throw new MongoError(40415, "BSON field 'update.updates.sort' is an unknown field.");
  }
  const multi = truthy(raw.multi);
  if (multi && updateKind(u) === 'replacement') throw failedToParse("multi update is not supported for replacement-style update");
  return {
    q,
    u: u as Document | Document[],
    multi,
    upsert: truthy(raw.upsert),
    arrayFilters: Array.isArray(raw.arrayFilters) ? (raw.arrayFilters as Document[]) : undefined,
    collation: isPlainObject(raw.collation) ? raw.collation : undefined,
    hint: raw.hint,
  };
}

async function update(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'update');
  const updates = optionalArray(cmd, 'updates', 'update');
  if (!updates) throw failedToParse("BSON field 'update.updates' is missing but a required field");
  const ordered = cmd.ordered !== false;
  const engine = ctx.engine;
  const variables = optionalDocument(cmd, 'let', 'update');
  const records: JournalRecord[] = [];
  const writeErrors: Document[] = [];
  const upserted: Document[] = [];
  let n = 0;
  let nModified = 0;
  try {
    for (let i = 0; i < updates.length; i++) {
      engine.counters.update++;
      try {
        const st = parseStatement(updates[i]);
        const coll = engine.catalog.get(ctx.db, name);
        const sel = selectDocuments(coll, st.q, { limit: st.multi ? 0 : 1, collation: st.collation, hint: st.hint, variables });
        if (coll && sel.docs.length > 0) {
          for (const doc of sel.docs) {
            n++;
            const next = applyUpdate(cloneDocument(doc), st.u, { arrayFilters: st.arrayFilters, query: st.q, variables });
            if (!next) continue;
            coll.replace(doc, next);
            records.push(put(coll, next));
            nModified++;
          }
        } else if (st.upsert) {
          const target = engine.catalog.ensure(ctx.db, name, records).coll;
          const { doc } = upsertInsert(target, st.q, st.u, st.arrayFilters, variables);
          records.push(put(target, doc));
          upserted.push({ index: i, _id: doc._id });
          n++;
        }
      } catch (err) {
        writeErrors.push(asMongoError(err).toWriteError(i));
        if (ordered) break;
      }
    }
  } finally {
    await engine.commit(records);
  }
  const base: Document = { n, nModified };
  if (upserted.length > 0) base.upserted = upserted;
  return writeReply(base, writeErrors);
}

async function remove(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'delete');
  const deletes = optionalArray(cmd, 'deletes', 'delete');
  if (!deletes) throw failedToParse("BSON field 'delete.deletes' is missing but a required field");
  const ordered = cmd.ordered !== false;
  const engine = ctx.engine;
  const variables = optionalDocument(cmd, 'let', 'delete');
  const records: JournalRecord[] = [];
  const writeErrors: Document[] = [];
  let n = 0;
  try {
    for (let i = 0; i < deletes.length; i++) {
      engine.counters.delete++;
      try {
        const st = deletes[i];
        if (!isPlainObject(st)) throw failedToParse('delete statement must be an object');
        const q = st.q === undefined ? {} : st.q;
        if (!isPlainObject(q)) throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'delete.deletes.q' is the wrong type, expected type 'object'");
        const limit = Number(st.limit ?? 0);
        if (limit !== 0 && limit !== 1) throw failedToParse(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
        const coll = engine.catalog.get(ctx.db, name);
        const sel = selectDocuments(coll, q, {
          limit,
          collation: isPlainObject(st.collation) ? st.collation : undefined,
          hint: st.hint,
          variables,
        });
        if (!coll) continue;
        for (const doc of sel.docs) {
          coll.remove(doc);
          records.push(del(coll, doc));
          n++;
        }
      } catch (err) {
        writeErrors.push(asMongoError(err).toWriteError(i));
        if (ordered) break;
      }
    }
  } finally {
    await engine.commit(records);
  }
  return writeReply({ n }, writeErrors);
}

function returnCopy(doc: Document | null, fields: Document | undefined, query: Document): Document | null {
  if (!doc) return null;
  return project([cloneDocument(doc)], fields, query)[0] ?? null;
}

async function findAndModify(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, Object.keys(cmd)[0]);
  const engine = ctx.engine;
  const query = optionalDocument(cmd, 'query', 'findAndModify') ?? {};
  const sort = optionalDocument(cmd, 'sort', 'findAndModify');
  const fields = optionalDocument(cmd, 'fields', 'findAndModify');
  const isRemove = truthy(cmd.remove);
  const u = cmd.update as Document | Document[] | undefined;
  const returnNew = truthy(cmd.new);
  const upsert = truthy(cmd.upsert);
  const arrayFilters = optionalArray(cmd, 'arrayFilters', 'findAndModify');
  const variables = optionalDocument(cmd, 'let', 'findAndModify');
  if (isRemove && u !== undefined) throw failedToParse('Cannot specify both an update and remove=true');
  if (!isRemove && u === undefined) throw failedToParse('Either an update or remove=true must be specified');
  if (isRemove && upsert) throw failedToParse('Cannot specify both upsert=true and remove=true ');
  if (isRemove && returnNew) throw failedToParse('Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
  if (u !== undefined && !isPlainObject(u) && !Array.isArray(u)) throw failedToParse('Update argument must be either an object or an array');
  const records: JournalRecord[] = [];
  try {
    const coll = engine.catalog.get(ctx.db, name);
    const collation = optionalDocument(cmd, 'collation', 'findAndModify');
    const sel = selectDocuments(coll, query, { sort, limit: 1, collation, hint: cmd.hint, variables });
    const found = sel.docs[0];
    if (isRemove) {
      engine.counters.delete++;
      if (!coll || !found) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
      coll.remove(found);
      records.push(del(coll, found));
      return { lastErrorObject: { n: 1 }, value: returnCopy(found, fields, query), ok: 1 };
    }
    engine.counters.update++;
    const update = u as Document | Document[];
    if (coll && found) {
      const next = applyUpdate(cloneDocument(found), update, { arrayFilters, query, variables });
      if (next) {
        coll.replace(found, next);
        records.push(put(coll, next));
      }
      const value = returnCopy(returnNew ? (next ?? found) : found, fields, query);
      return { lastErrorObject: { n: 1, updatedExisting: true }, value, ok: 1 };
    }
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const target = engine.catalog.ensure(ctx.db, name, records).coll;
    const { doc } = upsertInsert(target, query, update, arrayFilters, variables);
    records.push(put(target, doc));
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: returnNew ? returnCopy(doc, fields, query) : null,
      ok: 1,
    };
  } finally {
    await engine.commit(records);
  }
}

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: remove,
  findAndModify,
  findandmodify: findAndModify,
};
