/**
 * BSON value semantics the engine needs outside mingo: MongoDB's cross-type comparison order
 * (for index order and sorting), a canonical equality key (for hash indexes and _id lookups),
 * deep copies by BSON round trip, dotted-path extraction with array expansion (multikey), and
 * the value formatting MongoDB uses in E11000 messages.
 */
import { BSON, type Document } from 'bson';
import { decCompare, decKey, decToNumber, exactFromDouble, fromBigInt, fromDecimal128, isDecimal128, type Dec } from './decimal';

type Tagged = { _bsontype: string };

function bsonType(v: unknown): string | undefined {
  if (typeof v === 'object' && v !== null && '_bsontype' in v) return (v as Tagged)._bsontype;
  return undefined;
}

/** A sub-document: not an array, not a BSON wrapper, not a Date, RegExp or byte buffer. */
export function isPlainObject(v: unknown): v is Document {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof RegExp) &&
    !(v instanceof Uint8Array) &&
    bsonType(v) === undefined
  );
}

/** MongoDB's canonical type order: MinKey < null < numbers < strings < objects < arrays < ... */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    default:
      break;
  }
  if (Array.isArray(v)) return 5;
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (v instanceof Uint8Array) return 6;
  switch (bsonType(v)) {
    case undefined:
      return 4;
    case 'MinKey':
      return 0;
    case 'MaxKey':
      return 12;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 2;
    case 'BSONSymbol':
      return 3;
    case 'Binary':
      return 6;
    case 'ObjectId':
      return 7;
    case 'Timestamp':
      return 10;
    case 'BSONRegExp':
      return 11;
    default:
      return 4;
  }
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v);
  if (t === 'Long') return (v as BSON.Long).toNumber();
  if (t === 'Int32' || t === 'Double') return (v as BSON.Double).valueOf();
  if (t === 'Decimal128') return Number((v as BSON.Decimal128).toString());
  return NaN;
}

export function isNumeric(v: unknown): boolean {
  return typeRank(v) === 2;
}

function compareScalars(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** bson 7 keeps an ObjectId as four 24-bit integers; reading `.id` would allocate a buffer. */
interface ObjectIdParts {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

function oidParts(o: BSON.ObjectId): ObjectIdParts | null {
  const p = o as unknown as Partial<ObjectIdParts>;
  return typeof p.i0 === 'number' && typeof p.i1 === 'number' && typeof p.i2 === 'number' && typeof p.i3 === 'number'
    ? (p as ObjectIdParts)
    : null;
}

function compareObjectIds(a: BSON.ObjectId, b: BSON.ObjectId): number {
  const x = oidParts(a);
  const y = oidParts(b);
  if (!x || !y) return compareBytes(a.id, b.id);
  return x.i0 - y.i0 || x.i1 - y.i1 || x.i2 - y.i2 || x.i3 - y.i3;
}

/** Compares two BSON values the way MongoDB orders them in indexes and sorts. */
export function compareValues(a: unknown, b: unknown): number {
  // The common case of index keys, before the general type ranking.
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
    case 1:
    case 12:
      return 0;
    case 2:
      return compareNumbers(a, b);
    case 3:
      return compareScalars(String(a), String(b));
    case 4:
      return compareDocuments(a as Document, b as Document);
    case 5: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 6: {
      // MongoDB orders binary data by length, then subtype, then bytes.
      const x = a instanceof Uint8Array ? a : (a as BSON.Binary).buffer.subarray(0, (a as BSON.Binary).position);
      const y = b instanceof Uint8Array ? b : (b as BSON.Binary).buffer.subarray(0, (b as BSON.Binary).position);
      if (x.length !== y.length) return x.length - y.length;
      const sx = a instanceof Uint8Array ? 0 : (a as BSON.Binary).sub_type;
      const sy = b instanceof Uint8Array ? 0 : (b as BSON.Binary).sub_type;
      if (sx !== sy) return sx - sy;
      return compareBytes(x, y);
    }
    case 7:
      return compareObjectIds(a as BSON.ObjectId, b as BSON.ObjectId);
    case 8:
      return Number(a) - Number(b);
    case 9:
      return compareScalars((a as Date).getTime(), (b as Date).getTime());
    case 10:
      return (a as BSON.Timestamp).compare(b as BSON.Timestamp);
    case 11:
      return compareScalars(String(a), String(b));
    default:
      return 0;
  }
}

/** A numeric BSON value as an exact decimal. */
export function numericToDec(v: unknown): Dec {
  if (isDecimal128(v)) return fromDecimal128(v);
  if (bsonType(v) === 'Long') return fromBigInt((v as BSON.Long).toBigInt());
  if (typeof v === 'bigint') return fromBigInt(v);
  return exactFromDouble(toNumber(v));
}

/**
 * Compares two numbers of any BSON numeric type exactly (a Long beyond 2^53 or a Decimal128 is
 * not squeezed through a double). NaN sorts below every number and equals NaN.
 */
export function compareNumbers(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return compareScalars(a, b);
  }
  const ta = bsonType(a);
  const tb = bsonType(b);
  if (ta !== 'Decimal128' && tb !== 'Decimal128' && ta !== 'Long' && tb !== 'Long' && typeof a !== 'bigint' && typeof b !== 'bigint') {
    return compareNumbers(toNumber(a), toNumber(b));
  }
  return decCompare(numericToDec(a), numericToDec(b));
}

function compareDocuments(a: Document, b: Document): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const ra = typeRank(a[ka[i]]);
    const rb = typeRank(b[kb[i]]);
    if (ra !== rb) return ra - rb;
    const kc = compareScalars(ka[i], kb[i]);
    if (kc !== 0) return kc;
    const vc = compareValues(a[ka[i]], b[kb[i]]);
    if (vc !== 0) return vc;
  }
  return ka.length - kb.length;
}

/**
 * A string equal for exactly the values MongoDB treats as equal in an index: 1, 1.0 and
 * Long(1) share a key; null and a missing field share a key.
 *
 * Built by concatenation, the key would be a tree of string pieces (a "cons string" in V8: an
 * ObjectId's key is seven of them, ~250 bytes instead of ~50), and the engine keeps one per
 * document (the document's id, held by the collection and by every index entry) and one per key
 * of a unique index. Reading it as a number makes V8 flatten it into one sequential string; the
 * pieces are then garbage.
 */
export function keyString(v: unknown): string {
  const k = rawKeyString(v);
  // Shorter strings are never built as pieces. The count keeps the conversion from being
  // optimised away as unused.
  if (k.length >= 13 && Number.isNaN(Number(k))) flattenedKeys++;
  return k;
}

let flattenedKeys = 0;

/** How many keys were flattened (see keyString), for bench/db/heap.ts. */
export function flattenedKeyCount(): number {
  return flattenedKeys;
}

function rawKeyString(v: unknown): string {
  if (v === undefined || v === null) return 'N';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? 'n0' : `n${v}`;
    case 'string':
      return `s${v.length}:${v}`;
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? `n${Number(v)}` : `n${v}`;
    default:
      break;
  }
  if (Array.isArray(v)) return `[${v.map(rawKeyString).join(',')}]`;
  if (v instanceof Date) return `t${v.getTime()}`;
  if (v instanceof RegExp) return `r${v.source}/${v.flags}`;
  if (v instanceof Uint8Array) return `x0:${Buffer.from(v).toString('base64')}`;
  const t = bsonType(v);
  switch (t) {
    case undefined: {
      const d = v as Document;
      return `{${Object.keys(d)
        .map((k) => `${k.length}:${k}=${rawKeyString(d[k])}`)
        .join(',')}}`;
    }
    case 'ObjectId': {
      const p = oidParts(v as BSON.ObjectId);
      return p ? `o${p.i0}.${p.i1}.${p.i2}.${p.i3}` : `o${(v as BSON.ObjectId).toHexString()}`;
    }
    case 'Long': {
      const l = v as BSON.Long;
      const n = l.toNumber();
      return Number.isSafeInteger(n) ? `n${n}` : `n${l.toBigInt()}`;
    }
    case 'Int32':
    case 'Double': {
      const n = toNumber(v);
      return Object.is(n, -0) ? 'n0' : `n${n}`;
    }
    case 'Decimal128': {
      // Equal to a double (1.50 and 1.5): the double's key; otherwise an exact decimal key.
      const d = fromDecimal128(v as BSON.Decimal128);
      const n = decToNumber(d);
      if (d.kind !== 'finite' || decCompare(exactFromDouble(n), d) === 0) return Object.is(n, -0) || n === 0 ? 'n0' : `n${n}`;
      return `d${decKey(d)}`;
    }
    case 'Binary': {
      const b = v as BSON.Binary;
      return `x${b.sub_type}:${Buffer.from(b.buffer.subarray(0, b.position)).toString('base64')}`;
    }
    case 'Timestamp':
      return `T${(v as BSON.Timestamp).toString()}`;
    case 'MinKey':
      return 'm';
    case 'MaxKey':
      return 'M';
    case 'BSONRegExp': {
      const r = v as BSON.BSONRegExp;
      return `r${r.pattern}/${r.options}`;
    }
    default:
      return `u${t}:${String(v)}`;
  }
}

/**
 * A deep, independent copy that keeps every BSON type (structuredClone would lose ObjectId).
 * Containers and Dates are copied; BSON value objects (ObjectId, Long, Binary, ...) are
 * immutable in this engine and are shared.
 */
export function cloneDocument<T extends Document>(doc: T): T {
  return cloneValue(doc) as T;
}

export function cloneValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(cloneValue);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof RegExp || bsonType(v) !== undefined) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) setOwn(out, k, cloneValue((v as Document)[k]));
  return out;
}

/**
 * Sets an own field, `__proto__` included: MongoDB stores a field of that name as data, and a
 * plain assignment would change the object's prototype instead.
 */
export function setOwn(obj: Document, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/**
 * All values a dotted path reaches, expanding arrays on the way as MongoDB's multikey indexes
 * do. A missing field yields `undefined`; `multikey` reports whether an array was crossed.
 */
export function pathValues(doc: unknown, path: string): { values: unknown[]; multikey: boolean } {
  const out: unknown[] = [];
  const state = { multikey: false };
  collectPath(doc, path.split('.'), 0, out, state);
  return { values: out, multikey: state.multikey };
}

function collectPath(value: unknown, parts: string[], i: number, out: unknown[], state: { multikey: boolean }): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      state.multikey = true;
      if (value.length === 0) out.push(undefined);
      else for (const e of value) out.push(e);
    } else {
      out.push(value);
    }
    return;
  }
  if (Array.isArray(value)) {
    state.multikey = true;
    const before = out.length;
    const part = parts[i];
    if (/^\d+$/.test(part) && Number(part) < value.length) collectPath(value[Number(part)], parts, i + 1, out, state);
    for (const e of value) if (isPlainObject(e)) collectPath(e, parts, i, out, state);
    if (out.length === before) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    collectPath(value[parts[i]], parts, i + 1, out, state);
    return;
  }
  out.push(undefined);
}

/** The single value at a dotted path without array expansion (undefined if absent). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(part)) return undefined;
      cur = cur[Number(part)];
    } else if (isPlainObject(cur)) {
      cur = cur[part];
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Renders a value as MongoDB does inside `dup key: { ... }` and other messages. */
export function formatValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      break;
  }
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.map(formatValue).join(', ')} ]`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  switch (bsonType(v)) {
    case undefined: {
      const d = v as Document;
      const keys = Object.keys(d);
      return keys.length === 0 ? '{}' : `{ ${keys.map((k) => `${k}: ${formatValue(d[k])}`).join(', ')} }`;
    }
    case 'ObjectId':
      return `ObjectId('${(v as BSON.ObjectId).toHexString()}')`;
    case 'Long':
      return (v as BSON.Long).toString();
    case 'Decimal128':
      return `NumberDecimal("${(v as BSON.Decimal128).toString()}")`;
    default:
      return String(v);
  }
}

/** The BSON type name MongoDB uses in messages ("string", "int", "objectId", ...). */
export function typeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (v instanceof Uint8Array) return 'binData';
  switch (bsonType(v)) {
    case undefined:
      return 'object';
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Int32':
      return 'int';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'BSONRegExp':
      return 'regex';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONSymbol':
      return 'symbol';
    case 'Code':
      return 'javascript';
    case 'DBPointer':
      return 'dbPointer';
    default:
      return 'object';
  }
}
