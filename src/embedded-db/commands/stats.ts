/**
 * dbStats and collStats. Sizes are the BSON sizes of the documents (computed on demand: stats
 * are rare, writes are not), and index sizes an estimate from their entry counts.
 */
import { BSON, type Document } from 'bson';
import type { Engine } from '../engine/engine';
import type { Collection } from '../engine/collection';
import { collectionArg, optionalInt, type CommandContext, type CommandHandler } from './context';

/** Two array slots per entry (key and document id; see engine/sorted-entries.ts). */
const BYTES_PER_INDEX_ENTRY = 16;

function collectionSize(coll: Collection): number {
  let size = 0;
  for (const doc of coll.docs.values()) size += BSON.calculateObjectSize(doc);
  return size;
}

function indexSizes(coll: Collection): Document {
  const out: Document = {};
  for (const index of coll.indexes.values()) out[index.name] = index.entryCount * BYTES_PER_INDEX_ENTRY;
  return out;
}

export function databaseSize(engine: Engine, db: string): number {
  let size = 0;
  for (const coll of engine.catalog.collections(db)) size += collectionSize(coll);
  return size;
}

function dbStats(cmd: Document, ctx: CommandContext): Document {
  const scale = optionalInt(cmd, 'scale', 'dbStats') ?? 1;
  const colls = ctx.engine.catalog.collections(ctx.db);
  let objects = 0;
  let dataSize = 0;
  let indexes = 0;
  let indexSize = 0;
  for (const coll of colls) {
    objects += coll.docs.size;
    dataSize += collectionSize(coll);
    indexes += coll.indexes.size;
    for (const s of Object.values(indexSizes(coll))) indexSize += s as number;
  }
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects > 0 ? dataSize / objects : 0,
    dataSize: dataSize / scale,
    storageSize: dataSize / scale,
    indexes,
    indexSize: indexSize / scale,
    totalSize: (dataSize + indexSize) / scale,
    scaleFactor: scale,
    fsUsedSize: 0,
    fsTotalSize: 0,
    ok: 1,
  };
}

function collStats(cmd: Document, ctx: CommandContext): Document {
  const name = collectionArg(cmd, 'collStats');
  const scale = optionalInt(cmd, 'scale', 'collStats') ?? 1;
  const coll = ctx.engine.catalog.get(ctx.db, name);
  const size = coll ? collectionSize(coll) : 0;
  const sizes = coll ? indexSizes(coll) : {};
  const totalIndexSize = Object.values(sizes).reduce((a: number, b) => a + (b as number), 0);
  const count = coll?.docs.size ?? 0;
  return {
    ns: `${ctx.db}.${name}`,
    size: size / scale,
    count,
    avgObjSize: count > 0 ? Math.floor(size / count) : 0,
    storageSize: size / scale,
    freeStorageSize: 0,
    capped: false,
    nindexes: coll?.indexes.size ?? 0,
    indexBuilds: [],
    totalIndexSize: totalIndexSize / scale,
    totalSize: (size + totalIndexSize) / scale,
    indexSizes: sizes,
    scaleFactor: scale,
    ok: 1,
  };
}

export const statsCommands: Record<string, CommandHandler> = { dbStats, dbstats: dbStats, collStats, collstats: collStats };
