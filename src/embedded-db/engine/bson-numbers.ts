/**
 * Keeps numeric BSON types: an Int64 stays Int64 and a double with an integral value (2.0)
 * stays a double, where plain JS numbers would come back as int32. Stored documents hold such
 * values as Long / Double objects; mingo only understands JS numbers, so it gets a number view
 * (cached per stored document, which is immutable), and after an update the paths that held or
 * received such a value get their type back.
 */
import { BSON, type Document } from 'bson';
import { isPlainObject } from './values';

type Wide = BSON.Long | BSON.Double;

function bsonTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
}

export function isLong(v: unknown): v is BSON.Long {
  return bsonTypeOf(v) === 'Long';
}

function isWide(v: unknown): v is Wide {
  const t = bsonTypeOf(v);
  return t === 'Long' || t === 'Double';
}

export function hasWide(v: unknown): boolean {
  if (isWide(v)) return true;
  if (Array.isArray(v)) return v.some(hasWide);
  if (isPlainObject(v)) {
    for (const k in v) if (hasWide(v[k])) return true;
  }
  return false;
}

/** A copy with every Long / Double as a JS number; the same object when it holds none. */
export function wideToNumbers<T>(v: T): T {
  if (!hasWide(v)) return v;
  return toNumbers(v) as T;
}

function toNumbers(v: unknown): unknown {
  if (isLong(v)) return v.toNumber();
  if (bsonTypeOf(v) === 'Double') return (v as BSON.Double).value;
  if (Array.isArray(v)) return v.map(toNumbers);
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = toNumbers(v[k]);
    return out;
  }
  return v;
}

export interface WidePath {
  path: string;
  type: 'long' | 'double';
}

/** Dotted paths (array positions included) of every Long / Double inside `v`. */
export function widePaths(v: unknown, prefix = '', out: WidePath[] = []): WidePath[] {
  if (isWide(v)) {
    out.push({ path: prefix, type: isLong(v) ? 'long' : 'double' });
  } else if (Array.isArray(v)) {
    v.forEach((e, i) => widePaths(e, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (isPlainObject(v)) {
    for (const k of Object.keys(v)) widePaths(v[k], prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

function rewrap(value: unknown, type: WidePath['type']): unknown {
  if (typeof value !== 'number') return value;
  if (type === 'long') return Number.isSafeInteger(value) ? BSON.Long.fromNumber(value) : value;
  return Number.isInteger(value) || Object.is(value, -0) ? new BSON.Double(value) : value;
}

/** Gives the numbers found at `paths` their BSON type back (in place). */
export function restoreWide(doc: Document, paths: WidePath[]): void {
  for (const { path, type } of paths) {
    if (path.includes('$')) continue;
    const parts = path.split('.');
    let cur: unknown = doc;
    for (let i = 0; i < parts.length - 1 && cur !== undefined; i++) {
      cur = Array.isArray(cur) ? cur[Number(parts[i])] : isPlainObject(cur) ? cur[parts[i]] : undefined;
    }
    const last = parts[parts.length - 1];
    if (Array.isArray(cur)) cur[Number(last)] = rewrap(cur[Number(last)], type);
    else if (isPlainObject(cur) && last in cur) cur[last] = rewrap(cur[last], type);
  }
}

const views = new WeakMap<Document, Document>();

/** What mingo sees of a stored document: itself, or (if it holds Long / Double) a number view. */
export function mingoView(doc: Document): Document {
  const cached = views.get(doc);
  if (cached) return cached;
  const view = wideToNumbers(doc);
  views.set(doc, view);
  return view;
}

/**
 * Turns wire values (decoded without promotion) into engine values. `store` is for documents
 * the engine keeps: Long and integral Double stay wrapped. Elsewhere (filters, limits, ids)
 * everything numeric becomes a JS number, Long only when it fits.
 */
function fromWire(v: unknown, store: boolean): unknown {
  switch (bsonTypeOf(v)) {
    case undefined:
      break;
    case 'Int32':
      return (v as BSON.Int32).value;
    case 'Double': {
      const d = (v as BSON.Double).value;
      return store && (Number.isInteger(d) || Object.is(d, -0)) ? v : d;
    }
    case 'Long': {
      const l = v as BSON.Long;
      if (store) return l;
      const n = l.toNumber();
      return Number.isSafeInteger(n) ? n : l;
    }
    case 'BSONSymbol':
      return (v as BSON.BSONSymbol).valueOf();
    case 'DBRef': {
      // bson decodes {$ref, $id, $db} as a DBRef object; MongoDB stores and queries it as the
      // plain sub-document it is (refs.$id), so the engine keeps it as one.
      const r = v as BSON.DBRef;
      const out: Document = { $ref: r.collection, $id: fromWire(r.oid, store) };
      if (r.db !== undefined) out.$db = r.db;
      for (const [k, f] of Object.entries(r.fields ?? {})) out[k] = fromWire(f, store);
      return out;
    }
    default:
      return v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = fromWire(v[i], store);
    return v;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) v[k] = fromWire(v[k], store);
  }
  return v;
}

/**
 * Commands arrive decoded without numeric promotion; only the documents a command stores keep
 * Long / Double wrappers. Converts in place (the command belongs to this request alone).
 */
export function normaliseCommand(cmd: Document): Document {
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'documents' || k === 'update') cmd[k] = fromWire(v, true);
    else if (k === 'updates' && Array.isArray(v)) {
      for (const st of v) {
        if (!isPlainObject(st)) continue;
        for (const f of Object.keys(st)) st[f] = fromWire(st[f], f === 'u');
      }
    } else cmd[k] = fromWire(v, false);
  }
  return cmd;
}
