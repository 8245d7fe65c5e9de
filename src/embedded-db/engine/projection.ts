/**
 * Find projections as MongoDB 4.4+ applies them: inclusion (`_id` first, then the document's own
 * field order), exclusion, `$slice` (which keeps the projection's mode: alone it returns every
 * other field), `$elemMatch` (operator-only conditions included), and the positional `field.$`.
 * Projections holding aggregation expressions are the caller's to hand to mingo.
 */
import type { Document } from 'bson';
import { badValue, MongoError } from '../errors';
import { compileMatcher, type Matcher } from './matcher';
import { isNumeric, isPlainObject, setOwn, toNumber } from './values';

type Node =
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'slice'; skip: number; limit: number | null; from: 'start' | 'end' }
  | { kind: 'elemMatch'; matcher: Matcher }
  | { kind: 'positional' }
  | { kind: 'tree'; children: Map<string, Node> };

export interface CompiledProjection {
  mode: 'inclusion' | 'exclusion';
  idMode: 'include' | 'exclude';
  root: Map<string, Node>;
  positional: boolean;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** True when the projection can be applied here (no aggregation expressions, no $meta). */
export function isSimpleProjection(projection: Document): boolean {
  for (const v of Object.values(projection)) {
    if (typeof v === 'boolean' || isNumeric(v)) continue;
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && (keys[0] === '$slice' || keys[0] === '$elemMatch')) continue;
    }
    return false;
  }
  return true;
}

function parseSlice(arg: unknown): Node {
  if (isNumeric(arg)) {
    const n = Math.trunc(toNumber(arg));
    return n >= 0 ? { kind: 'slice', skip: 0, limit: n, from: 'start' } : { kind: 'slice', skip: -n, limit: null, from: 'end' };
  }
  if (Array.isArray(arg) && arg.length === 2 && isNumeric(arg[0]) && isNumeric(arg[1])) {
    const limit = Math.trunc(toNumber(arg[1]));
    if (limit <= 0) throw new MongoError(28724, 'First argument to $slice must be an array, second argument must be a positive number of elements');
    const skip = Math.trunc(toNumber(arg[0]));
    return skip >= 0 ? { kind: 'slice', skip, limit, from: 'start' } : { kind: 'slice', skip: -skip, limit, from: 'end' };
  }
  throw badValue('$slice only supports numbers and [skip, limit] arrays');
}

export function compileProjection(projection: Document): CompiledProjection {
  const root = new Map<string, Node>();
  let mode: 'inclusion' | 'exclusion' | null = null;
  let idMode: 'include' | 'exclude' = 'include';
  let positional = false;
  const setMode = (m: 'inclusion' | 'exclusion', path: string): void => {
    if (mode && mode !== m) {
      throw m === 'exclusion'
        ? new MongoError(31254, `Cannot do exclusion on field ${path} in inclusion projection`)
        : new MongoError(31253, `Cannot do inclusion on field ${path} in exclusion projection`);
    }
    mode = m;
  };
  for (const [path, spec] of Object.entries(projection)) {
    let node: Node;
    if (typeof spec === 'boolean' || isNumeric(spec)) {
      const include = typeof spec === 'boolean' ? spec : toNumber(spec) !== 0;
      if (path === '_id') {
        idMode = include ? 'include' : 'exclude';
        continue;
      }
      if (path.endsWith('.$')) {
        if (!include) throw badValue(`Cannot exclude a positional projection: ${path}`);
        if (positional) throw badValue('Cannot specify more than one positional projection per query.');
        positional = true;
        setMode('inclusion', path);
        insert(root, path.slice(0, -2).split('.'), { kind: 'positional' }, path);
        continue;
      }
      setMode(include ? 'inclusion' : 'exclusion', path);
      node = { kind: include ? 'include' : 'exclude' };
    } else if (isPlainObject(spec) && hasOwn(spec, '$slice')) {
      node = parseSlice(spec.$slice);
    } else if (isPlainObject(spec) && hasOwn(spec, '$elemMatch')) {
      if (path.includes('.')) throw badValue(`Cannot use $elemMatch projection on a nested field: ${path}`);
      if (!isPlainObject(spec.$elemMatch)) throw badValue('elemMatch: Invalid argument, object required.');
      const m = compileMatcher({ v: { $elemMatch: spec.$elemMatch } });
      node = { kind: 'elemMatch', matcher: m };
      // $elemMatch selects fields: alone it is an inclusion projection.
      if (!mode) mode = 'inclusion';
    } else {
      throw badValue(`Unsupported projection option: ${path}`);
    }
    insert(root, path.split('.'), node, path);
  }
  if (!mode) {
    // Only $slice fields (an exclusion: every other field stays), or only _id: {_id: 1} returns
    // just the _id, {_id: 0} everything else.
    mode = root.size > 0 || idMode === 'exclude' ? 'exclusion' : 'inclusion';
  }
  return { mode, idMode, root, positional };
}

function insert(root: Map<string, Node>, parts: string[], node: Node, path: string): void {
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const existing = cur.get(parts[i]);
    if (existing && existing.kind !== 'tree') throw new MongoError(31250, `Path collision at ${path}`);
    if (!existing) {
      const t: Node = { kind: 'tree', children: new Map() };
      cur.set(parts[i], t);
      cur = t.children;
    } else cur = existing.children;
  }
  const last = parts[parts.length - 1];
  if (cur.has(last)) throw new MongoError(31250, `Path collision at ${path}`);
  cur.set(last, node);
}

function slice(v: unknown, n: Extract<Node, { kind: 'slice' }>): unknown {
  if (!Array.isArray(v)) return v;
  if (n.from === 'start') return v.slice(n.skip, n.limit === null ? undefined : n.skip + n.limit);
  const start = Math.max(0, v.length - n.skip);
  return v.slice(start, n.limit === null ? undefined : start + n.limit);
}

interface ApplyCtx {
  position: number | undefined;
}

function applyLeaf(node: Node, value: unknown, ctx: ApplyCtx): { keep: boolean; value?: unknown } {
  switch (node.kind) {
    case 'include':
      return { keep: true, value };
    case 'slice':
      return { keep: true, value: slice(value, node) };
    case 'elemMatch': {
      if (!Array.isArray(value)) return { keep: false };
      const hit = value.find((e) => node.matcher.test({ v: [e] }));
      return hit === undefined ? { keep: false } : { keep: true, value: [hit] };
    }
    case 'positional': {
      if (!Array.isArray(value)) return { keep: true, value };
      if (ctx.position === undefined || ctx.position >= value.length) {
        throw new MongoError(51246, 'Executor error during find command :: caused by :: positional operator \'.$\' couldn\'t find a matching element in the array');
      }
      return { keep: true, value: [value[ctx.position]] };
    }
    default:
      return { keep: true, value };
  }
}

/** Inclusion: only the named paths (and what $slice / $elemMatch / `.$` select), in document order. */
function include(doc: Document, tree: Map<string, Node>, ctx: ApplyCtx): Document {
  const out: Document = {};
  for (const key of Object.keys(doc)) {
    const node = tree.get(key);
    if (!node) continue;
    const value = doc[key];
    if (node.kind === 'tree') {
      const sub = includeValue(value, node.children, ctx);
      if (sub !== undefined) setOwn(out, key, sub);
      continue;
    }
    if (node.kind === 'exclude') continue;
    const r = applyLeaf(node, value, ctx);
    if (r.keep) setOwn(out, key, r.value);
  }
  return out;
}

function includeValue(value: unknown, tree: Map<string, Node>, ctx: ApplyCtx): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const e of value) {
      if (Array.isArray(e)) out.push(includeValue(e, tree, ctx));
      else if (isPlainObject(e)) out.push(include(e, tree, ctx));
    }
    return out;
  }
  if (isPlainObject(value)) return include(value, tree, ctx);
  return undefined;
}

/** Exclusion: everything but the named paths; $slice nodes trim their arrays. */
function exclude(doc: Document, tree: Map<string, Node>, ctx: ApplyCtx): Document {
  const out: Document = {};
  for (const key of Object.keys(doc)) {
    const node = tree.get(key);
    const value = doc[key];
    if (!node) {
      setOwn(out, key, value);
      continue;
    }
    if (node.kind === 'exclude') continue;
    if (node.kind === 'tree') {
      setOwn(out, key, excludeValue(value, node.children, ctx));
      continue;
    }
    const r = applyLeaf(node, value, ctx);
    if (r.keep) setOwn(out, key, r.value);
  }
  return out;
}

function excludeValue(value: unknown, tree: Map<string, Node>, ctx: ApplyCtx): unknown {
  if (Array.isArray(value)) return value.map((e) => (Array.isArray(e) || isPlainObject(e) ? excludeValue(e, tree, ctx) : e));
  if (isPlainObject(value)) return exclude(value, tree, ctx);
  return value;
}

/** Applies a compiled projection to a document the caller owns. */
export function applyProjection(doc: Document, p: CompiledProjection, position: number | undefined): Document {
  const ctx: ApplyCtx = { position };
  if (p.mode === 'inclusion') {
    const body = include(doc, p.root, ctx);
    if (p.idMode === 'exclude' || !hasOwn(doc, '_id')) return body;
    const out: Document = { _id: doc._id };
    for (const k of Object.keys(body)) if (k !== '_id') setOwn(out, k, body[k]);
    return out;
  }
  const out = exclude(doc, p.root, ctx);
  if (p.idMode === 'exclude') delete out._id;
  return out;
}
