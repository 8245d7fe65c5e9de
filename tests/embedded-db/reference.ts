/**
 * A small reference evaluator for the differential property test, written from MongoDB's
 * documented semantics and independent of the engine's code: matching (dotted paths through
 * arrays, null versus missing, type-bracketed comparisons, $in, $all, $size, $elemMatch, $type,
 * $exists, $not, $and/$or/$nor), sort order (arrays by their smallest / largest element, an empty
 * array below null and missing), skip/limit, find projections (inclusion, exclusion, $slice) and
 * the update operators the generator produces, including positional `$`, `$[]` and `$[id]`.
 * Numbers in the generated data are multiples of 0.25, so comparing them as doubles is exact.
 */
import { Binary, Decimal128, Double, Long, ObjectId, type Document } from 'mongodb';

export const MISSING = Symbol('missing');
export class RefError extends Error {
  constructor(readonly code: number) {
    super(`reference error ${code}`);
  }
}

type V = unknown;

function isDoc(v: V): v is Document {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Binary) && !(v instanceof ObjectId) && !(v instanceof Long) && !(v instanceof Double) && !(v instanceof Decimal128);
}

function isNum(v: V): boolean {
  return typeof v === 'number' || v instanceof Long || v instanceof Double || v instanceof Decimal128;
}

function num(v: V): number {
  if (typeof v === 'number') return v;
  if (v instanceof Long) return v.toNumber();
  if (v instanceof Double) return v.value;
  return Number((v as Decimal128).toString());
}

/** MongoDB's sort/comparison order of types (the documented "BSON Types Comparison Order"). */
function rank(v: V): number {
  if (v === MISSING || v === null || v === undefined) return 1;
  if (isNum(v)) return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (v instanceof Binary) return 6;
  if (v instanceof ObjectId) return 7;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 4;
}

export function cmp(a: V, b: V): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 2:
      return Math.sign(num(a) - num(b));
    case 3:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 5: {
      const x = a as V[];
      const y = b as V[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = cmp(x[i], y[i]);
        if (c !== 0) return c;
      }
      return Math.sign(x.length - y.length);
    }
    case 6: {
      const x = a as Binary;
      const y = b as Binary;
      if (x.length() !== y.length()) return Math.sign(x.length() - y.length());
      if (x.sub_type !== y.sub_type) return Math.sign(x.sub_type - y.sub_type);
      return Buffer.compare(Buffer.from(x.value()), Buffer.from(y.value()));
    }
    case 7:
      return Math.sign((a as ObjectId).toHexString().localeCompare((b as ObjectId).toHexString()));
    case 8:
      return Number(a) - Number(b);
    case 9:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 4: {
      const x = a as Document;
      const y = b as Document;
      const ka = Object.keys(x);
      const kb = Object.keys(y);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const rt = rank(x[ka[i]]) - rank(y[kb[i]]);
        if (rt !== 0) return Math.sign(rt);
        if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
        const c = cmp(x[ka[i]], y[kb[i]]);
        if (c !== 0) return c;
      }
      return Math.sign(ka.length - kb.length);
    }
    default:
      return 0;
  }
}

function eq(a: V, b: V): boolean {
  if (b === null) return a === null || a === MISSING;
  if (a === MISSING) return false;
  return rank(a) === rank(b) && cmp(a, b) === 0;
}

interface Leaf {
  v: V;
  /** The leaf is an element of an array at the end of the path. */
  inArray: boolean;
  /** Index in the first array crossed. */
  pos?: number;
}

/** The values a dotted path reaches (the documented array traversal). */
function leaves(doc: V, path: string[], pos?: number): Leaf[] {
  if (path.length === 0) {
    const out: Leaf[] = [{ v: doc, inArray: false, pos }];
    if (Array.isArray(doc)) doc.forEach((e, i) => out.push({ v: e, inArray: true, pos: pos ?? i }));
    return out;
  }
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const out: Leaf[] = [];
    if (/^\d+$/.test(head) && Number(head) < doc.length) out.push(...leaves(doc[Number(head)], rest, pos ?? Number(head)));
    doc.forEach((e, i) => {
      if (isDoc(e)) out.push(...leaves(e, path, pos ?? i));
    });
    return out.length > 0 ? out : [{ v: MISSING, inArray: false, pos }];
  }
  if (isDoc(doc)) return leaves(Object.prototype.hasOwnProperty.call(doc, head) ? doc[head] : MISSING, rest, pos);
  return [{ v: MISSING, inArray: false, pos }];
}

const TYPE_OF: Record<string, (v: V) => boolean> = {
  number: isNum,
  int: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31,
  double: (v) => (typeof v === 'number' && !Number.isInteger(v)) || v instanceof Double,
  long: (v) => v instanceof Long,
  decimal: (v) => v instanceof Decimal128,
  string: (v) => typeof v === 'string',
  array: (v) => Array.isArray(v),
  object: isDoc,
  null: (v) => v === null,
  bool: (v) => typeof v === 'boolean',
  date: (v) => v instanceof Date,
  objectId: (v) => v instanceof ObjectId,
  binData: (v) => v instanceof Binary,
};

interface MatchResult {
  ok: boolean;
  pos?: number;
}

function isOps(v: V): v is Document {
  return isDoc(v) && Object.keys(v).length > 0 && Object.keys(v)[0].startsWith('$');
}

/** One operator against a field's leaves; `pos` is the element that satisfied it. */
function opMatches(ls: Leaf[], op: string, arg: V): MatchResult {
  const first = (pred: (l: Leaf) => boolean): MatchResult => {
    const hit = ls.find(pred);
    return hit ? { ok: true, pos: hit.pos } : { ok: false };
  };
  switch (op) {
    case '$eq':
      return first((l) => eq(l.v, arg));
    case '$ne':
      return { ok: !opMatches(ls, '$eq', arg).ok };
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (arg === null) return op === '$gte' || op === '$lte' ? first((l) => eq(l.v, null)) : { ok: false };
      return first((l) => {
        if (l.v === MISSING || rank(l.v) !== rank(arg)) return false;
        const c = cmp(l.v, arg);
        return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
      });
    case '$in':
      return first((l) => (arg as V[]).some((a) => eq(l.v, a)));
    case '$nin':
      return { ok: !opMatches(ls, '$in', arg).ok };
    case '$exists':
      return { ok: ls.some((l) => l.v !== MISSING) === Boolean(arg) };
    case '$size':
      return { ok: ls.some((l) => !l.inArray && Array.isArray(l.v) && l.v.length === arg) };
    case '$type':
      return first((l) => l.v !== MISSING && TYPE_OF[arg as string](l.v));
    case '$all': {
      // An AND of equalities: each records the element it matched, the last one counts.
      const list = arg as V[];
      if (list.length === 0) return { ok: false };
      let pos: number | undefined;
      for (const a of list) {
        const r = opMatches(ls, '$eq', a);
        if (!r.ok) return { ok: false };
        pos = r.pos;
      }
      return { ok: true, pos };
    }
    case '$elemMatch': {
      for (const l of ls) {
        if (l.inArray || !Array.isArray(l.v)) continue;
        const i = l.v.findIndex((e) => Object.entries(arg as Document).every(([o, a]) => opMatches([{ v: e, inArray: false }], o, a).ok));
        if (i >= 0) return { ok: true, pos: l.pos ?? i };
      }
      return { ok: false };
    }
    case '$not':
      return { ok: !fieldMatches(ls, arg as Document).ok };
    default:
      throw new Error(`reference: no operator ${op}`);
  }
}

function fieldMatches(ls: Leaf[], cond: V): MatchResult {
  if (!isOps(cond)) return opMatches(ls, '$eq', cond);
  let pos: number | undefined;
  for (const [op, arg] of Object.entries(cond)) {
    const r = opMatches(ls, op, arg);
    if (!r.ok) return { ok: false };
    if (r.pos !== undefined) pos = r.pos;
  }
  return { ok: true, pos };
}

export function matches(doc: Document, filter: Document): MatchResult {
  let pos: number | undefined;
  for (const [k, cond] of Object.entries(filter)) {
    let r: MatchResult;
    if (k === '$and') r = andAll(doc, cond as Document[]);
    else if (k === '$or') r = { ok: (cond as Document[]).some((f) => matches(doc, f).ok) };
    else if (k === '$nor') r = { ok: !(cond as Document[]).some((f) => matches(doc, f).ok) };
    else r = fieldMatches(leaves(doc, k.split('.')), cond);
    if (!r.ok) return { ok: false };
    if (r.pos !== undefined) pos = r.pos;
  }
  return { ok: true, pos };
}

function andAll(doc: Document, fs: Document[]): MatchResult {
  let pos: number | undefined;
  for (const f of fs) {
    const r = matches(doc, f);
    if (!r.ok) return { ok: false };
    if (r.pos !== undefined) pos = r.pos;
  }
  return { ok: true, pos };
}

// ---------------------------------------------------------------------------------------------
// Sort, skip, limit

/** An empty array sorts below null and missing; otherwise the smallest (largest) element. */
function sortKey(doc: Document, path: string, dir: number): { r: number; v: V } {
  const ls = leaves(doc, path.split('.'));
  const direct = ls.filter((l) => !l.inArray);
  if (direct.length === 1 && Array.isArray(direct[0].v) && direct[0].v.length === 0 && ls.length === 1) return { r: 0, v: null };
  const vals = ls.filter((l) => !(Array.isArray(l.v) && !l.inArray)).map((l) => (l.v === MISSING ? null : l.v));
  if (vals.length === 0) return { r: 0, v: null };
  let best = vals[0];
  for (const v of vals.slice(1)) if ((dir > 0 && cmp(v, best) < 0) || (dir < 0 && cmp(v, best) > 0)) best = v;
  return { r: 1, v: best };
}

export function sortDocs(docs: Document[], field: string, dir: number): Document[] {
  return docs
    .map((d) => ({ d, k: sortKey(d, field, dir) }))
    .sort((a, b) => (a.k.r - b.k.r || cmp(a.k.v, b.k.v)) * dir || cmp(a.d._id, b.d._id))
    .map((x) => x.d);
}

// ---------------------------------------------------------------------------------------------
// Projection (top-level and one-level-nested paths, as the generator produces)

export function projectDoc(doc: Document, proj: Document): Document {
  const entries = Object.entries(proj);
  if (entries.length === 0) return doc;
  const idOut = proj._id === 0;
  const fields = entries.filter(([k]) => k !== '_id');
  const inclusion = fields.some(([, v]) => v === 1) || (fields.length === 0 && proj._id === 1);
  const slice = (v: V, n: number): V => (Array.isArray(v) ? (n >= 0 ? v.slice(0, n) : v.slice(Math.max(0, v.length + n))) : v);
  if (inclusion) {
    const out: Document = {};
    if (!idOut && doc._id !== undefined) out._id = doc._id;
    for (const k of Object.keys(doc)) {
      if (k === '_id') continue;
      const spec = proj[k];
      if (spec === 1) out[k] = doc[k];
      else if (isDoc(spec) && '$slice' in spec) out[k] = slice(doc[k], spec.$slice as number);
      else {
        const subs = fields.filter(([p]) => p.startsWith(`${k}.`)).map(([p]) => p.slice(k.length + 1));
        if (subs.length === 0) continue;
        const pick = (v: V): V => {
          if (Array.isArray(v)) return v.filter((e) => isDoc(e) || Array.isArray(e)).map(pick);
          if (!isDoc(v)) return undefined;
          const o: Document = {};
          for (const f of Object.keys(v)) if (subs.includes(f)) o[f] = v[f];
          return o;
        };
        const picked = pick(doc[k]);
        if (picked !== undefined) out[k] = picked;
      }
    }
    return out;
  }
  const out: Document = {};
  for (const k of Object.keys(doc)) {
    if (k === '_id' && idOut) continue;
    const spec = proj[k];
    if (spec === 0) continue;
    out[k] = isDoc(spec) && '$slice' in spec ? slice(doc[k], spec.$slice as number) : doc[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Updates

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isDoc(v)) {
    const o: Document = {};
    for (const k of Object.keys(v)) o[k] = clone(v[k]);
    return o as T;
  }
  return v;
}

function isNumericKind(v: V): boolean {
  return isNum(v);
}

/** int + int stays int (in range), anything with a double is a double, long with int is long. */
function add(a: V, b: V): V {
  if (a instanceof Decimal128 || b instanceof Decimal128) throw new Error('reference: no decimal arithmetic');
  const dbl = (v: V): boolean => v instanceof Double || (typeof v === 'number' && !Number.isInteger(v));
  const sum = num(a) + num(b);
  if (dbl(a) || dbl(b)) return Number.isInteger(sum) ? new Double(sum) : sum;
  if (a instanceof Long || b instanceof Long) return Long.fromNumber(sum);
  return Math.abs(sum) < 2 ** 31 ? sum : Long.fromNumber(sum);
}

/** Expands `$`, `$[]`, `$[id]` to concrete paths. */
function expand(doc: Document, parts: string[], pos: number | undefined, filters: Record<string, Document>): string[][] {
  const out: string[][] = [];
  const rec = (prefix: string[], i: number, cur: V): void => {
    if (i === parts.length) {
      out.push(prefix);
      return;
    }
    const p = parts[i];
    if (p === '$') {
      if (pos === undefined) throw new RefError(2);
      rec([...prefix, String(pos)], i + 1, Array.isArray(cur) ? cur[pos] : undefined);
      return;
    }
    if (p.startsWith('$[')) {
      if (cur === undefined) throw new RefError(2);
      if (!Array.isArray(cur)) throw new RefError(2);
      const id = p.slice(2, -1);
      cur.forEach((e, j) => {
        if (id && !matches({ [id]: e }, filters[id]).ok) return;
        rec([...prefix, String(j)], i + 1, e);
      });
      return;
    }
    const next = Array.isArray(cur) ? (/^\d+$/.test(p) ? cur[Number(p)] : undefined) : isDoc(cur) ? cur[p] : undefined;
    rec([...prefix, p], i + 1, next);
  };
  rec([], 0, doc);
  return out;
}

/** The container of the last part, created (or refused with 28) for writing ops. */
function container(doc: Document, parts: string[], create: boolean): Document | V[] | null {
  let cur: Document | V[] = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    let next: V;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(p)) {
        if (create) throw new RefError(28);
        return null;
      }
      next = cur[Number(p)];
    } else next = Object.prototype.hasOwnProperty.call(cur, p) ? cur[p] : undefined;
    if (next === undefined) {
      if (!create) return null;
      next = {};
      put(cur, p, next);
    } else if (!Array.isArray(next) && !isDoc(next)) {
      if (create) throw new RefError(28);
      return null;
    }
    cur = next as Document | V[];
  }
  return cur;
}

function put(c: Document | V[], key: string, v: V): void {
  if (Array.isArray(c)) {
    if (!/^\d+$/.test(key)) throw new RefError(28);
    while (c.length < Number(key)) c.push(null);
    c[Number(key)] = v;
  } else c[key] = v;
}

function get(c: Document | V[] | null, key: string): V {
  if (!c) return undefined;
  if (Array.isArray(c)) return /^\d+$/.test(key) ? c[Number(key)] : undefined;
  return Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined;
}

/** Applies a modifier update as MongoDB documents it; throws RefError(code) on refusals. */
export function applyUpdate(original: Document, update: Document, pos: number | undefined, arrayFilters: Document[]): Document {
  const doc = clone(original);
  const filters: Record<string, Document> = {};
  for (const f of arrayFilters) filters[Object.keys(f)[0].split('.')[0]] = f;
  const work: Array<{ op: string; parts: string[]; arg: V }> = [];
  for (const [op, fields] of Object.entries(update)) {
    for (const [path, arg] of Object.entries(fields as Document)) {
      for (const parts of expand(doc, path.split('.'), pos, filters)) work.push({ op, parts, arg });
    }
  }
  // Applied in field-name order (new fields appear in that order).
  work.sort((a, b) => {
    for (let i = 0; i < Math.min(a.parts.length, b.parts.length); i++) {
      const x = a.parts[i];
      const y = b.parts[i];
      if (x === y) continue;
      if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
      return x < y ? -1 : 1;
    }
    return a.parts.length - b.parts.length;
  });
  for (const { op, parts, arg } of work) {
    const last = parts[parts.length - 1];
    switch (op) {
      case '$set':
        put(container(doc, parts, true) as Document, last, clone(arg));
        break;
      case '$unset': {
        const c = container(doc, parts, false);
        if (Array.isArray(c)) {
          if (/^\d+$/.test(last) && Number(last) < c.length) c[Number(last)] = null;
        } else if (c) delete c[last];
        break;
      }
      case '$inc': {
        const c = container(doc, parts, true) as Document;
        const cur = get(c, last);
        if (cur === undefined) put(c, last, arg);
        else if (!isNumericKind(cur)) throw new RefError(14);
        else put(c, last, add(cur, arg));
        break;
      }
      case '$min':
      case '$max': {
        const c = container(doc, parts, true) as Document;
        const cur = get(c, last);
        if (cur === undefined || (op === '$min' ? cmp(arg, cur) < 0 : cmp(arg, cur) > 0)) put(c, last, clone(arg));
        break;
      }
      case '$push':
      case '$addToSet': {
        const c = container(doc, parts, true) as Document;
        let cur = get(c, last);
        if (cur === undefined) {
          cur = [];
          put(c, last, cur);
        }
        if (!Array.isArray(cur)) throw new RefError(2);
        if (op === '$push' || !cur.some((e) => rank(e) === rank(arg) && cmp(e, arg) === 0)) cur.push(clone(arg));
        break;
      }
      case '$pop':
      case '$pull': {
        const cur = get(container(doc, parts, false), last);
        if (cur === undefined) break;
        if (!Array.isArray(cur)) throw new RefError(op === '$pop' ? 14 : 2);
        if (op === '$pop') {
          if (arg === 1) cur.pop();
          else cur.shift();
        } else {
          const keep = cur.filter((e) => !(isOps(arg) ? fieldMatches([{ v: e, inArray: false }], arg).ok : eq(e, arg) && (arg !== null || e === null)));
          cur.length = 0;
          cur.push(...keep);
        }
        break;
      }
      default:
        throw new Error(`reference: no update operator ${op}`);
    }
  }
  return doc;
}
