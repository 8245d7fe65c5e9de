/**
 * Update operators ($set, $unset, $inc, $mul, $min, $max, $rename, $push, $addToSet, $pull,
 * $pullAll, $pop, $bit, $currentDate, $setOnInsert) with MongoDB's semantics: positional `$`,
 * `$[]` and `$[id]` with arrayFilters resolved per document before conflicts are checked, fields
 * applied in field-name order (so new fields appear in that order, as in MongoDB), numeric type
 * promotion (int → long on overflow, Decimal128 exact), `__proto__` stored as a plain field, and
 * MongoDB's error codes for every refusal (9, 2, 14, 28, 40, 52, 66).
 */
import { BSON, type Document } from 'bson';
import { ErrorCodes, MongoError, badValue, failedToParse, typeMismatch } from '../errors';
import { decAdd, decMul, fromBigInt, roundedFromDouble, toDecimal128, type Dec } from './decimal';
import { compileMatcher, isOperatorObject, valueEquals, type Matcher } from './matcher';
import { cloneValue, compareValues, formatValue, isNumeric, isPlainObject, numericToDec, setOwn, toNumber, typeName, typeRank } from './values';

export const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$addToSet', '$pull', '$pullAll',
  '$pop', '$bit', '$currentDate', '$setOnInsert',
]);

export interface ModifierOptions {
  arrayFilters?: Document[];
  /** Index of the array element the query matched (positional `$`), if any. */
  position?: number;
  /** Building the document an upsert inserts: $setOnInsert applies, `$` field names are allowed. */
  inserting?: boolean;
}

interface Entry {
  op: string;
  /** Concrete path (positional parts resolved). */
  parts: string[];
  arg: unknown;
  /** $rename: the target path. */
  to?: string[];
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function docIdText(doc: Document): string {
  return `{_id: ${formatValue(doc._id)}}`;
}

const IDENT = /^\$\[([a-z][a-zA-Z0-9]*)?\]$/;

/** Parses a modifier document up front, as MongoDB does before touching any document. */
export function validateModifier(u: Document, inserting = false): void {
  const literal: string[][] = [];
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
      const parts = checkPath(path, op, inserting);
      if ((op === '$inc' || op === '$mul') && !isNumeric(arg)) {
        const verb = op === '$inc' ? 'increment' : 'multiply';
        throw typeMismatch(`Cannot ${verb} with non-numeric argument: {${path}: ${formatValue(arg)}}`);
      }
      if (op === '$pop' && !(isNumeric(arg) && (toNumber(arg) === 1 || toNumber(arg) === -1))) {
        throw failedToParse(`Expected a number in: ${path}: ${formatValue(arg)}`);
      }
      if (op === '$pullAll' && !Array.isArray(arg)) throw badValue(`$pullAll requires an array argument but was given a ${typeName(arg)}`);
      if (op === '$bit') checkBitArg(path, arg);
      if (op === '$currentDate') checkCurrentDate(path, arg);
      if ((op === '$push' || op === '$addToSet') && isPlainObject(arg) && hasOwn(arg, '$each')) checkEach(op, path, arg);
      literal.push(parts);
      if (op === '$rename') {
        if (typeof arg !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${formatValue(arg)}`);
        if (parts.some((p) => p.startsWith('$'))) throw badValue(`The source field for $rename may not be dynamic: ${path}`);
        const to = checkPath(arg, op, inserting);
        if (to.some((p) => p.startsWith('$'))) throw badValue(`The destination field for $rename may not be dynamic: ${arg}`);
        if (arg === path) throw badValue(`The source and target field for $rename must differ: ${path}: ${formatValue(arg)}`);
        literal.push(to);
      }
    }
  }
  // Two operators on one path, or one path inside another, conflict (positional parts compared
  // as written: 'a.$.x' and 'a.$.y' are distinct fields of one element).
  checkConflicts(literal, (p, q) => `Updating the path '${p}' would create a conflict at '${q}'`);
}

function checkPath(path: string, op: string, inserting: boolean): string[] {
  if (path === '') throw failedToParse("An empty update path is not valid.");
  const parts = path.split('.');
  if (parts.some((p) => p === '')) throw new MongoError(56, `The update path '${path}' contains an empty field name, which is not allowed.`);
  let dollars = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p.startsWith('$')) continue;
    if (p === '$') {
      if (++dollars > 1) throw badValue(`Too many positional (i.e. '$') elements found in path '${path}'`);
      if (i === 0) throw badValue(`Cannot have positional (i.e. '$') element in the first position in path '${path}'`);
      continue;
    }
    if (p.startsWith('$[')) {
      if (!IDENT.test(p)) throw badValue(`The array filter identifier in '${p}' must begin with a lowercase letter and contain only alphanumeric characters`);
      if (i === 0) throw badValue(`Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '${path}'`);
      continue;
    }
    // MongoDB 5.0+ stores `$`-prefixed field names below the top level (a map key '$x'); at the
    // top level only an insert (or the insert of an upsert) may create one.
    if (i === 0 && !inserting) {
      throw new MongoError(ErrorCodes.DollarPrefixedFieldName, `The dollar ($) prefixed field '${p}' in '${path}' is not valid for storage.`);
    }
  }
  if (op === '$rename' && parts.includes('$')) throw badValue(`The source field for $rename may not be dynamic: ${path}`);
  return parts;
}

function comparePart(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePaths(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePart(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function isPrefix(a: string[], b: string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkConflicts(paths: string[][], message: (p: string, q: string) => string): void {
  const sorted = [...paths].sort(comparePaths);
  for (let i = 1; i < sorted.length; i++) {
    if (isPrefix(sorted[i - 1], sorted[i])) {
      throw new MongoError(ErrorCodes.ConflictingUpdateOperators, message(sorted[i].join('.'), sorted[i - 1].join('.')));
    }
  }
}

function checkBitArg(path: string, arg: unknown): void {
  if (!isPlainObject(arg) || Object.keys(arg).length === 0) {
    throw badValue(`The $bit modifier is not compatible with a ${typeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  }
  for (const [k, v] of Object.entries(arg)) {
    if (k !== 'and' && k !== 'or' && k !== 'xor') throw badValue(`The $bit modifier only supports 'and', 'or', and 'xor', not '${k}' which is an unknown operator: {${k}: ${formatValue(v)}}`);
    const t = typeName(v);
    if (t !== 'int' && t !== 'long') throw badValue(`The $bit modifier field must be an Integer(32/64 bit); a '${t}' is not supported here: {${k}: ${formatValue(v)}}`);
  }
  void path;
}

function checkCurrentDate(path: string, arg: unknown): void {
  if (arg === true || arg === false) return;
  if (isPlainObject(arg) && Object.keys(arg).length === 1 && (arg.$type === 'date' || arg.$type === 'timestamp')) return;
  throw badValue(`${path} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
}

function checkEach(op: string, path: string, arg: Document): void {
  if (!Array.isArray(arg.$each)) throw badValue(`The argument to $each in ${op} must be an array but it was of type: ${typeName(arg.$each)}`);
  for (const k of Object.keys(arg)) {
    if (k === '$each') continue;
    if (op === '$addToSet') throw badValue(`Found unexpected fields after $each in $addToSet: ${formatValue(arg)}`);
    if (k !== '$slice' && k !== '$sort' && k !== '$position') throw badValue(`Unrecognized clause in $push: ${k}`);
  }
  if (arg.$slice !== undefined && !(isNumeric(arg.$slice) && Number.isInteger(toNumber(arg.$slice)))) {
    throw badValue(`The value for $slice must be an integer value but was given type: ${typeName(arg.$slice)}`);
  }
  if (arg.$position !== undefined && !(isNumeric(arg.$position) && Number.isInteger(toNumber(arg.$position)))) {
    throw badValue(`The value for $position must be an integer value, not of type: ${typeName(arg.$position)}`);
  }
  if (arg.$sort !== undefined) {
    const s = arg.$sort;
    const okDir = (d: unknown): boolean => isNumeric(d) && (toNumber(d) === 1 || toNumber(d) === -1);
    if (!(okDir(s) || (isPlainObject(s) && Object.keys(s).length > 0 && Object.values(s).every(okDir)))) {
      throw badValue(`The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields`);
    }
  }
  void path;
}

// ---------------------------------------------------------------------------------------------
// Array filters and positional resolution

function compileArrayFilters(arrayFilters: Document[] | undefined): Map<string, Matcher> {
  const out = new Map<string, Matcher>();
  for (const f of arrayFilters ?? []) {
    if (!isPlainObject(f)) throw failedToParse('Each array filter must be an object');
    const keys = Object.keys(f);
    if (keys.length === 0) throw failedToParse('Cannot use an expression without a top-level field name in arrayFilters');
    let id: string | undefined;
    for (const k of keys) {
      const top = k.startsWith('$') ? undefined : k.split('.')[0];
      if (top === undefined) throw failedToParse('Cannot use an expression without a top-level field name in arrayFilters');
      if (id !== undefined && id !== top) throw failedToParse(`Error parsing array filter :: caused by :: Expected a single top-level field name, found '${id}' and '${top}'`);
      id = top;
    }
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id as string)) {
      throw badValue(`Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
    }
    if (out.has(id as string)) throw failedToParse(`Found multiple array filters with the same top-level field name ${id}`);
    out.set(id as string, compileMatcher(f));
  }
  return out;
}

function usedIdentifiers(u: Document): Set<string> {
  const ids = new Set<string>();
  for (const operand of Object.values(u)) {
    for (const path of Object.keys(operand as Document)) {
      for (const p of path.split('.')) {
        const m = IDENT.exec(p);
        if (m && m[1]) ids.add(m[1]);
      }
    }
  }
  return ids;
}

function valueAt(doc: unknown, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) return undefined;
      cur = cur[Number(p)];
    } else if (isPlainObject(cur)) {
      cur = hasOwn(cur, p) ? cur[p] : undefined;
    } else return undefined;
  }
  return cur;
}

/** Expands `$`, `$[]` and `$[id]` into the concrete paths they denote in `doc`. */
function expandPath(doc: Document, parts: string[], opts: ModifierOptions, filters: Map<string, Matcher>): string[][] {
  const out: string[][] = [];
  const rec = (prefix: string[], i: number): void => {
    if (i === parts.length) {
      out.push(prefix);
      return;
    }
    const p = parts[i];
    if (p === '$') {
      if (opts.position === undefined) {
        throw badValue('The positional operator did not find the match needed from the query.');
      }
      rec([...prefix, String(opts.position)], i + 1);
      return;
    }
    const m = IDENT.exec(p);
    if (!m) {
      rec([...prefix, p], i + 1);
      return;
    }
    const arr = valueAt(doc, prefix);
    if (arr === undefined) throw badValue(`The path '${prefix.join('.')}' must exist in the document in order to apply array updates.`);
    if (!Array.isArray(arr)) throw badValue(`Cannot apply array updates to non-array element ${prefix[prefix.length - 1]}: ${formatValue(arr)}`);
    const filter = m[1] ? filters.get(m[1]) : undefined;
    if (m[1] && !filter) throw badValue(`No array filter found for identifier '${m[1]}' in path '${parts.join('.')}'`);
    for (let j = 0; j < arr.length; j++) {
      if (filter && !filter.test({ [m[1] as string]: arr[j] })) continue;
      rec([...prefix, String(j)], i + 1);
    }
  };
  rec([], 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Numbers

type NumKind = 'int' | 'long' | 'double' | 'decimal';

function numKind(v: unknown): NumKind {
  if (typeof v === 'number') return Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? 'int' : 'double';
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'Int32':
      return 'int';
    case 'Long':
      return 'long';
    case 'Decimal128':
      return 'decimal';
    default:
      return 'double';
  }
}

function toBig(v: unknown): bigint {
  if ((v as { _bsontype?: string })._bsontype === 'Long') return (v as BSON.Long).toBigInt();
  return BigInt(toNumber(v));
}

function arithDec(v: unknown): Dec {
  const k = numKind(v);
  if (k === 'decimal' || k === 'long') return numericToDec(v);
  if (k === 'int') return fromBigInt(BigInt(toNumber(v)));
  return roundedFromDouble(toNumber(v));
}

function makeDouble(n: number): unknown {
  return Number.isInteger(n) || Object.is(n, -0) ? new BSON.Double(n) : n;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function arith(op: '$inc' | '$mul', a: unknown, b: unknown, doc: Document): unknown {
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka === 'decimal' || kb === 'decimal') {
    const x = arithDec(a);
    const y = arithDec(b);
    return toDecimal128(op === '$inc' ? decAdd(x, y) : decMul(x, y));
  }
  if (ka === 'double' || kb === 'double') {
    const r = op === '$inc' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
    return makeDouble(r);
  }
  const r = op === '$inc' ? toBig(a) + toBig(b) : toBig(a) * toBig(b);
  if (ka === 'int' && kb === 'int' && r >= -(2n ** 31n) && r < 2n ** 31n) return Number(r);
  if (r < INT64_MIN || r > INT64_MAX) {
    throw badValue(`Failed to apply ${op} operations to current value (${formatValue(a)}) for document ${docIdText(doc)}`);
  }
  return BSON.Long.fromBigInt(r);
}

function zeroLike(v: unknown): unknown {
  switch (numKind(v)) {
    case 'int':
      return 0;
    case 'long':
      return BSON.Long.fromNumber(0);
    case 'decimal':
      return BSON.Decimal128.fromString('0');
    default:
      return new BSON.Double(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Navigation

function describe(container: unknown, key: string): string {
  return `{${key}: ${formatValue(container)}}`;
}

/**
 * The container holding the last part of `parts`, created on the way when `create` is set.
 * Throws 28 PathNotViable where MongoDB cannot create a field (inside a scalar, or a field name
 * inside an array).
 */
function parentOf(doc: Document, parts: string[], create: boolean): Document | unknown[] | null {
  let cur: Document | unknown[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) {
        if (!create) return null;
        throw new MongoError(28, `Cannot create field '${p}' in element ${describe(cur, parts[i - 1] ?? '')}`);
      }
      next = cur[Number(p)];
    } else {
      next = hasOwn(cur, p) ? cur[p] : undefined;
    }
    if (next === undefined) {
      if (!create) return null;
      const fresh: Document = {};
      assign(cur, p, fresh, parts[i - 1]);
      cur = fresh;
      continue;
    }
    if (Array.isArray(next) || isPlainObject(next)) {
      cur = next as Document | unknown[];
      continue;
    }
    if (!create) return null;
    throw new MongoError(28, `Cannot create field '${parts[i + 1]}' in element ${describe(next, p)}`);
  }
  return cur;
}

function assign(container: Document | unknown[], key: string, value: unknown, containerName = ''): void {
  if (Array.isArray(container)) {
    if (!/^\d+$/.test(key)) throw new MongoError(28, `Cannot create field '${key}' in element ${describe(container, containerName)}`);
    const idx = Number(key);
    while (container.length < idx) container.push(null);
    container[idx] = value;
    return;
  }
  setOwn(container, key, value);
}

function read(container: Document | unknown[] | null, key: string): unknown {
  if (!container) return undefined;
  if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
  return hasOwn(container, key) ? container[key] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Applying

function sortArray(arr: unknown[], spec: unknown): void {
  if (isPlainObject(spec)) {
    const fields = Object.entries(spec).map(([f, d]) => ({ parts: f.split('.'), dir: toNumber(d) }));
    arr.sort((a, b) => {
      for (const f of fields) {
        const c = compareValues(isPlainObject(a) ? valueAt(a, f.parts) ?? null : null, isPlainObject(b) ? valueAt(b, f.parts) ?? null : null);
        if (c !== 0) return c * f.dir;
      }
      return 0;
    });
    return;
  }
  const dir = toNumber(spec);
  arr.sort((a, b) => compareValues(a, b) * dir);
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b) && compareValues(a, b) === 0;
}

/** The test deciding which elements $pull removes. */
function pullTest(arg: unknown): (e: unknown) => boolean {
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const valueForm = isOperatorObject(arg) && !['$and', '$or', '$nor', '$expr'].includes(keys[0]);
    if (valueForm) {
      const m = compileMatcher({ v: { $elemMatch: arg } });
      return (e) => m.test({ v: [e] });
    }
    const m = compileMatcher(arg);
    return (e) => isPlainObject(e) && m.test(e);
  }
  if (arg instanceof RegExp) return (e) => typeof e === 'string' && arg.test(e);
  return (e) => valueEquals(e, arg) && (arg !== null || e === null);
}

function applyEntry(doc: Document, e: Entry): void {
  const last = e.parts[e.parts.length - 1];
  const fieldName = last;
  switch (e.op) {
    case '$set':
    case '$setOnInsert': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      assign(parent, last, cloneValue(e.arg), e.parts[e.parts.length - 2]);
      return;
    }
    case '$unset': {
      const parent = parentOf(doc, e.parts, false);
      if (!parent) return;
      if (Array.isArray(parent)) {
        if (/^\d+$/.test(last) && Number(last) < parent.length) parent[Number(last)] = null;
      } else if (hasOwn(parent, last)) delete parent[last];
      return;
    }
    case '$inc':
    case '$mul': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      const cur = read(parent, last);
      if (cur === undefined) {
        assign(parent, last, e.op === '$inc' ? cloneValue(e.arg) : zeroLike(e.arg));
        return;
      }
      if (!isNumeric(cur)) {
        throw typeMismatch(`Cannot apply ${e.op} to a value of non-numeric type. ${docIdText(doc)} has the field '${fieldName}' of non-numeric type ${typeName(cur)}`);
      }
      assign(parent, last, arith(e.op as '$inc' | '$mul', cur, e.arg, doc));
      return;
    }
    case '$min':
    case '$max': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      const cur = read(parent, last);
      const c = cur === undefined ? 0 : compareValues(e.arg, cur);
      if (cur === undefined || (e.op === '$min' ? c < 0 : c > 0)) assign(parent, last, cloneValue(e.arg));
      return;
    }
    case '$currentDate': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      const now = new Date();
      const ts = isPlainObject(e.arg) && e.arg.$type === 'timestamp';
      assign(parent, last, ts ? new BSON.Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }) : now);
      return;
    }
    case '$rename': {
      const parent = parentOf(doc, e.parts, false);
      if (!parent) return;
      if (Array.isArray(parent)) throw badValue(`The source field cannot be an array element, '${e.parts.join('.')}' in doc with ${docIdText(doc)} has an array field called '${e.parts[e.parts.length - 2]}'`);
      if (!hasOwn(parent, last)) return;
      const value = parent[last];
      const to = e.to as string[];
      const toParent = parentOf(doc, to, true);
      if (Array.isArray(toParent)) throw badValue(`The destination field cannot be an array element, '${to.join('.')}' in doc with ${docIdText(doc)} has an array field called '${to[to.length - 2]}'`);
      delete parent[last];
      setOwn(toParent as Document, to[to.length - 1], value);
      return;
    }
    case '$push':
    case '$addToSet': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      let cur = read(parent, last);
      if (cur === undefined) {
        cur = [];
        assign(parent, last, cur);
      }
      if (!Array.isArray(cur)) {
        throw badValue(`The field '${e.parts.join('.')}' must be an array but is of type ${typeName(cur)} in document ${docIdText(doc)}`);
      }
      const arr = cur;
      const withEach = isPlainObject(e.arg) && hasOwn(e.arg, '$each');
      const items = (withEach ? ((e.arg as Document).$each as unknown[]) : [e.arg]).map(cloneValue);
      if (e.op === '$addToSet') {
        for (const it of items) if (!arr.some((x) => sameValue(x, it))) arr.push(it);
        return;
      }
      const mods = withEach ? (e.arg as Document) : {};
      if (mods.$position !== undefined) {
        let p = toNumber(mods.$position);
        if (p < 0) p = Math.max(0, arr.length + p);
        arr.splice(Math.min(p, arr.length), 0, ...items);
      } else arr.push(...items);
      if (mods.$sort !== undefined) sortArray(arr, mods.$sort);
      if (mods.$slice !== undefined) {
        const n = toNumber(mods.$slice);
        const kept = n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
        arr.length = 0;
        arr.push(...kept);
      }
      return;
    }
    case '$pop':
    case '$pull':
    case '$pullAll': {
      const parent = parentOf(doc, e.parts, false);
      const cur = read(parent, last);
      if (cur === undefined) return;
      if (!Array.isArray(cur)) {
        if (e.op === '$pop') throw typeMismatch(`Path '${e.parts.join('.')}' contains an element of non-array type '${typeName(cur)}'`);
        throw badValue(`Cannot apply ${e.op} to a non-array value`);
      }
      if (e.op === '$pop') {
        if (cur.length === 0) return;
        if (toNumber(e.arg) === 1) cur.pop();
        else cur.shift();
        return;
      }
      const remove = e.op === '$pull' ? pullTest(e.arg) : (x: unknown): boolean => (e.arg as unknown[]).some((v) => sameValue(x, v));
      const kept = cur.filter((x) => !remove(x));
      if (kept.length !== cur.length) {
        cur.length = 0;
        cur.push(...kept);
      }
      return;
    }
    case '$bit': {
      const parent = parentOf(doc, e.parts, true) as Document | unknown[];
      const cur = read(parent, last);
      const base = cur === undefined ? 0 : cur;
      const kind = numKind(base);
      if (!isNumeric(base) || (kind !== 'int' && kind !== 'long')) {
        throw badValue(`Cannot apply $bit to a value of non-integral type.${docIdText(doc)} has the field ${fieldName} of non-integer type ${typeName(base)}`);
      }
      let x = toBig(base);
      let wide = kind === 'long';
      for (const [how, v] of Object.entries(e.arg as Document)) {
        const y = toBig(v);
        if (numKind(v) === 'long') wide = true;
        x = how === 'and' ? x & y : how === 'or' ? x | y : x ^ y;
      }
      assign(parent, last, wide ? BSON.Long.fromBigInt(BigInt.asIntN(64, x)) : Number(BigInt.asIntN(32, x)));
      return;
    }
    default:
      throw failedToParse(`Unknown modifier: ${e.op}`);
  }
}

/**
 * Applies a modifier update to `doc` in place (the caller's own copy). The modifier must have
 * passed validateModifier.
 */
export function applyModifier(doc: Document, u: Document, opts: ModifierOptions = {}): void {
  const filters = compileArrayFilters(opts.arrayFilters);
  const used = usedIdentifiers(u);
  for (const id of filters.keys()) {
    if (!used.has(id)) throw failedToParse(`The array filter for identifier '${id}' was not used in the update ${formatValue(u)}`);
  }
  const entries: Entry[] = [];
  for (const [op, operand] of Object.entries(u)) {
    if (op === '$setOnInsert' && !opts.inserting) continue;
    for (const [path, arg] of Object.entries(operand as Document)) {
      const parts = path.split('.');
      if (op === '$rename') {
        entries.push({ op, parts, arg, to: (arg as string).split('.') });
        continue;
      }
      for (const concrete of expandPath(doc, parts, opts, filters)) entries.push({ op, parts: concrete, arg });
    }
  }
  const touched: string[][] = [];
  for (const e of entries) {
    touched.push(e.parts);
    if (e.to) touched.push(e.to);
  }
  checkConflicts(touched, (p, q) => `Update created a conflict at '${q}' (updating '${p}')`);
  entries.sort((a, b) => comparePaths(a.parts, b.parts));
  for (const e of entries) applyEntry(doc, e);
}

