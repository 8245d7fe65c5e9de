/**
 * The one place the engine talks to mingo. Filters, updates, projections and pipelines are
 * validated here first (so unknown operators and type errors get MongoDB's codes instead of
 * mingo's silence or plain Errors), then handed to mingo on copies, never on stored documents.
 */
import type { Document } from 'bson';
import { Aggregator, Query, ProcessingMode, update as mingoUpdate, updateOne as mingoUpdateOne } from 'mingo';
import type { Options } from 'mingo/types';
import { ErrorCodes, MongoError, badValue, failedToParse, typeMismatch } from '../errors';
import { formatValue, getPath, isNumeric, isPlainObject, keyString, pathValues, typeName } from './values';
import { mingoView, restoreWide, wideToNumbers, widePaths } from './bson-numbers';

export interface MingoContext {
  /** Resolves another collection of the same database (for $lookup, $unionWith, ...). */
  resolveCollection?: (name: string) => Document[];
  collation?: Document;
  variables?: Document;
}

function options(ctx: MingoContext = {}): Partial<Options> {
  return {
    useStrictMode: true,
    scriptEnabled: false,
    processingMode: ProcessingMode.CLONE_OFF,
    ...(ctx.resolveCollection ? { collectionResolver: ctx.resolveCollection } : {}),
    ...(ctx.collation ? { collation: ctx.collation as unknown as Options['collation'] } : {}),
    ...(ctx.variables ? { variables: ctx.variables } : {}),
  };
}

/**
 * mingo throws plain Errors; at this boundary the text is all there is to go on, so its messages
 * become MongoDB codes here and nowhere else.
 */
export function mapMingoError(err: unknown, fallbackCode: number = ErrorCodes.BadValue): MongoError {
  if (err instanceof MongoError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const unknownStage = /unregistered pipeline operator (\$\w+)/i.exec(message) ?? /Unknown pipeline operator: '(\$\w+)'/.exec(message);
  if (unknownStage) return new MongoError(40324, `Unrecognized pipeline stage name: '${unknownStage[1]}'`);
  if (/inclusion and exclusion|exclusion and inclusion/i.test(message)) {
    return new MongoError(31254, `Cannot do exclusion on a field in inclusion projection (${message})`);
  }
  const unknownOp = /unknown (?:query |expression )?operator:? '?(\$\w+)/i.exec(message);
  if (unknownOp) return new MongoError(ErrorCodes.BadValue, `unknown operator: ${unknownOp[1]}`);
  return new MongoError(fallbackCode, message);
}

// ---------------------------------------------------------------------------------------------
// Filters

const LOGICAL = new Set(['$and', '$or', '$nor']);
const FIELD_OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$regex', '$options',
  '$not', '$elemMatch', '$size', '$all', '$mod', '$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear',
]);

export function validateFilter(filter: unknown, context = 'query'): void {
  if (!isPlainObject(filter)) throw badValue(`${context} filter must be an object`);
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (LOGICAL.has(key)) {
        if (!Array.isArray(value) || value.length === 0) throw badValue(`${key} must be a nonempty array`);
        for (const sub of value) {
          if (!isPlainObject(sub)) throw badValue(`$or/$and/$nor entries need to be full objects`);
          validateFilter(sub, context);
        }
      } else if (key === '$text') {
        // MongoDB needs a text index for $text; this engine never has one (see indexes.ts).
        throw new MongoError(ErrorCodes.IndexNotFound, 'text index required for $text query (text indexes are not supported by the embedded database)');
      } else if (key === '$where') {
        throw badValue('$where is not allowed: server-side JavaScript is disabled in the embedded database');
      } else if (key === '$jsonSchema') {
        throw badValue('$jsonSchema is not supported by the embedded database');
      } else if (key !== '$expr' && key !== '$comment' && key !== '$alwaysTrue' && key !== '$alwaysFalse') {
        throw badValue(
          `unknown top level operator: ${key}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
        );
      }
      continue;
    }
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) validateOperators(key, value);
  }
}

function validateOperators(field: string, ops: Document): void {
  for (const [op, arg] of Object.entries(ops)) {
    if (!op.startsWith('$')) throw badValue(`unknown operator: ${op}`);
    if (!FIELD_OPERATORS.has(op)) {
      if (op === '$near' || op === '$nearSphere' || op === '$geoWithin' || op === '$geoIntersects') {
        throw badValue(`${op} is not supported by the embedded database (no geospatial indexes)`);
      }
      throw badValue(`unknown operator: ${op}`);
    }
    if ((op === '$in' || op === '$nin' || op === '$all') && !Array.isArray(arg)) throw badValue(`${op} needs an array`);
    if (op === '$size' && !isNumeric(arg)) throw badValue(`$size needs a number`);
    if (op === '$mod' && (!Array.isArray(arg) || arg.length !== 2)) throw badValue('malformed mod, needs to be an array');
    if (op === '$elemMatch') {
      if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
      const keys = Object.keys(arg);
      if (keys.length > 0 && keys[0].startsWith('$') && !LOGICAL.has(keys[0]) && keys[0] !== '$expr') validateOperators(field, arg);
      else validateFilter(arg);
    }
    if (op === '$not') {
      if (arg instanceof RegExp) continue;
      if (!isPlainObject(arg)) throw badValue('$not needs a regex or a document');
      if (Object.keys(arg).length === 0) throw badValue('$not cannot be empty');
      validateOperators(field, arg);
    }
    if (op === '$regex' && typeof arg !== 'string' && !(arg instanceof RegExp)) throw badValue('$regex has to be a string');
  }
}

export interface CompiledFilter {
  test(doc: Document): boolean;
}

/**
 * Compiles a filter after validating it. `test` only reads the document it is given, so stored
 * documents may be tested directly without a copy.
 */
export function compileFilter(filter: Document | undefined, ctx: MingoContext = {}): CompiledFilter {
  const f = wideToNumbers(filter ?? {});
  validateFilter(f);
  if (Object.keys(f).length === 0) return { test: () => true };
  const fast = !ctx.collation ? equalityMatcher(f) : null;
  if (fast) return fast;
  let q: Query;
  try {
    q = new Query(f, options(ctx));
  } catch (err) {
    throw mapMingoError(err);
  }
  return {
    test(doc: Document): boolean {
      try {
        return q.test(mingoView(doc));
      } catch (err) {
        throw mapMingoError(err);
      }
    },
  };
}

/**
 * Values whose equality match is plain key equality: not null (which also matches missing
 * fields but not empty arrays), regexes, arrays, sub-documents or operators.
 */
function isPlainEqualityValue(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return true;
  const t = typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
  return t === 'ObjectId' || t === 'Long' || t === 'Double' || t === 'Int32';
}

/**
 * The most common filters ({_id: x}, {email: y, org: z}) match by key equality, including
 * against array elements and across numeric types; compiling a mingo query for them would cost
 * more than the whole indexed lookup.
 */
function equalityMatcher(f: Document): CompiledFilter | null {
  const conds: Array<{ path: string; key: string }> = [];
  for (const [path, value] of Object.entries(f)) {
    if (path.startsWith('$') || !isPlainEqualityValue(value)) return null;
    conds.push({ path, key: keyString(value) });
  }
  return {
    test(doc: Document): boolean {
      for (const c of conds) {
        const { values } = pathValues(doc, c.path);
        if (!values.some((v) => keyString(v) === c.key)) return false;
      }
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Projection

/** Applies a find projection to documents the caller already owns (copies). */
export function project(docs: Document[], projection: Document | undefined, filter: Document | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  try {
    // The filter is there for positional projections ($). mingo's find also filters, so a document
    // that no longer matches (findAndModify returning the new version after an update changed a
    // filtered field) must be projected on its own, never dropped.
    const withFilter = new Query(filter ?? {}, options());
    const projected = withFilter.find<Document>(docs, projection).all();
    if (projected.length === docs.length) return projected;
    const unfiltered = new Query({}, options());
    return docs.map((doc) => (withFilter.test(doc) ? withFilter : unfiltered).find<Document>([doc], projection).all()[0]!);
  } catch (err) {
    throw mapMingoError(err);
  }
}

// ---------------------------------------------------------------------------------------------
// Aggregation

export function aggregate(docs: Document[], pipeline: Document[], ctx: MingoContext): Document[] {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new MongoError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0];
    if (name === '$match') validateFilter(stage.$match);
    if (name === '$out' || name === '$merge') {
      throw new MongoError(40601, `${name} can only be the final stage in the pipeline`);
    }
    if (name === '$changeStream') {
      throw new MongoError(40573, 'The $changeStream stage is only supported on replica sets');
    }
    if (name === '$search' || name === '$geoNear' || name === '$vectorSearch') {
      throw badValue(`${name} is not supported by the embedded database`);
    }
  }
  try {
    return new Aggregator(pipeline, options(ctx)).run(docs);
  } catch (err) {
    throw mapMingoError(err, 2);
  }
}

// ---------------------------------------------------------------------------------------------
// Updates

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$addToSet', '$pull', '$pullAll',
  '$pop', '$bit', '$currentDate', '$setOnInsert',
]);

export type UpdateKind = 'modifier' | 'replacement' | 'pipeline';

/** Classifies an update document as MongoDB does: by its first field. */
export function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) return 'pipeline';
  if (!isPlainObject(u)) throw failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length > 0 && keys[0].startsWith('$')) return 'modifier';
  return 'replacement';
}

/** Checks a modifier document before touching any document, as MongoDB parses it up front. */
export function validateModifier(u: Document): void {
  const paths: string[] = [];
  for (const [op, operand] of Object.entries(u)) {
    if (!op.startsWith('$') || !UPDATE_OPERATORS.has(op)) {
      throw failedToParse(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(operand)) {
      throw failedToParse(
        `Modifiers operate on fields but we found type ${typeName(operand)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${formatValue(operand)}}`,
      );
    }
    for (const [path, arg] of Object.entries(operand)) {
      if (path === '') throw failedToParse("An empty update path is not valid.");
      if ((op === '$inc' || op === '$mul') && !isNumeric(arg)) {
        const verb = op === '$inc' ? 'increment' : 'multiply';
        throw typeMismatch(`Cannot ${verb} with non-numeric argument: {${path}: ${formatValue(arg)}}`);
      }
      paths.push(path);
      if (op === '$rename') {
        if (typeof arg !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${formatValue(arg)}`);
        paths.push(arg);
      }
    }
  }
  // Two operators touching the same path (or one a prefix of the other) conflict in MongoDB.
  const normalised = paths.map((p) => p.split('.').filter((s) => !s.startsWith('$')).join('.'));
  const sorted = [...new Set(normalised)].sort();
  if (sorted.length !== normalised.length) {
    const dup = normalised.find((p, i) => normalised.indexOf(p) !== i) ?? '';
    throw new MongoError(ErrorCodes.ConflictingUpdateOperators, `Updating the path '${dup}' would create a conflict at '${dup}'`);
  }
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].startsWith(`${sorted[i - 1]}.`)) {
      throw new MongoError(
        ErrorCodes.ConflictingUpdateOperators,
        `Updating the path '${sorted[i]}' would create a conflict at '${sorted[i - 1]}'`,
      );
    }
  }
}

function idImmutable(): MongoError {
  return new MongoError(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
}

function docIdText(doc: Document): string {
  return `{_id: ${formatValue(doc._id)}}`;
}

/** Type checks mingo skips: $inc on a string, $push onto a non-array, ... */
function checkTargets(doc: Document, u: Document): void {
  for (const [op, operand] of Object.entries(u)) {
    for (const path of Object.keys(operand as Document)) {
      if (path.includes('$')) continue;
      const current = getPath(doc, path);
      if (current === undefined || current === null) {
        if (current === null && (op === '$inc' || op === '$mul')) {
          throw typeMismatch(`Cannot apply ${op} to a value of non-numeric type. ${docIdText(doc)} has the field '${path.split('.').pop()}' of non-numeric type null`);
        }
        continue;
      }
      if ((op === '$inc' || op === '$mul') && !isNumeric(current)) {
        throw typeMismatch(
          `Cannot apply ${op} to a value of non-numeric type. ${docIdText(doc)} has the field '${path.split('.').pop()}' of non-numeric type ${typeName(current)}`,
        );
      }
      if ((op === '$push' || op === '$addToSet') && !Array.isArray(current)) {
        throw badValue(`The field '${path}' must be an array but is of type ${typeName(current)} in document ${docIdText(doc)}`);
      }
      if ((op === '$pull' || op === '$pullAll' || op === '$pop') && !Array.isArray(current)) {
        throw badValue(`Path '${path}' contains an element of non-array type '${typeName(current)}'`);
      }
    }
  }
}

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** The filter that selected the document, for the positional `$` operator. */
  query?: Document;
  /** True when building the document an upsert inserts: $setOnInsert applies. */
  inserting?: boolean;
}

/**
 * Applies an update to `doc` (a copy the caller owns) and returns the new document; `_id` may
 * not change. Returns null when nothing changed.
 */
export function applyUpdate(original: Document, u: Document | Document[], opts: UpdateOptions = {}): Document | null {
  const kind = updateKind(u);
  const before = keyString(original);
  if (kind !== 'replacement') {
    // mingo works on numbers: update a number view, then give Int64 paths their type back.
    const paths = widePaths(original);
    if (kind === 'modifier') {
      for (const [op, operand] of Object.entries(u as Document)) {
        if (!isPlainObject(operand) || op === '$unset' || op === '$rename') continue;
        for (const [path, arg] of Object.entries(operand)) {
          // int + Long is Long and int + double is double, as in MongoDB.
          if (op === '$set' || op === '$setOnInsert' || op === '$inc' || op === '$mul' || op === '$min' || op === '$max') {
            widePaths(arg, path, paths);
          }
        }
      }
    }
    const next = applyUpdateToView(wideToNumbers(original), wideToNumbers(u), kind, opts);
    if (next && paths.length > 0) restoreWide(next, paths);
    return next === null || keyString(next) === before ? null : next;
  }
  return applyUpdateToView(original, u, kind, opts);
}

function applyUpdateToView(doc: Document, u: Document | Document[], kind: UpdateKind, opts: UpdateOptions): Document | null {
  const before = keyString(doc);
  if (kind === 'replacement') {
    const repl = u as Document;
    for (const k of Object.keys(repl)) {
      if (k.startsWith('$')) {
        throw new MongoError(
          ErrorCodes.DollarPrefixedFieldName,
          `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        );
      }
    }
    if ('_id' in repl && doc._id !== undefined && keyString(repl._id) !== keyString(doc._id)) {
      throw new MongoError(
        ErrorCodes.ImmutableField,
        `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(repl._id)}`,
      );
    }
    const next: Document = doc._id !== undefined ? { _id: doc._id } : {};
    for (const [k, v] of Object.entries(repl)) if (k !== '_id') next[k] = v;
    if (doc._id === undefined && '_id' in repl) return { _id: repl._id, ...next };
    return keyString(next) === before ? null : next;
  }
  if (kind === 'pipeline') {
    const holder = [doc];
    try {
      mingoUpdateOne(holder, {}, u as never, {}, options());
    } catch (err) {
      throw mapMingoError(err, ErrorCodes.FailedToParse);
    }
    const next = holder[0];
    if (doc._id !== undefined && keyString(next._id) !== keyString(doc._id)) throw idImmutable();
    return keyString(next) === before ? null : next;
  }
  const mod = { ...(u as Document) };
  validateModifier(mod);
  const setOnInsert = mod.$setOnInsert as Document | undefined;
  delete mod.$setOnInsert;
  if (opts.inserting && setOnInsert) mod.$set = { ...((mod.$set as Document | undefined) ?? {}), ...setOnInsert };
  // mingo refuses any operator on _id, even setting the same value: check it here instead.
  for (const [op, operand] of Object.entries(mod)) {
    const o = { ...(operand as Document) };
    for (const path of Object.keys(o)) {
      if (path === '_id' || path.startsWith('_id.')) {
        const sameValue = op === '$set' && path === '_id' && (doc._id === undefined || keyString(o[path]) === keyString(doc._id));
        if (!sameValue && !(opts.inserting && doc._id === undefined)) throw idImmutable();
        if (doc._id === undefined && path === '_id') doc._id = o[path];
        delete o[path];
      }
    }
    mod[op] = o;
  }
  checkTargets(doc, mod);
  const ops = Object.fromEntries(Object.entries(mod).filter(([, o]) => Object.keys(o as Document).length > 0));
  if (Object.keys(ops).length === 0) return keyString(doc) === before ? null : doc;
  try {
    mingoUpdate(doc, ops, opts.arrayFilters, opts.query, { cloneMode: 'deep', queryOptions: options() });
  } catch (err) {
    throw mapMingoError(err, ErrorCodes.BadValue);
  }
  return keyString(doc) === before ? null : doc;
}
