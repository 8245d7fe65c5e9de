/**
 * Namespace and index commands: create, drop, dropDatabase, renameCollection, listCollections,
 * createIndexes, listIndexes, dropIndexes and collMod (TTL changes). Each journals what it
 * changed, including when it fails half-way (indexes built before the failing one stay).
 */
import type { Document } from 'bson';
import type { IndexSpec, JournalRecord } from '../storage/types';
import { ErrorCodes, MongoError, badValue } from '../errors';
import { compileFilter } from '../engine/mingo-bridge';
import { defaultIndexName, Index, validateIndexSpec } from '../engine/indexes';
import type { Collection } from '../engine/collection';
import { isPlainObject, keyString } from '../engine/values';
import { validateCollectionName, validateDbName } from '../engine/catalog';
import { cursorReply } from '../cursors';
import { refuseMatchingCollation } from '../engine/query';
import { collectionArg, optionalDocument, requireAdmin, truthy, type CommandContext, type CommandHandler } from './context';

/** Collection options kept and reported by listCollections. */
const COLLECTION_OPTIONS = ['validator', 'validationLevel', 'validationAction', 'collation'];

async function withJournal<T>(ctx: CommandContext, body: (records: JournalRecord[]) => T): Promise<T> {
  const records: JournalRecord[] = [];
  try {
    return body(records);
  } finally {
    await ctx.engine.commit(records);
  }
}

async function create(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'create');
  for (const unsupported of ['capped', 'timeseries', 'viewOn', 'clusteredIndex', 'changeStreamPreAndPostImages']) {
    if (cmd[unsupported] !== undefined && cmd[unsupported] !== false) {
      throw new MongoError(ErrorCodes.CommandNotSupported, `'${unsupported}' collections are not supported by the embedded database`);
    }
  }
  const options: Document = {};
  for (const key of COLLECTION_OPTIONS) if (cmd[key] !== undefined) options[key] = cmd[key];
  refuseMatchingCollation(options.collation, 'a collection');
  if (options.validator !== undefined) {
    if (!isPlainObject(options.validator)) throw badValue("'validator' option must be a document");
    compileFilter(options.validator);
  }
  await withJournal(ctx, (records) => ctx.engine.catalog.create(ctx.db, name, options, records));
  return { ok: 1 };
}

async function drop(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'drop');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  // Since MongoDB 7.0 dropping a missing collection succeeds.
  if (!coll) return { ok: 1 };
  const nIndexesWas = coll.indexes.size;
  await withJournal(ctx, (records) => ctx.engine.catalog.drop(ctx.db, name, records));
  return { nIndexesWas, ns: coll.ns, ok: 1 };
}

async function dropDatabase(_cmd: Document, ctx: CommandContext): Promise<Document> {
  const existed = ctx.engine.catalog.dbs.has(ctx.db);
  await withJournal(ctx, (records) => ctx.engine.catalog.dropDatabase(ctx.db, records));
  return existed ? { dropped: ctx.db, ok: 1 } : { ok: 1 };
}

function splitNamespace(ns: unknown, field: string): { db: string; coll: string } {
  if (typeof ns !== 'string' || !ns.includes('.')) throw new MongoError(ErrorCodes.InvalidNamespace, `Invalid ${field} namespace: ${String(ns)}`);
  const dot = ns.indexOf('.');
  return { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
}

async function renameCollection(cmd: Document, ctx: CommandContext): Promise<Document> {
  requireAdmin(ctx, 'renameCollection');
  const from = splitNamespace(cmd.renameCollection, 'source');
  const to = splitNamespace(cmd.to, 'target');
  if (from.db !== to.db) {
    throw new MongoError(ErrorCodes.CommandNotSupported, 'renameCollection across databases is not supported by the embedded database');
  }
  validateDbName(to.db);
  validateCollectionName(to.db, to.coll);
  const catalog = ctx.engine.catalog;
  if (!catalog.get(from.db, from.coll)) throw new MongoError(ErrorCodes.NamespaceNotFound, 'Source collection does not exist');
  if (from.coll === to.coll) throw new MongoError(ErrorCodes.IllegalOperation, "Can't rename a collection to itself");
  if (catalog.get(to.db, to.coll) && !truthy(cmd.dropTarget)) throw new MongoError(ErrorCodes.NamespaceExists, 'target namespace exists');
  await withJournal(ctx, (records) => {
    catalog.drop(to.db, to.coll, records);
    catalog.rename(from.db, from.coll, to.coll, records);
  });
  return { ok: 1 };
}

function collectionInfo(coll: Collection): Document {
  return {
    name: coll.name,
    type: 'collection',
    options: { ...coll.options },
    info: { readOnly: false, uuid: coll.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

function listCollections(cmd: Document, ctx: CommandContext): Document {
  const filter = optionalDocument(cmd, 'filter', 'listCollections') ?? {};
  const matcher = compileFilter(filter);
  const nameOnly = truthy(cmd.nameOnly);
  const docs = ctx.engine.catalog
    .collections(ctx.db)
    .map(collectionInfo)
    .filter((info) => matcher.test(info))
    .map((info) => (nameOnly ? { name: info.name, type: info.type } : info));
  const batchSize = isPlainObject(cmd.cursor) && typeof cmd.cursor.batchSize === 'number' ? cmd.cursor.batchSize : undefined;
  const ns = `${ctx.db}.$cmd.listCollections`;
  return cursorReply(ns, ctx.engine.cursors.first(ns, docs, batchSize), 'firstBatch');
}

const INDEX_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation', 'hidden', 'weights', 'default_language', 'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max', 'wildcardProjection'];

function normaliseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw new MongoError(ErrorCodes.TypeMismatch, 'Each index specification must be an object');
  if (!isPlainObject(raw.key)) throw new MongoError(ErrorCodes.FailedToParse, "The 'key' field is a required property of an index specification");
  const key = raw.key;
  const name = raw.name === undefined ? defaultIndexName(key) : raw.name;
  if (typeof name !== 'string') throw new MongoError(ErrorCodes.TypeMismatch, "The field 'name' must be a string");
  const spec: IndexSpec = { v: 2, key, name };
  for (const opt of INDEX_OPTIONS) {
    if (raw[opt] === undefined) continue;
    if ((opt === 'unique' || opt === 'sparse' || opt === 'hidden') && !truthy(raw[opt])) continue;
    spec[opt] = opt === 'unique' || opt === 'sparse' || opt === 'hidden' ? true : raw[opt];
  }
  if (spec.partialFilterExpression !== undefined) {
    if (!isPlainObject(spec.partialFilterExpression)) throw new MongoError(ErrorCodes.CannotCreateIndex, 'partialFilterExpression must be an object');
    if (spec.sparse) throw new MongoError(ErrorCodes.CannotCreateIndex, 'cannot mix "partialFilterExpression" and "sparse" options');
    compileFilter(spec.partialFilterExpression as Document);
  }
  refuseMatchingCollation(spec.collation, 'an index');
  validateIndexSpec(spec);
  return spec;
}

function optionsKey(spec: Document): string {
  const { v: _v, name: _n, key: _k, ...rest } = spec;
  return keyString(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))));
}

async function createIndexes(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'createIndexes');
  const raw = cmd.indexes;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new MongoError(ErrorCodes.BadValue, "Must specify at least one index to create");
  }
  const specs = raw.map(normaliseSpec);
  return withJournal(ctx, (records) => {
    const { coll, created } = ctx.engine.catalog.ensure(ctx.db, name, records);
    const before = coll.indexes.size;
    for (const spec of specs) {
      const sameName = coll.indexes.get(spec.name);
      const sameKey = [...coll.indexes.values()].find((i) => keyString(i.spec.key) === keyString(spec.key));
      if (spec.name === '_id_' || (keyString(spec.key) === keyString({ _id: 1 }) && !spec.partialFilterExpression)) {
        if (spec.unique && spec.name === '_id_') throw new MongoError(ErrorCodes.InvalidOptions, "The field 'unique' is not valid for an _id index specification");
        continue;
      }
      if (sameName) {
        if (keyString(sameName.spec.key) === keyString(spec.key) && optionsKey(sameName.spec) === optionsKey(spec)) continue;
        if (keyString(sameName.spec.key) === keyString(spec.key)) {
          throw new MongoError(ErrorCodes.IndexKeySpecsConflict, `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
        }
        throw new MongoError(ErrorCodes.IndexKeySpecsConflict, `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
      }
      if (sameKey && optionsKey(sameKey.spec) === optionsKey(spec)) {
        throw new MongoError(ErrorCodes.IndexOptionsConflict, `Index already exists with a different name: ${sameKey.name}`);
      }
      if (sameKey && !spec.partialFilterExpression && !sameKey.spec.partialFilterExpression) {
        throw new MongoError(ErrorCodes.IndexOptionsConflict, `An existing index has the same key pattern but different options: ${sameKey.name}`);
      }
      coll.addIndex(spec);
      records.push({ t: 'createIndex', db: ctx.db, coll: name, spec });
    }
    const after = coll.indexes.size;
    const reply: Document = { numIndexesBefore: before, numIndexesAfter: after, createdCollectionAutomatically: created };
    if (after === before) reply.note = 'all indexes already exist';
    return { ...reply, ok: 1 };
  });
}

function listIndexes(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'listIndexes');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  if (!coll) throw new MongoError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  const ns = `${ctx.db}.${name}`;
  const batchSize = isPlainObject(cmd.cursor) && typeof cmd.cursor.batchSize === 'number' ? cmd.cursor.batchSize : undefined;
  const docs = coll.indexSpecs().map((s) => ({ ...s }));
  return cursorReply(ns, ctx.engine.cursors.first(ns, docs, batchSize), 'firstBatch');
}

function findIndex(coll: Collection, which: unknown): Index {
  for (const index of coll.indexes.values()) {
    if (typeof which === 'string' ? index.name === which : keyString(index.spec.key) === keyString(which)) return index;
  }
  const shown = typeof which === 'string' ? which : JSON.stringify(which);
  throw new MongoError(ErrorCodes.IndexNotFound, typeof which === 'string' ? `index not found with name [${shown}]` : `can't find index with key: ${shown}`);
}

async function dropIndexes(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'dropIndexes');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  if (!coll) throw new MongoError(ErrorCodes.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size;
  const which = cmd.index;
  let targets: Index[];
  if (which === '*') targets = [...coll.indexes.values()].filter((i) => !i.isId);
  else if (Array.isArray(which)) targets = which.map((w) => findIndex(coll, w));
  else if (typeof which === 'string' || isPlainObject(which)) targets = [findIndex(coll, which)];
  else throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'dropIndexes.index' is the wrong type");
  if (targets.some((i) => i.isId)) throw new MongoError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
  await withJournal(ctx, (records) => {
    for (const index of targets) {
      coll.dropIndex(index.name);
      records.push({ t: 'dropIndex', db: ctx.db, coll: name, name: index.name });
    }
  });
  return { nIndexesWas, ok: 1 };
}

/** An index's TTL and whether it is hidden from the planner can be changed. */
async function collMod(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionArg(cmd, 'collMod');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  if (!coll) throw new MongoError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  for (const key of Object.keys(cmd)) {
    if (key === 'collMod' || key === 'index' || key.startsWith('$') || key === 'lsid' || key === 'writeConcern' || key === 'comment') continue;
    throw new MongoError(ErrorCodes.InvalidOptions, `collMod option '${key}' is not supported by the embedded database`);
  }
  if (!isPlainObject(cmd.index)) return { ok: 1 };
  const req = cmd.index;
  for (const key of Object.keys(req)) {
    if (!['name', 'keyPattern', 'expireAfterSeconds', 'hidden'].includes(key)) {
      throw new MongoError(ErrorCodes.InvalidOptions, `collMod index option '${key}' is not supported by the embedded database`);
    }
  }
  const index = findIndex(coll, req.name ?? req.keyPattern);
  const spec: IndexSpec = { ...index.spec };
  const reply: Document = {};
  if (req.expireAfterSeconds !== undefined) {
    if (typeof req.expireAfterSeconds !== 'number') throw new MongoError(ErrorCodes.TypeMismatch, 'expireAfterSeconds must be a number');
    if (index.spec.expireAfterSeconds === undefined) throw new MongoError(ErrorCodes.InvalidOptions, 'no expireAfterSeconds field to update');
    reply.expireAfterSeconds_old = index.spec.expireAfterSeconds;
    reply.expireAfterSeconds_new = req.expireAfterSeconds;
    spec.expireAfterSeconds = req.expireAfterSeconds;
  }
  if (req.hidden !== undefined) {
    if (typeof req.hidden !== 'boolean') throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'collMod.index.hidden' is the wrong type, expected type 'bool'");
    if (index.isId) throw new MongoError(ErrorCodes.BadValue, 'can\'t hide _id index');
    const was = index.spec.hidden === true;
    if (was !== req.hidden) {
      reply.hidden_old = was;
      reply.hidden_new = req.hidden;
    }
    if (req.hidden) spec.hidden = true;
    else delete spec.hidden;
  }
  if (keyString(spec) === keyString(index.spec)) return { ok: 1 };
  await withJournal(ctx, (records) => {
    coll.dropIndex(index.name);
    coll.addIndex(spec);
    records.push({ t: 'dropIndex', db: ctx.db, coll: name, name: index.name }, { t: 'createIndex', db: ctx.db, coll: name, spec });
  });
  return { ...reply, ok: 1 };
}

export const ddlCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  renameCollection,
  listCollections,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  collMod,
};

export { withJournal };
