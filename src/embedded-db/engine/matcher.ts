/**
 * The query matcher: compiles a MongoDB filter into a predicate over stored documents (BSON
 * wrappers included: Long, Double, Decimal128, Binary), with MongoDB's semantics for dotted paths
 * through arrays, null versus missing, type bracketing of comparisons, exact numeric comparison
 * across int / long / double / decimal, `$type` names and codes, DBRef fields (`$ref`, `$id`,
 * `$db`), and the array position the positional `$` operator refers to. Only `$expr` is handed to
 * mingo (on a number view of the document).
 */
import type { Document } from 'bson';
import { ProcessingMode } from 'mingo';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { ErrorCodes, MongoError, badValue } from '../errors';
import { isDecimal128 } from './decimal';
import { mingoView } from './bson-numbers';
import { compareValues, isNumeric, isPlainObject, toNumber, typeName, typeRank } from './values';
import { mingoContext, overridePipelineOperator } from './mingo-ops';

export const MISSING: unique symbol = Symbol('missing');

/** One value a path reaches: `elem` marks an element of an array at the end of the path. */
interface Cand {
  v: unknown;
  /** Index in the outermost array crossed on the way (for the positional `$` operator). */
  pos: number | undefined;
  elem: boolean;
}

interface MatchState {
  pos: number | undefined;
}

type DocPred = (doc: unknown, st: MatchState) => boolean;
type CandTest = (cands: Cand[], st: MatchState) => boolean;

export interface MatcherOptions {
  /** Variables for `$expr` (`let`). */
  variables?: Document;
  /** String comparison for range operators under a collation. */
  compareStrings?: (a: string, b: string) => number;
  collation?: Document;
}

export interface Matcher {
  test(doc: Document): boolean;
  /** The array index the positional `$` refers to, when the document matches through an array. */
  position(doc: Document): { matched: boolean; pos: number | undefined };
}

const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);
const LOGICAL = new Set(['$and', '$or', '$nor']);

function isOperatorKey(k: string): boolean {
  return k.startsWith('$') && !DBREF_FIELDS.has(k);
}

/** A field's condition is an operator document when its first key is an operator. */
export function isOperatorObject(v: unknown): v is Document {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && isOperatorKey(keys[0]);
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Every value `parts` reaches in `value`, expanding arrays as MongoDB's matcher does. */
export function candidates(value: unknown, parts: string[]): Cand[] {
  const out: Cand[] = [];
  walk(value, parts, 0, undefined, out);
  return out;
}

function walk(value: unknown, parts: string[], i: number, pos: number | undefined, out: Cand[]): void {
  if (i === parts.length) {
    out.push({ v: value, pos, elem: false });
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) out.push({ v: value[j], pos: pos ?? j, elem: true });
    }
    return;
  }
  if (Array.isArray(value)) {
    const before = out.length;
    const part = parts[i];
    if (/^\d+$/.test(part)) {
      const idx = Number(part);
      if (idx < value.length) walk(value[idx], parts, i + 1, pos ?? idx, out);
    }
    for (let j = 0; j < value.length; j++) {
      const e = value[j];
      if (isPlainObject(e)) walk(e, parts, i, pos ?? j, out);
    }
    if (out.length === before) out.push({ v: MISSING, pos, elem: false });
    return;
  }
  if (isPlainObject(value)) {
    const part = parts[i];
    walk(hasOwn(value, part) ? value[part] : MISSING, parts, i + 1, pos, out);
    return;
  }
  out.push({ v: MISSING, pos, elem: false });
}

// ---------------------------------------------------------------------------------------------
// Value tests

function bsonTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
}

function isNullish(v: unknown): boolean {
  return v === MISSING || v === null || v === undefined || bsonTypeOf(v) === 'BSONUndefined';
}

function isNaNValue(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (isDecimal128(v)) return v.toString() === 'NaN';
  return isNumeric(v) && Number.isNaN(toNumber(v));
}

/** Equality as `{field: value}` means it for one candidate value (regexes excluded). */
export function valueEquals(c: unknown, v: unknown): boolean {
  if (v === null) return isNullish(c);
  if (c === MISSING) return false;
  if (typeof v === 'string') return c === v;
  if (typeof v === 'number' && typeof c === 'number') return c === v || (Number.isNaN(c) && Number.isNaN(v));
  if (typeRank(c) !== typeRank(v)) return false;
  return compareValues(c, v) === 0;
}

function regexMatches(c: unknown, re: RegExp): boolean {
  if (typeof c === 'string') return re.test(c);
  if (c instanceof RegExp) return c.source === re.source && c.flags === re.flags;
  return false;
}

function asRegExp(v: unknown): RegExp | null {
  if (v instanceof RegExp) return v;
  if (bsonTypeOf(v) === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    return buildRegex(r.pattern, r.options);
  }
  return null;
}

/** MongoDB's regex options (i, m, s, x, u) as a JS RegExp; `x` is applied by hand. */
export function buildRegex(pattern: string, options: string): RegExp {
  let flags = '';
  let source = pattern;
  for (const o of options) {
    if (o === 'i' || o === 'm' || o === 's' || o === 'u') {
      if (!flags.includes(o)) flags += o;
    } else if (o === 'x') {
      source = source.replace(/\\#/g, '\u0000').replace(/#[^\n]*/g, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
    } else if (o !== 'g') {
      throw new MongoError(51108, `invalid flag in regex options: ${o}`);
    }
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new MongoError(51091, `Regular expression is invalid: ${(err as Error).message}`);
  }
}

const TYPE_ALIASES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9, null: 10,
  regex: 11, dbPointer: 12, javascript: 13, symbol: 14, javascriptWithScope: 15, int: 16, timestamp: 17, long: 18,
  decimal: 19, minKey: -1, maxKey: 127,
};
const TYPE_CODES = new Set(Object.values(TYPE_ALIASES));

/** MongoDB's type alias of a stored value ("int", "long", "decimal", "binData", ...). */
export function bsonTypeAlias(v: unknown): string {
  if (v === MISSING || v === undefined) return 'missing';
  return typeName(v);
}

function parseTypeSpec(t: unknown): number | 'number' {
  if (typeof t === 'string') {
    if (t === 'number') return 'number';
    if (!(t in TYPE_ALIASES)) throw badValue(`Unknown type name alias: ${t}`);
    return TYPE_ALIASES[t];
  }
  if (isNumeric(t)) {
    const n = toNumber(t);
    if (!Number.isInteger(n) || !TYPE_CODES.has(n)) throw badValue(`Invalid numerical type code: ${String(n)}`);
    return n;
  }
  throw new MongoError(ErrorCodes.TypeMismatch, 'type must be represented as a number or a string');
}

function typeMatches(c: unknown, t: number | 'number'): boolean {
  if (c === MISSING) return false;
  if (t === 'number') return isNumeric(c);
  if (t === 4) return Array.isArray(c);
  if (t === 10) return c === null;
  return TYPE_ALIASES[typeName(c)] === t;
}

// ---------------------------------------------------------------------------------------------
// Bit tests

function bitPositions(mask: unknown, op: string): number[] | { bytes: Uint8Array } {
  if (Array.isArray(mask)) {
    return mask.map((p) => {
      if (!isNumeric(p) || !Number.isInteger(toNumber(p)) || toNumber(p) < 0) throw badValue(`bit positions must be >= 0 but got: ${String(p)}`);
      return toNumber(p);
    });
  }
  if (bsonTypeOf(mask) === 'Binary') {
    const b = mask as { buffer: Uint8Array; position: number };
    return { bytes: b.buffer.subarray(0, b.position) };
  }
  if (isNumeric(mask)) {
    const n = toNumber(mask);
    if (!Number.isInteger(n)) throw badValue(`${op} takes an Array, a number, or a BinData but received: ${String(mask)}`);
    if (n < 0) throw badValue(`${op} takes an Array, a number, or a BinData but received: ${n}; bitmasks must be non-negative`);
    const out: number[] = [];
    let x = BigInt(n);
    for (let i = 0; x > 0n; i++, x >>= 1n) if (x & 1n) out.push(i);
    return out;
  }
  throw badValue(`${op} takes an Array, a number, or a BinData but received: ${typeName(mask)}`);
}

function bitsOf(c: unknown): ((p: number) => boolean) | null {
  if (bsonTypeOf(c) === 'Binary') {
    const b = c as { buffer: Uint8Array; position: number };
    const bytes = b.buffer.subarray(0, b.position);
    return (p) => p >> 3 < bytes.length && ((bytes[p >> 3] >> (p & 7)) & 1) === 1;
  }
  if (!isNumeric(c) || isDecimal128(c)) return null;
  let big: bigint;
  if (bsonTypeOf(c) === 'Long') big = (c as { toBigInt(): bigint }).toBigInt();
  else {
    const n = toNumber(c);
    if (!Number.isInteger(n) || Math.abs(n) >= 2 ** 63) return null;
    big = BigInt(n);
  }
  const x = BigInt.asUintN(64, big);
  const negative = big < 0n;
  return (p) => (p >= 64 ? negative : ((x >> BigInt(p)) & 1n) === 1n);
}

// ---------------------------------------------------------------------------------------------
// Compilation

interface CompileCtx extends MatcherOptions {
  top: boolean;
}

function mingoOptions(ctx: CompileCtx): Partial<Options> {
  return {
    useStrictMode: true,
    scriptEnabled: false,
    processingMode: ProcessingMode.CLONE_OFF,
    context: mingoContext(),
    ...(ctx.variables ? { variables: ctx.variables } : {}),
    ...(ctx.collation ? { collation: ctx.collation as unknown as Options['collation'] } : {}),
  };
}

function compileDoc(filter: unknown, ctx: CompileCtx): DocPred {
  if (!isPlainObject(filter)) throw badValue('query filter must be an object');
  const preds: DocPred[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$') && !DBREF_FIELDS.has(key)) {
      preds.push(compileTopOperator(key, value, ctx));
      continue;
    }
    preds.push(compileField(key, value, ctx));
  }
  if (preds.length === 1) return preds[0];
  return (doc, st) => {
    for (const p of preds) if (!p(doc, st)) return false;
    return true;
  };
}

function compileTopOperator(key: string, value: unknown, ctx: CompileCtx): DocPred {
  if (LOGICAL.has(key)) {
    if (!Array.isArray(value) || value.length === 0) throw badValue(`${key} must be a nonempty array`);
    const subs = value.map((sub) => {
      if (!isPlainObject(sub)) throw badValue('$or/$and/$nor entries need to be full objects');
      return compileDoc(sub, ctx);
    });
    if (key === '$and') return (doc, st) => subs.every((p) => p(doc, st));
    if (key === '$or') return (doc, st) => subs.some((p) => p(doc, st));
    return (doc) => !subs.some((p) => p(doc, { pos: undefined }));
  }
  switch (key) {
    case '$expr': {
      if (!ctx.top) throw badValue('$expr can only be applied to the top-level document');
      let q: Query;
      try {
        q = new Query({ $expr: value }, mingoOptions(ctx));
      } catch (err) {
        throw badValue((err as Error).message);
      }
      return (doc) => {
        try {
          return q.test(mingoView(doc as Document));
        } catch (err) {
          throw badValue((err as Error).message);
        }
      };
    }
    case '$comment':
      return () => true;
    case '$alwaysTrue':
      return () => true;
    case '$alwaysFalse':
      return () => false;
    case '$text':
      // MongoDB needs a text index for $text; this engine never has one (see indexes.ts).
      throw new MongoError(ErrorCodes.IndexNotFound, 'text index required for $text query (text indexes are not supported by the embedded database)');
    case '$where':
      throw badValue('$where is not allowed: server-side JavaScript is disabled in the embedded database');
    case '$jsonSchema':
      throw badValue('$jsonSchema is not supported by the embedded database');
    default:
      throw badValue(
        `unknown top level operator: ${key}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
      );
  }
}

function compileField(path: string, cond: unknown, ctx: CompileCtx): DocPred {
  const parts = path.split('.');
  const test = isOperatorObject(cond) ? compileOperators(cond, ctx, path) : equalityTest(cond, true);
  return (doc, st) => test(candidates(doc, parts), st);
}

/** `{field: value}`: equality, or a regex match when the value is a regex. */
function equalityTest(v: unknown, regexMeansMatch: boolean): CandTest {
  const re = regexMeansMatch ? asRegExp(v) : null;
  if (re) {
    return (cands, st) => {
      for (const c of cands) {
        if (regexMatches(c.v, re)) {
          st.pos = c.pos;
          return true;
        }
      }
      return false;
    };
  }
  return (cands, st) => {
    for (const c of cands) {
      if (valueEquals(c.v, v)) {
        st.pos = c.pos;
        return true;
      }
    }
    return false;
  };
}

function rangeTest(op: string, v: unknown, ctx: CompileCtx): CandTest {
  const rank = typeRank(v);
  const bt = bsonTypeOf(v);
  const inclusive = op === '$gte' || op === '$lte';
  const wantSign = op === '$gt' || op === '$gte' ? 1 : -1;
  if (v === null || bt === 'BSONUndefined') return inclusive ? equalityTest(null, false) : () => false;
  const vNaN = isNaNValue(v);
  return (cands, st) => {
    for (const c of cands) {
      if (c.v === MISSING) continue;
      let ok: boolean;
      if (bt === 'MinKey' || bt === 'MaxKey') {
        const cmp = compareValues(c.v, v);
        ok = cmp === 0 ? inclusive : Math.sign(cmp) === wantSign;
      } else {
        if (typeRank(c.v) !== rank) continue;
        if (rank === 2 && (vNaN || isNaNValue(c.v))) {
          ok = inclusive && vNaN && isNaNValue(c.v);
        } else {
          const cmp = rank === 3 && ctx.compareStrings ? ctx.compareStrings(String(c.v), String(v)) : compareValues(c.v, v);
          ok = cmp === 0 ? inclusive : Math.sign(cmp) === wantSign;
        }
      }
      if (ok) {
        st.pos = c.pos;
        return true;
      }
    }
    return false;
  };
}

function inTest(list: unknown[]): CandTest {
  const tests = list.map((e) => {
    if (isOperatorObject(e) && !Object.keys(e).every((k) => DBREF_FIELDS.has(k))) {
      throw badValue('cannot nest $ under $in');
    }
    return equalityTest(e, true);
  });
  return (cands, st) => tests.some((t) => t(cands, st));
}

function compileOperators(ops: Document, ctx: CompileCtx, path: string): CandTest {
  const tests: CandTest[] = [];
  const keys = Object.keys(ops);
  let regexSource: unknown;
  let regexOptions: string | undefined;
  for (const op of keys) {
    const arg = ops[op];
    if (!op.startsWith('$')) throw badValue(`unknown operator: ${op}`);
    switch (op) {
      case '$eq':
        tests.push(equalityTest(arg, false));
        break;
      case '$ne': {
        if (asRegExp(arg)) throw badValue("Can't have regex as arg to $ne.");
        const eq = equalityTest(arg, false);
        tests.push((cands) => !eq(cands, { pos: undefined }));
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        tests.push(rangeTest(op, arg, ctx));
        break;
      case '$in':
        if (!Array.isArray(arg)) throw badValue('$in needs an array');
        tests.push(inTest(arg));
        break;
      case '$nin': {
        if (!Array.isArray(arg)) throw badValue('$nin needs an array');
        const t = inTest(arg);
        tests.push((cands) => !t(cands, { pos: undefined }));
        break;
      }
      case '$exists': {
        const want = !(arg === false || arg === 0 || arg === null || (isNumeric(arg) && toNumber(arg) === 0));
        tests.push((cands) => cands.some((c) => c.v !== MISSING) === want);
        break;
      }
      case '$type': {
        const types = (Array.isArray(arg) ? arg : [arg]).map(parseTypeSpec);
        tests.push((cands, st) => {
          for (const c of cands) {
            if (types.some((t) => typeMatches(c.v, t))) {
              st.pos = c.pos;
              return true;
            }
          }
          return false;
        });
        break;
      }
      case '$regex':
        if (typeof arg !== 'string' && !(arg instanceof RegExp) && bsonTypeOf(arg) !== 'BSONRegExp') throw badValue('$regex has to be a string');
        regexSource = arg;
        break;
      case '$options':
        if (typeof arg !== 'string') throw badValue('$options has to be a string');
        regexOptions = arg;
        break;
      case '$size': {
        if (!isNumeric(arg)) throw badValue('$size needs a number');
        const n = toNumber(arg);
        if (!Number.isInteger(n)) throw badValue(`$size must be a whole number`);
        if (n < 0) throw badValue(`$size may not be negative`);
        tests.push((cands) => cands.some((c) => !c.elem && Array.isArray(c.v) && c.v.length === n));
        break;
      }
      case '$all': {
        if (!Array.isArray(arg)) throw badValue('$all needs an array');
        if (arg.length === 0) {
          tests.push(() => false);
          break;
        }
        const parts = arg.map((e) => {
          if (isPlainObject(e) && Object.keys(e)[0] === '$elemMatch') {
            if (Object.keys(e).length !== 1) throw badValue('$elemMatch inside $all must be the only field');
            return elemMatchTest(e.$elemMatch, ctx, path);
          }
          if (isOperatorObject(e)) throw badValue('no $ expressions in $all');
          return equalityTest(e, true);
        });
        tests.push((cands, st) => parts.every((t) => t(cands, st)));
        break;
      }
      case '$elemMatch':
        tests.push(elemMatchTest(arg, ctx, path));
        break;
      case '$not': {
        const re = asRegExp(arg);
        let inner: CandTest;
        if (re) inner = equalityTest(re, true);
        else {
          if (!isPlainObject(arg)) throw badValue('$not needs a regex or a document');
          if (Object.keys(arg).length === 0) throw badValue('$not cannot be empty');
          if (!isOperatorObject(arg)) throw badValue(`unknown operator: ${Object.keys(arg)[0]}`);
          inner = compileOperators(arg, ctx, path);
        }
        tests.push((cands) => !inner(cands, { pos: undefined }));
        break;
      }
      case '$mod': {
        if (!Array.isArray(arg) || arg.length !== 2) throw badValue('malformed mod, needs to be an array');
        if (!isNumeric(arg[0]) || !isNumeric(arg[1])) throw badValue('malformed mod, divisor and remainder must be numbers');
        const d = Math.trunc(toNumber(arg[0]));
        const r = Math.trunc(toNumber(arg[1]));
        if (d === 0) throw badValue('divisor cannot be 0');
        tests.push((cands, st) => {
          for (const c of cands) {
            if (!isNumeric(c.v)) continue;
            const n = toNumber(c.v);
            if (!Number.isFinite(n)) continue;
            if (Math.trunc(n) % d === r) {
              st.pos = c.pos;
              return true;
            }
          }
          return false;
        });
        break;
      }
      case '$bitsAllSet':
      case '$bitsAnySet':
      case '$bitsAllClear':
      case '$bitsAnyClear': {
        const mask = bitPositions(arg, op);
        const positions: number[] = Array.isArray(mask) ? mask : [];
        if (!Array.isArray(mask)) for (let p = 0; p < mask.bytes.length * 8; p++) if ((mask.bytes[p >> 3] >> (p & 7)) & 1) positions.push(p);
        const wantSet = op === '$bitsAllSet' || op === '$bitsAnySet';
        const all = op === '$bitsAllSet' || op === '$bitsAllClear';
        tests.push((cands, st) => {
          for (const c of cands) {
            const bit = bitsOf(c.v);
            if (!bit) continue;
            const hit = (p: number): boolean => bit(p) === wantSet;
            if (all ? positions.every(hit) : positions.some(hit)) {
              st.pos = c.pos;
              return true;
            }
          }
          return false;
        });
        break;
      }
      case '$near':
      case '$nearSphere':
      case '$geoWithin':
      case '$geoIntersects':
        throw badValue(`${op} is not supported by the embedded database (no geospatial indexes)`);
      case '$comment':
        break;
      default:
        throw badValue(`unknown operator: ${op}`);
    }
  }
  if (regexOptions !== undefined && regexSource === undefined) throw badValue('$options needs a $regex');
  if (regexSource !== undefined) {
    let re: RegExp;
    if (typeof regexSource === 'string') re = buildRegex(regexSource, regexOptions ?? '');
    else {
      const base = asRegExp(regexSource) as RegExp;
      re = regexOptions !== undefined ? buildRegex(base.source, regexOptions) : base;
    }
    tests.push(equalityTest(re, true));
  }
  if (tests.length === 1) return tests[0];
  return (cands, st) => {
    for (const t of tests) if (!t(cands, st)) return false;
    return true;
  };
}

function elemMatchTest(arg: unknown, ctx: CompileCtx, path: string): CandTest {
  if (!isPlainObject(arg)) throw badValue('$elemMatch needs an Object');
  const keys = Object.keys(arg);
  const valueForm = keys.length > 0 && keys.every((k) => isOperatorKey(k) && !LOGICAL.has(k) && k !== '$expr' && k !== '$where' && k !== '$text');
  let elementTest: (e: unknown) => boolean;
  if (valueForm) {
    const t = compileOperators(arg, { ...ctx, top: false }, path);
    elementTest = (e) => t([{ v: e, pos: undefined, elem: false }], { pos: undefined });
  } else {
    const p = compileDoc(arg, { ...ctx, top: false });
    elementTest = (e) => isPlainObject(e) && p(e, { pos: undefined });
  }
  return (cands, st) => {
    for (const c of cands) {
      if (c.elem || !Array.isArray(c.v)) continue;
      const arr = c.v;
      for (let j = 0; j < arr.length; j++) {
        if (elementTest(arr[j])) {
          st.pos = c.pos ?? j;
          return true;
        }
      }
    }
    return false;
  };
}

/** Compiles (and so validates) a filter. */
export function compileMatcher(filter: Document | undefined, opts: MatcherOptions = {}): Matcher {
  const f = filter ?? {};
  const pred = Object.keys(f).length === 0 ? (): boolean => true : compileDoc(f, { ...opts, top: true });
  return {
    test: (doc) => pred(doc, { pos: undefined }),
    position: (doc) => {
      const st: MatchState = { pos: undefined };
      const matched = pred(doc, st);
      return { matched, pos: st.pos };
    },
  };
}

interface Filterable {
  filter(f: (o: unknown) => boolean): unknown;
}

/** `$match` in aggregation pipelines uses this matcher (MongoDB's semantics), not mingo's query. */
function matchStage(coll: Filterable, expr: unknown, options: Options): unknown {
  const local = options as unknown as { local?: { variables?: Document }; variables?: Document };
  const variables = { ...(local.variables ?? {}), ...(local.local?.variables ?? {}) };
  const m = compileMatcher(expr as Document, Object.keys(variables).length > 0 ? { variables } : {});
  return coll.filter((o) => m.test(o as Document));
}
overridePipelineOperator('$match', matchStage);
