/**
 * The query language's front door for the commands: filters (the engine's matcher), find
 * projections, updates (the engine's update operators; pipeline updates and aggregation run in
 * mingo with the engine's operator overrides, on copies, never on stored documents) and the
 * mapping of mingo's plain Errors to MongoDB codes.
 */
import { BSON, type Document } from 'bson';
import { ProcessingMode } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import type { Options } from 'mingo/types';
import { ErrorCodes, MongoError, badValue, failedToParse } from '../errors';
import { MAX_BSON_SIZE } from '../wire';
import { cloneDocument, formatValue, isPlainObject, keyString, setOwn, typeName } from './values';
import { restoreWide, wideToNumbers, widePaths } from './bson-numbers';
import { compileMatcher, type Matcher } from './matcher';
import { mingoContext } from './mingo-ops';
import { applyProjection, compileProjection, isSimpleProjection } from './projection';
import { applyModifier, validateModifier } from './updater';

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export interface MingoContext {
  /** Resolves another collection of the same database (for $lookup, $unionWith, ...). */
  resolveCollection?: (name: string) => Document[];
  collation?: Document;
  variables?: Document;
  compareStrings?: (a: string, b: string) => number;
}

function options(ctx: MingoContext = {}): Partial<Options> {
  return {
    useStrictMode: true,
    scriptEnabled: false,
    processingMode: ProcessingMode.CLONE_OFF,
    context: mingoContext(),
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
  if (/divide by zero/.test(message)) return new MongoError(16608, "can't $divide by zero");
  const unknownOp = /unknown (?:query |expression )?operator:? '?(\$\w+)/i.exec(message);
  if (unknownOp) return new MongoError(ErrorCodes.BadValue, `unknown operator: ${unknownOp[1]}`);
  return new MongoError(fallbackCode, message);
}

// ---------------------------------------------------------------------------------------------
// Filters: the engine's own matcher (matcher.ts).

export function validateFilter(filter: unknown): void {
  if (!isPlainObject(filter)) throw badValue('query filter must be an object');
  compileMatcher(filter);
}

export type CompiledFilter = Matcher;

/** Compiles a filter after validating it; `test` only reads the document it is given. */
export function compileFilter(filter: Document | undefined, ctx: MingoContext = {}): Matcher {
  return compileMatcher(filter ?? {}, {
    ...(ctx.variables ? { variables: ctx.variables } : {}),
    ...(ctx.collation ? { collation: ctx.collation } : {}),
    ...(ctx.compareStrings ? { compareStrings: ctx.compareStrings } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Projection

/** Applies a find projection to documents the caller already owns (copies). */
export function project(docs: Document[], projection: Document | undefined, filter: Document | undefined, ctx: MingoContext = {}): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  for (const v of Object.values(projection)) {
    if (isPlainObject(v) && v.$meta !== undefined) {
      throw badValue(`$meta '${String(v.$meta)}' is not supported by the embedded database (no text, geo or search scores)`);
    }
  }
  if (isSimpleProjection(projection)) {
    const compiled = compileProjection(projection);
    const matcher = compiled.positional ? compileFilter(filter, ctx) : null;
    return docs.map((doc) => applyProjection(doc, compiled, matcher ? matcher.position(doc).pos : undefined));
  }
  // Aggregation expressions in a find projection: mingo's $project, on a number view.
  try {
    return new Aggregator([{ $project: projection }], options(ctx)).run(docs.map((d) => wideToNumbers(d)));
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
// Updates: modifiers by the engine's updater (updater.ts); pipelines by mingo's stages.

export type UpdateKind = 'modifier' | 'replacement' | 'pipeline';

/** Classifies an update document as MongoDB does: by its first field. */
export function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) return 'pipeline';
  if (!isPlainObject(u)) throw failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length > 0 && keys[0].startsWith('$')) return 'modifier';
  return 'replacement';
}

export { validateModifier };

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** The filter that selected the document, for the positional `$` operator. */
  query?: Document;
  /** True when building the document an upsert inserts: $setOnInsert applies. */
  inserting?: boolean;
  /** Top-level `let` variables. */
  variables?: Document;
}

function idImmutable(): MongoError {
  return new MongoError(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
}

const PIPELINE_UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

function applyPipelineUpdate(doc: Document, pipeline: Document[], opts: UpdateOptions): Document {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new MongoError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0];
    if (!PIPELINE_UPDATE_STAGES.has(name)) {
      throw new MongoError(ErrorCodes.InvalidOptions, `${name} is not allowed to be used within an update`);
    }
  }
  const wide = widePaths(doc);
  let out: Document[];
  try {
    out = new Aggregator(pipeline, options({ variables: opts.variables })).run([wideToNumbers(cloneDocument(doc))]);
  } catch (err) {
    throw mapMingoError(err, ErrorCodes.FailedToParse);
  }
  const result = out[0];
  if (!isPlainObject(result)) throw badValue('the update pipeline did not produce a document');
  // A pipeline whose result lacks _id keeps the document's own, first.
  let next: Document = result;
  if (!hasOwn(result, '_id') && doc._id !== undefined) {
    next = { _id: doc._id };
    for (const k of Object.keys(result)) setOwn(next, k, result[k]);
  }
  restoreWide(next, wide.filter((w) => w.path !== '_id'));
  if (doc._id !== undefined && keyString(next._id) !== keyString(doc._id)) throw idImmutable();
  return next;
}

function applyReplacement(doc: Document, repl: Document): Document {
  for (const k of Object.keys(repl)) {
    if (k.startsWith('$')) {
      throw new MongoError(
        ErrorCodes.DollarPrefixedFieldName,
        `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    }
  }
  if (hasOwn(repl, '_id') && doc._id !== undefined && keyString(repl._id) !== keyString(doc._id)) {
    throw new MongoError(
      ErrorCodes.ImmutableField,
      `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${formatValue(repl._id)}`,
    );
  }
  const next: Document = {};
  if (doc._id !== undefined) next._id = doc._id;
  else if (hasOwn(repl, '_id')) next._id = repl._id;
  for (const k of Object.keys(repl)) if (k !== '_id') setOwn(next, k, repl[k]);
  return next;
}

function needsPosition(u: Document): boolean {
  for (const operand of Object.values(u)) {
    if (!isPlainObject(operand)) continue;
    for (const path of Object.keys(operand)) if (path.split('.').includes('$')) return true;
  }
  return false;
}

/**
 * Applies an update to `doc` (a copy the caller owns) and returns the new document; `_id` may
 * not change. Returns null when nothing changed (byte for byte: a type or subtype change, or a
 * new field order, is a change, as in MongoDB).
 */
export function applyUpdate(original: Document, u: Document | Document[], opts: UpdateOptions = {}): Document | null {
  const kind = updateKind(u);
  const before = BSON.serialize(original);
  let next: Document;
  if (kind === 'replacement') next = applyReplacement(original, u as Document);
  else if (kind === 'pipeline') next = applyPipelineUpdate(original, u as Document[], opts);
  else {
    const mod = u as Document;
    validateModifier(mod, opts.inserting === true);
    const position = needsPosition(mod) && opts.query ? compileMatcher(opts.query, opts.variables ? { variables: opts.variables } : {}).position(original).pos : undefined;
    const idBefore = original._id;
    const hadId = idBefore !== undefined;
    applyModifier(original, mod, { arrayFilters: opts.arrayFilters, position, inserting: opts.inserting });
    next = original;
    if (hadId && (original._id === undefined || keyString(original._id) !== keyString(idBefore) || typeName(original._id) !== typeName(idBefore))) {
      throw idImmutable();
    }
  }
  if (BSON.calculateObjectSize(next) > MAX_BSON_SIZE) {
    throw new MongoError(17419, `Resulting document after update is larger than ${MAX_BSON_SIZE}`);
  }
  const after = BSON.serialize(next);
  return Buffer.compare(before, after) === 0 ? null : next;
}
