/**
 * Read commands: find, getMore, killCursors, count, distinct, aggregate (with $out and $merge
 * performed here, since mingo cannot write) and explain for find, count and aggregate.
 */
import { BSON, type Document } from 'bson';
import { createHash } from 'node:crypto';
import { ErrorCodes, MongoError, badValue } from '../errors';
import { aggregate as runPipeline, compileFilter, validateFilter } from '../engine/mingo-bridge';
import { explainPlan, planQuery } from '../engine/planner';
import { intlCollation, materialise, refuseMatchingCollation, selectDocuments, validateSort, type Selection } from '../engine/query';
import { cloneDocument, isNumeric, isPlainObject, keyString, pathValues, toNumber } from '../engine/values';
import { cursorReply } from '../cursors';
import { wideToNumbers } from '../engine/bson-numbers';
import { registerOrigin } from '../engine/mingo-ops';
import { SERVER_VERSION } from './admin';
import { mergeInto, outInto } from './out';
import {
  collectionArg,
  nonNegative,
  optionalArray,
  optionalDocument,
  optionalInt,
  truthy,
  type CommandContext,
  type CommandHandler,
} from './context';

interface FindArgs {
  coll: string;
  filter: Document;
  sort?: Document;
  projection?: Document;
  skip?: number;
  limit?: number;
  batchSize?: number;
  singleBatch: boolean;
  hint?: unknown;
  collation?: Document;
  variables?: Document;
}

function parseFind(cmd: Document): FindArgs {
  const coll = collectionArg(cmd, 'find');
  for (const unsupported of ['tailable', 'awaitData']) {
    if (truthy(cmd[unsupported])) throw new MongoError(ErrorCodes.BadValue, `${unsupported} cursors are not supported by the embedded database`);
  }
  let limit = optionalInt(cmd, 'limit', 'find');
  let singleBatch = truthy(cmd.singleBatch);
  if (limit !== undefined && limit < 0) {
    // The legacy negative limit means "this many, in one batch".
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = nonNegative(optionalInt(cmd, 'batchSize', 'find'), 'batchSize');
  return {
    coll,
    filter: optionalDocument(cmd, 'filter', 'find') ?? {},
    sort: validateSort(optionalDocument(cmd, 'sort', 'find')),
    projection: optionalDocument(cmd, 'projection', 'find'),
    skip: nonNegative(optionalInt(cmd, 'skip', 'find'), 'skip'),
    limit: limit === 0 ? undefined : limit,
    batchSize,
    singleBatch,
    hint: cmd.hint,
    collation: optionalDocument(cmd, 'collation', 'find'),
    variables: optionalDocument(cmd, 'let', 'find'),
  };
}

function find(cmd: Document, ctx: CommandContext): Document {
  ctx.engine.counters.query++;
  const args = parseFind(cmd);
  const coll = ctx.engine.catalog.get(ctx.db, args.coll);
  const sel = selectDocuments(coll, args.filter, args);
  const docs = materialise(sel.docs, args.projection, args.filter);
  const ns = `${ctx.db}.${args.coll}`;
  let batchSize = args.batchSize;
  if (args.limit !== undefined && (batchSize === undefined || batchSize > args.limit)) batchSize = args.limit;
  return cursorReply(ns, ctx.engine.cursors.first(ns, docs, batchSize, args.singleBatch), 'firstBatch');
}

function cursorIdArg(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Long') return (v as BSON.Long).toBigInt();
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new MongoError(ErrorCodes.TypeMismatch, `Field 'getMore' must be of type long`);
}

function getMore(cmd: Document, ctx: CommandContext): Document {
  ctx.engine.counters.getmore++;
  const id = cursorIdArg(cmd.getMore);
  if (typeof cmd.collection !== 'string') throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'getMore.collection' is missing or not a string");
  const ns = `${ctx.db}.${cmd.collection}`;
  const batchSize = nonNegative(optionalInt(cmd, 'batchSize', 'getMore'), 'batchSize');
  return cursorReply(ns, ctx.engine.cursors.more(id, ns, batchSize), 'nextBatch');
}

function killCursors(cmd: Document, ctx: CommandContext): Document {
  collectionArg(cmd, 'killCursors');
  const ids = optionalArray(cmd, 'cursors', 'killCursors') ?? [];
  const killed: BSON.Long[] = [];
  const notFound: BSON.Long[] = [];
  for (const raw of ids) {
    const id = cursorIdArg(raw);
    (ctx.engine.cursors.kill(id) ? killed : notFound).push(BSON.Long.fromBigInt(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

function count(cmd: Document, ctx: CommandContext): Document {
  ctx.engine.counters.command++;
  const name = collectionArg(cmd, 'count');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  const query = optionalDocument(cmd, 'query', 'count') ?? {};
  const skip = nonNegative(optionalInt(cmd, 'skip', 'count'), 'skip') ?? 0;
  const limit = Math.abs(optionalInt(cmd, 'limit', 'count') ?? 0);
  if (!coll) return { n: 0, ok: 1 };
  if (Object.keys(query).length === 0) {
    validateFilter(query);
    const total = Math.max(0, coll.docs.size - skip);
    return { n: limit > 0 ? Math.min(limit, total) : total, ok: 1 };
  }
  const sel = selectDocuments(coll, query, { skip, limit, hint: cmd.hint, collation: optionalDocument(cmd, 'collation', 'count') });
  return { n: sel.docs.length, ok: 1 };
}

function distinct(cmd: Document, ctx: CommandContext): Document {
  ctx.engine.counters.command++;
  const name = collectionArg(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'distinct.key' is missing or not a string");
  if (cmd.key.length === 0) throw badValue('FieldPath cannot be constructed with empty string');
  const coll = ctx.engine.catalog.get(ctx.db, name);
  const query = optionalDocument(cmd, 'query', 'distinct') ?? {};
  const collation = optionalDocument(cmd, 'collation', 'distinct');
  // The values themselves would have to be compared under the collation: refused like find.
  refuseMatchingCollation(collation, 'distinct');
  const sel = selectDocuments(coll, query, { collation, hint: cmd.hint });
  const seen = new Map<string, unknown>();
  for (const doc of sel.docs) {
    for (const v of pathValues(doc, cmd.key).values) {
      if (v === undefined) continue;
      const k = keyString(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  const values = cloneDocument({ v: [...seen.values()] }).v as unknown[];
  return { values, ok: 1 };
}

// ---------------------------------------------------------------------------------------------
// Aggregation

interface Pushdown {
  filter: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  /** Number of leading stages answered by the query layer. */
  consumed: number;
}

/** Leading $match / $sort / $skip / $limit stages run through the planner (and its indexes). */
function pushdown(pipeline: Document[]): Pushdown {
  const p: Pushdown = { filter: {}, consumed: 0 };
  let i = 0;
  if (isPlainObject(pipeline[i]?.$match)) {
    p.filter = pipeline[i].$match as Document;
    i++;
  }
  if (isPlainObject(pipeline[i]?.$sort)) {
    p.sort = validateSort(pipeline[i].$sort);
    i++;
  }
  if (isNumeric(pipeline[i]?.$skip) && toNumber(pipeline[i].$skip) >= 0) {
    p.skip = toNumber(pipeline[i].$skip);
    i++;
  }
  if (isNumeric(pipeline[i]?.$limit) && toNumber(pipeline[i].$limit) > 0) {
    p.limit = toNumber(pipeline[i].$limit);
    i++;
  }
  p.consumed = i;
  return p;
}

function resolverFor(ctx: CommandContext): (name: string) => Document[] {
  return (name) => {
    const coll = ctx.engine.catalog.get(ctx.db, name);
    return coll ? [...coll.docs.values()].map((d) => wideToNumbers(cloneDocument(d))) : [];
  };
}

function parseAggregate(cmd: Document): { name: string | null; pipeline: Document[] } {
  const target = cmd.aggregate;
  const name = target === 1 || (isNumeric(target) && toNumber(target) === 1) ? null : collectionArg(cmd, 'aggregate');
  if (!Array.isArray(cmd.pipeline)) throw new MongoError(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
  for (const stage of cmd.pipeline) {
    if (!isPlainObject(stage)) throw new MongoError(ErrorCodes.TypeMismatch, 'Each element of the \'pipeline\' array must be an object');
  }
  return { name, pipeline: cmd.pipeline as Document[] };
}

async function aggregate(cmd: Document, ctx: CommandContext): Promise<Document> {
  ctx.engine.counters.command++;
  const { name, pipeline } = parseAggregate(cmd);
  if (truthy(cmd.explain)) return explainAggregate(cmd, ctx);
  if (!isPlainObject(cmd.cursor)) {
    throw new MongoError(ErrorCodes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const batchSize = nonNegative(optionalInt(cmd.cursor, 'batchSize', 'aggregate.cursor'), 'batchSize');
  const last = pipeline[pipeline.length - 1];
  const writeStage = last && (last.$out !== undefined || last.$merge !== undefined) ? last : undefined;
  const stages = writeStage ? pipeline.slice(0, -1) : pipeline;
  const coll = name === null ? undefined : ctx.engine.catalog.get(ctx.db, name);
  const collation = optionalDocument(cmd, 'collation', 'aggregate');
  const variables = optionalDocument(cmd, 'let', 'aggregate');
  let input: Document[];
  let rest = stages;
  if (name === null) {
    input = [];
    if (stages[0] && stages[0].$listLocalSessions !== undefined) {
      input = listLocalSessions(stages[0].$listLocalSessions, ctx);
      rest = stages.slice(1);
    }
  } else {
    if (stages.some((s) => s.$listLocalSessions !== undefined)) {
      throw new MongoError(ErrorCodes.InvalidNamespace, '$listLocalSessions must be run against the database with {aggregate: 1}');
    }
    const p = pushdown(stages);
    const sel = selectDocuments(coll, p.filter, { sort: p.sort, skip: p.skip, limit: p.limit, collation, hint: cmd.hint, variables });
    input = sel.docs.map((d) => {
      const view = wideToNumbers(cloneDocument(d));
      registerOrigin(view, d);
      return view;
    });
    rest = stages.slice(p.consumed);
  }
  const pipelineCollation = intlCollation(collation);
  let out = rest.length > 0 ? runPipeline(input, rest, { resolveCollection: resolverFor(ctx), collation: pipelineCollation, variables }) : input;
  if (writeStage) {
    if (writeStage.$out !== undefined) await outInto(ctx, writeStage.$out, out);
    else await mergeInto(ctx, writeStage.$merge, out);
    out = [];
  }
  // Results may share sub-objects (a $lookup joins the same document twice): copy on the way out.
  const docs = rest.length > 0 ? out.map(cloneDocument) : out;
  const ns = `${ctx.db}.${name ?? '$cmd.aggregate'}`;
  return cursorReply(ns, ctx.engine.cursors.first(ns, docs, batchSize), 'firstBatch');
}

/**
 * The sessions this server has seen, as $listLocalSessions lists them: {_id: {id, uid}, lastUse}.
 * Without authentication every session belongs to the same (empty) user.
 */
function listLocalSessions(spec: unknown, ctx: CommandContext): Document[] {
  if (!isPlainObject(spec)) throw new MongoError(ErrorCodes.TypeMismatch, '$listLocalSessions must take an object');
  for (const key of Object.keys(spec)) {
    if (key !== 'allUsers' && key !== 'users') throw new MongoError(40415, `BSON field '$listLocalSessions.${key}' is an unknown field.`);
  }
  const uid = new BSON.Binary(createHash('sha256').update('').digest(), 0);
  return [...ctx.engine.sessions.values()].map((s) => ({ _id: { id: s.id, uid }, lastUse: s.lastUse }));
}

// ---------------------------------------------------------------------------------------------
// Explain

function serverInfo(): Document {
  return { host: 'localhost', port: 27017, version: SERVER_VERSION, gitVersion: 'embedded' };
}

function executionStats(sel: Selection, nReturned: number, executionStages: Document): Document {
  return {
    executionSuccess: true,
    nReturned,
    executionTimeMillis: 0,
    totalKeysExamined: sel.stats.keysExamined,
    totalDocsExamined: sel.stats.docsExamined,
    executionStages,
  };
}

function explainFind(inner: Document, verbosity: string, ctx: CommandContext): Document {
  const args = parseFind(inner);
  const coll = ctx.engine.catalog.get(ctx.db, args.coll);
  compileFilter(args.filter);
  const plan = planQuery(coll, args.filter, args.collation ? undefined : args.sort, args.hint);
  const winningPlan = explainPlan(plan, args.filter, args);
  const reply: Document = {
    explainVersion: '1',
    queryPlanner: {
      namespace: `${ctx.db}.${args.coll}`,
      indexFilterSet: false,
      parsedQuery: args.filter,
      maxIndexedOrSolutionsReached: false,
      maxIndexedAndSolutionsReached: false,
      maxScansToExplodeReached: false,
      winningPlan,
      rejectedPlans: [],
    },
  };
  if (verbosity !== 'queryPlanner') {
    const sel = selectDocuments(coll, args.filter, args);
    reply.executionStats = executionStats(sel, sel.docs.length, winningPlan);
  }
  return { ...reply, command: inner, serverInfo: serverInfo(), ok: 1 };
}

function explainCount(inner: Document, verbosity: string, ctx: CommandContext): Document {
  const name = collectionArg(inner, 'count');
  const query = optionalDocument(inner, 'query', 'count') ?? {};
  const coll = ctx.engine.catalog.get(ctx.db, name);
  const plan = planQuery(coll, query, undefined, inner.hint);
  const winningPlan = { stage: 'COUNT', inputStage: explainPlan(plan, query, {}) };
  const reply: Document = {
    explainVersion: '1',
    queryPlanner: { namespace: `${ctx.db}.${name}`, parsedQuery: query, winningPlan, rejectedPlans: [] },
  };
  if (verbosity !== 'queryPlanner') {
    const sel = selectDocuments(coll, query, {});
    reply.executionStats = executionStats(sel, 0, winningPlan);
  }
  return { ...reply, command: inner, serverInfo: serverInfo(), ok: 1 };
}

function explainAggregate(inner: Document, ctx: CommandContext, verbosity = 'queryPlanner'): Document {
  const { name, pipeline } = parseAggregate(inner);
  const coll = name === null ? undefined : ctx.engine.catalog.get(ctx.db, name);
  const p = pushdown(pipeline);
  compileFilter(p.filter);
  const plan = planQuery(coll, p.filter, p.sort, inner.hint);
  const winningPlan = explainPlan(plan, p.filter, p);
  const queryPlanner: Document = {
    namespace: `${ctx.db}.${name ?? '$cmd.aggregate'}`,
    parsedQuery: p.filter,
    winningPlan,
    rejectedPlans: [],
  };
  const rest = pipeline.slice(p.consumed);
  const base: Document = { explainVersion: '1' };
  if (verbosity !== 'queryPlanner') {
    const sel = selectDocuments(coll, p.filter, p);
    base.executionStats = executionStats(sel, sel.docs.length, winningPlan);
  }
  // As MongoDB reports it: a pipeline answered entirely by the query layer has a top-level
  // queryPlanner; otherwise the query layer is the $cursor stage followed by the other stages.
  if (rest.length === 0) return { ...base, queryPlanner, command: inner, serverInfo: serverInfo(), ok: 1 };
  const cursorStage: Document = { $cursor: { queryPlanner, ...(base.executionStats ? { executionStats: base.executionStats } : {}) } };
  return { explainVersion: '1', stages: [cursorStage, ...rest], command: inner, serverInfo: serverInfo(), ok: 1 };
}

function explain(cmd: Document, ctx: CommandContext): Document {
  const inner = cmd.explain;
  if (!isPlainObject(inner)) throw new MongoError(ErrorCodes.TypeMismatch, "BSON field 'explain.explain' is the wrong type, expected type 'object'");
  const verbosity = typeof cmd.verbosity === 'string' ? cmd.verbosity : 'allPlansExecution';
  if (!['queryPlanner', 'executionStats', 'allPlansExecution'].includes(verbosity)) {
    throw badValue(`verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}`);
  }
  const innerCtx: CommandContext = typeof inner.$db === 'string' ? { ...ctx, db: inner.$db } : ctx;
  const name = Object.keys(inner)[0];
  switch (name) {
    case 'find':
      return explainFind(inner, verbosity, innerCtx);
    case 'aggregate':
      return explainAggregate(inner, innerCtx, verbosity);
    case 'count':
      return explainCount(inner, verbosity, innerCtx);
    default:
      throw new MongoError(ErrorCodes.CommandNotSupported, `explain is supported for find, count and aggregate on the embedded database, not for '${name}'`);
  }
}

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
  explain,
};
