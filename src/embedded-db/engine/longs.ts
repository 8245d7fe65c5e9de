/**
 * Keeps Int64 values Int64. Commands are decoded with Long objects intact (so a stored document
 * keeps its BSON types), but mingo only understands JS numbers: it gets a number view of any
 * document holding Longs (cached per stored document, which is immutable), and after an update
 * the paths that held or received an Int64 are turned back into Int64.
 */
import { BSON, type Document } from 'bson';
import { isPlainObject } from './values';

export function isLong(v: unknown): v is BSON.Long {
  return typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Long';
}

export function hasLong(v: unknown): boolean {
  if (isLong(v)) return true;
  if (Array.isArray(v)) return v.some(hasLong);
  if (isPlainObject(v)) {
    for (const k in v) if (hasLong(v[k])) return true;
  }
  return false;
}

/** A copy with every Int64 as a JS number; the same object when it holds none. */
export function longsToNumbers<T>(v: T): T {
  if (!hasLong(v)) return v;
  return convert(v) as T;
}

function convert(v: unknown): unknown {
  if (isLong(v)) return v.toNumber();
  if (Array.isArray(v)) return v.map(convert);
  if (isPlainObject(v)) {
    const out: Document = {};
    for (const k of Object.keys(v)) out[k] = convert(v[k]);
    return out;
  }
  return v;
}

/** Dotted paths (array positions included) of every Int64 inside `v`. */
export function longPaths(v: unknown, prefix = '', out: string[] = []): string[] {
  if (isLong(v)) {
    out.push(prefix);
  } else if (Array.isArray(v)) {
    v.forEach((e, i) => longPaths(e, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (isPlainObject(v)) {
    for (const k of Object.keys(v)) longPaths(v[k], prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** Turns integral numbers found at `paths` back into Int64 (in place). */
export function restoreLongs(doc: Document, paths: string[]): void {
  for (const path of paths) {
    if (path.includes('$')) continue;
    const parts = path.split('.');
    let cur: unknown = doc;
    for (let i = 0; i < parts.length - 1 && cur !== undefined; i++) {
      cur = Array.isArray(cur) ? cur[Number(parts[i])] : isPlainObject(cur) ? cur[parts[i]] : undefined;
    }
    const last = parts[parts.length - 1];
    if (Array.isArray(cur)) {
      const idx = Number(last);
      if (Number.isSafeInteger(cur[idx])) cur[idx] = BSON.Long.fromNumber(cur[idx] as number);
    } else if (isPlainObject(cur) && Number.isSafeInteger(cur[last])) {
      cur[last] = BSON.Long.fromNumber(cur[last] as number);
    }
  }
}

const views = new WeakMap<Document, Document>();

/** What mingo sees of a stored document: itself, or (if it holds Int64s) a cached number view. */
export function mingoView(doc: Document): Document {
  const cached = views.get(doc);
  if (cached) return cached;
  const view = longsToNumbers(doc);
  views.set(doc, view);
  return view;
}

/**
 * Command documents arrive with Longs intact; only the documents a command stores keep them.
 * Every other field (limits, cursor ids, filters) becomes plain numbers for the engine.
 */
export function normaliseCommand(cmd: Document): Document {
  if (!hasLong(cmd)) return cmd;
  const out: Document = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'documents' || k === 'update') out[k] = v;
    else if (k === 'updates' && Array.isArray(v)) {
      out[k] = v.map((st) => (isPlainObject(st) ? { ...(longsToNumbers({ ...st, u: null }) as Document), u: st.u } : st));
    } else out[k] = longsToNumbers(v);
  }
  return out;
}
