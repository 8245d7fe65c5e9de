/**
 * The two aggregation stages that write: $out replaces a collection with the pipeline's result
 * (keeping the target's indexes, all or nothing) and $merge folds the result into a collection
 * document by document. mingo cannot write, so the server does both here.
 */
import type { Document } from 'bson';
import type { JournalRecord } from '../storage/types';
import { ErrorCodes, MongoError, badValue } from '../errors';
import { Collection } from '../engine/collection';
import { validateCollectionName, validateDbName } from '../engine/catalog';
import { cloneDocument, formatValue, isPlainObject, keyString, pathValues } from '../engine/values';
import { BSON } from 'bson';
import type { CommandContext } from './context';

function target(spec: unknown, ctx: CommandContext, stage: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: ctx.db, coll: spec };
  if (isPlainObject(spec)) {
    const db = typeof spec.db === 'string' ? spec.db : ctx.db;
    const coll = spec.coll;
    if (typeof coll === 'string') return { db, coll };
  }
  throw badValue(`${stage} requires a collection name or {db, coll}`);
}

function withId(doc: Document): Document {
  if (doc._id !== undefined) return doc;
  return { _id: new BSON.ObjectId(), ...doc };
}

export async function outInto(ctx: CommandContext, spec: unknown, docs: Document[]): Promise<void> {
  const { db, coll: name } = target(spec, ctx, '$out');
  validateDbName(db);
  validateCollectionName(db, name);
  const catalog = ctx.engine.catalog;
  const existing = catalog.get(db, name);
  // Build the replacement aside, so a duplicate _id leaves the old collection untouched.
  const next = new Collection(db, name, existing?.options ?? {});
  for (const spec2 of existing?.indexSpecs() ?? []) if (spec2.name !== '_id_') next.addIndex(spec2);
  for (const doc of docs) next.insert(cloneDocument(withId(doc)));
  const records: JournalRecord[] = [];
  catalog.drop(db, name, records);
  catalog.create(db, name, next.options, records);
  const created = catalog.get(db, name) as Collection;
  for (const s of next.indexSpecs()) {
    if (s.name === '_id_') continue;
    created.addIndex(s);
    records.push({ t: 'createIndex', db, coll: name, spec: s });
  }
  for (const doc of next.docs.values()) {
    created.insert(doc);
    records.push({ t: 'put', db, coll: name, doc });
  }
  await ctx.engine.commit(records);
}

export async function mergeInto(ctx: CommandContext, spec: unknown, docs: Document[]): Promise<void> {
  const m: Document = typeof spec === 'string' ? { into: spec } : isPlainObject(spec) ? spec : {};
  const { db, coll: name } = target(m.into, ctx, '$merge');
  const on = m.on === undefined ? ['_id'] : typeof m.on === 'string' ? [m.on] : Array.isArray(m.on) ? (m.on as string[]) : null;
  if (!on) throw badValue("$merge 'on' must be a string or an array of strings");
  const whenMatched = m.whenMatched ?? 'merge';
  const whenNotMatched = m.whenNotMatched ?? 'insert';
  if (typeof whenMatched !== 'string') throw badValue('$merge with a pipeline for whenMatched is not supported by the embedded database');
  const records: JournalRecord[] = [];
  try {
    const { coll } = ctx.engine.catalog.ensure(db, name, records);
    const onKey = (d: Document): string => keyString(on.map((f) => pathValues(d, f).values[0] ?? null));
    if (on.join() !== '_id') {
      const hasUnique = [...coll.indexes.values()].some((i) => i.unique && i.fields.length === on.length && i.fields.every((f) => on.includes(f.path)));
      if (!hasUnique) throw new MongoError(51183, "Cannot find index to verify that join fields will be unique");
    }
    const byOn = new Map<string, Document>();
    if (on.join() !== '_id') for (const d of coll.docs.values()) byOn.set(onKey(d), d);
    for (const raw of docs) {
      const doc = cloneDocument(withId(raw));
      const existing = on.join() === '_id' ? coll.getById(doc._id) : byOn.get(onKey(doc));
      if (!existing) {
        if (whenNotMatched === 'discard') continue;
        if (whenNotMatched === 'fail') throw new MongoError(13113, "$merge could not find a matching document in the target collection for at least one document in the source collection");
        coll.insert(doc);
        records.push({ t: 'put', db, coll: name, doc });
        continue;
      }
      let next: Document;
      switch (whenMatched) {
        case 'keepExisting':
          continue;
        case 'fail': {
          const keyPattern: Document = {};
          const keyValue: Document = {};
          for (const f of on) {
            keyPattern[f] = 1;
            keyValue[f] = pathValues(doc, f).values[0] ?? null;
          }
          const shown = on.map((f) => `${f}: ${formatValue(keyValue[f])}`).join(', ');
          throw new MongoError(ErrorCodes.DuplicateKey, `E11000 duplicate key error collection: ${db}.${name} index: ${on.join() === '_id' ? '_id_' : on.map((f) => `${f}_1`).join('_')} dup key: { ${shown} }`, { keyPattern, keyValue });
        }
        case 'replace':
          next = { ...doc, _id: existing._id };
          break;
        case 'merge':
          next = { ...cloneDocument(existing), ...doc, _id: existing._id };
          break;
        default:
          throw badValue(`Enumeration value '${whenMatched}' for field 'whenMatched' is not a valid value.`);
      }
      coll.replace(existing, next);
      records.push({ t: 'put', db, coll: name, doc: next });
    }
  } finally {
    await ctx.engine.commit(records);
  }
}
