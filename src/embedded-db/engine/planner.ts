/**
 * The query planner: picks the _id lookup (IDHACK), one index scan (IXSCAN over intervals on the
 * index's first field) or a collection scan, and says whether the index order already gives the
 * requested sort (so sort + limit stops early). Index candidates are a superset of the answer;
 * the executor filters every candidate with the full query, so the plan never changes results.
 */
import type { Document } from 'bson';
import { badValue } from '../errors';
import type { Collection } from './collection';
import type { Index } from './indexes';
import { compareValues, formatValue, isPlainObject, keyString, typeRank } from './values';

interface Bound {
  value?: unknown;
  /** A type edge: the lowest (min) or highest (max) value of a type rank. */
  edge?: 'min' | 'max';
  rank: number;
  inclusive: boolean;
}

export interface Interval {
  lo: Bound;
  hi: Bound;
}

interface FieldPredicate {
  points?: unknown[];
  /** Elements of an $all: every match holds each of them, so any one is a sound seek. */
  all?: unknown[];
  lo?: Bound;
  hi?: Bound;
}

export interface Plan {
  kind: 'IDHACK' | 'COLLSCAN' | 'IXSCAN';
  index?: Index;
  /** Intervals on the index's first field; undefined means the whole index. */
  intervals?: Interval[];
  /** Walk the index (and its intervals) backwards. */
  reverse: boolean;
  providesSort: boolean;
  idValue?: unknown;
}

export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
}

/** Values an index can seek to exactly. null, regexes and arrays have looser semantics. */
function seekable(v: unknown): boolean {
  if (v === null || v === undefined || v instanceof RegExp || Array.isArray(v)) return false;
  if (isPlainObject(v)) return !Object.keys(v).some((k) => k.startsWith('$'));
  return true;
}

/** Types whose ranges MongoDB brackets by type: $gt: 5 matches numbers only. */
function rangeable(v: unknown): boolean {
  return v !== null && v !== undefined && !(v instanceof RegExp) && !Array.isArray(v) && !isPlainObject(v);
}

function mergePredicate(into: Map<string, FieldPredicate>, field: string, p: FieldPredicate): void {
  const cur = into.get(field);
  if (!cur) {
    into.set(field, p);
    return;
  }
  if (!cur.points && p.points) cur.points = p.points;
  if (p.all) cur.all = [...(cur.all ?? []), ...p.all];
  if (p.lo && (!cur.lo || compareBound(p.lo, cur.lo) > 0)) cur.lo = p.lo;
  if (p.hi && (!cur.hi || compareBound(p.hi, cur.hi) < 0)) cur.hi = p.hi;
}

function compareBound(a: Bound, b: Bound): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.edge || b.edge) return (a.edge === 'max' ? 1 : a.edge === 'min' ? -1 : 0) - (b.edge === 'max' ? 1 : b.edge === 'min' ? -1 : 0);
  return compareValues(a.value, b.value);
}

/** Conditions on plain fields that an index can turn into intervals (top level and $and). */
export function extractPredicates(filter: Document, out = new Map<string, FieldPredicate>()): Map<string, FieldPredicate> {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isPlainObject(sub)) extractPredicates(sub, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const isOps = isPlainObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'));
    if (!isOps) {
      if (seekable(cond)) mergePredicate(out, field, { points: [cond] });
      continue;
    }
    const ops = cond as Document;
    for (const [op, arg] of Object.entries(ops)) {
      switch (op) {
        case '$eq':
          if (seekable(arg)) mergePredicate(out, field, { points: [arg] });
          break;
        case '$in':
          // An empty list matches nothing: an index answers it with no interval at all (no scan).
          if (Array.isArray(arg) && arg.every(seekable)) mergePredicate(out, field, { points: arg });
          break;
        case '$all':
          if (Array.isArray(arg)) {
            const seekables = arg.filter(seekable);
            if (seekables.length > 0) mergePredicate(out, field, { all: seekables });
          }
          break;
        case '$gt':
        case '$gte':
          if (rangeable(arg)) {
            const rank = typeRank(arg);
            mergePredicate(out, field, {
              lo: { value: arg, rank, inclusive: op === '$gte' },
              hi: { edge: 'max', rank, inclusive: true },
            });
          }
          break;
        case '$lt':
        case '$lte':
          if (rangeable(arg)) {
            const rank = typeRank(arg);
            mergePredicate(out, field, {
              lo: { edge: 'min', rank, inclusive: true },
              hi: { value: arg, rank, inclusive: op === '$lte' },
            });
          }
          break;
        default:
          break;
      }
    }
  }
  return out;
}

function pointInterval(v: unknown): Interval {
  const b: Bound = { value: v, rank: typeRank(v), inclusive: true };
  return { lo: b, hi: b };
}

function intervalsFor(index: Index, pred: FieldPredicate, multikey: boolean): Interval[] | null {
  if (!pred.points && pred.all) {
    // Seek to the rarest $all element: a search for "tea AND silk" reads only the silk entries.
    let best: Interval | null = null;
    let bestCount = Infinity;
    for (const v of pred.all) {
      const iv = pointInterval(v);
      const [s, e] = intervalPositions(index, iv);
      if (e - s < bestCount) {
        best = iv;
        bestCount = e - s;
      }
    }
    return best ? [best] : null;
  }
  if (pred.points) {
    const uniq = new Map<string, unknown>();
    for (const p of pred.points) uniq.set(keyString(p), p);
    return [...uniq.values()]
      .sort(compareValues)
      .map((v) => {
        const b: Bound = { value: v, rank: typeRank(v), inclusive: true };
        return { lo: b, hi: b };
      });
  }
  if (pred.lo && pred.hi) {
    // On an array field {$gt: 1, $lt: 5} may be met by two different elements, so only one
    // bound can be used for the scan (as MongoDB does for multikey indexes).
    if (multikey) return [{ lo: pred.lo, hi: { edge: 'max', rank: pred.lo.rank, inclusive: true } }];
    return [{ lo: pred.lo, hi: pred.hi }];
  }
  return null;
}

function cmpToBound(v: unknown, b: Bound): number {
  if (b.edge) {
    const r = typeRank(v) - b.rank;
    if (r !== 0) return r;
    return b.edge === 'min' ? 1 : -1;
  }
  return compareValues(v, b.value);
}

/** Positions [start, end) of an interval in the index's sorted entries. */
export function intervalPositions(index: Index, iv: Interval): [number, number] {
  const dir = index.fields[0].dir;
  if (dir === 1) {
    const start = index.searchFirst((key0) => {
      const c = cmpToBound(key0, iv.lo);
      return c > 0 || (c === 0 && iv.lo.inclusive);
    });
    const end = index.searchFirst((key0) => {
      const c = cmpToBound(key0, iv.hi);
      return c > 0 || (c === 0 && !iv.hi.inclusive);
    });
    return [start, Math.max(start, end)];
  }
  const start = index.searchFirst((key0) => {
    const c = cmpToBound(key0, iv.hi);
    return c < 0 || (c === 0 && iv.hi.inclusive);
  });
  const end = index.searchFirst((key0) => {
    const c = cmpToBound(key0, iv.lo);
    return c < 0 || (c === 0 && !iv.lo.inclusive);
  });
  return [start, Math.max(start, end)];
}

/** Whether walking `index` (forward or reversed) yields documents in `sort` order. */
function sortDirection(index: Index, sort: Document, skipFields: number): 'forward' | 'backward' | null {
  const keys = Object.entries(sort);
  if (keys.length === 0 || index.multikey || index.sparse || index.partial) return null;
  const fields = index.fields.slice(skipFields);
  if (keys.length > fields.length) return null;
  let forward = true;
  let backward = true;
  keys.forEach(([path, dir], i) => {
    if (fields[i].path !== path) {
      forward = false;
      backward = false;
    } else if (dir === fields[i].dir) backward = false;
    else forward = false;
  });
  return forward ? 'forward' : backward ? 'backward' : null;
}

function isSinglePoint(intervals: Interval[]): boolean {
  return intervals.length === 1 && intervals[0].lo === intervals[0].hi;
}

export function findIndexByHint(coll: Collection, hint: unknown): Index {
  for (const index of coll.indexes.values()) {
    if (index.hidden) continue;
    if (typeof hint === 'string' ? index.name === hint : isPlainObject(hint) && keyString(index.spec.key) === keyString(hint)) return index;
  }
  throw badValue('hint provided does not correspond to an existing index');
}

export function planQuery(coll: Collection | undefined, filter: Document, sort: Document | undefined, hint?: unknown): Plan {
  const sortSpec = sort ?? {};
  const hasSort = Object.keys(sortSpec).length > 0;
  const collscan: Plan = { kind: 'COLLSCAN', reverse: false, providesSort: false };
  if (!coll) return collscan;
  const keys = Object.keys(filter);
  if (hint === undefined && keys.length === 1 && keys[0] === '_id' && seekable(filter._id) && !isPlainObject(filter._id)) {
    return { kind: 'IDHACK', reverse: false, providesSort: true, idValue: filter._id };
  }
  if (isPlainObject(hint) && hint.$natural !== undefined) return collscan;
  const preds = extractPredicates(filter);
  const hinted = hint !== undefined && !(isPlainObject(hint) && Object.keys(hint).length === 0) ? findIndexByHint(coll, hint) : undefined;

  let best: { plan: Plan; cost: number } | null = null;
  for (const index of hinted ? [hinted] : coll.indexes.values()) {
    if ((index.partial && !hinted) || index.hidden) continue;
    const first = index.fields[0].path;
    const pred = preds.get(first);
    const intervals = pred ? intervalsFor(index, pred, index.multikeyPaths.has(first)) : null;
    if (!intervals) continue;
    let cost = 0;
    for (const iv of intervals) {
      const [s, e] = intervalPositions(index, iv);
      cost += e - s;
    }
    let providesSort = false;
    let reverse = false;
    if (hasSort) {
      const onRest = isSinglePoint(intervals) ? sortDirection(index, sortSpec, 1) : null;
      const onAll = sortDirection(index, sortSpec, 0);
      const dir = onRest ?? onAll;
      if (dir) {
        providesSort = true;
        reverse = dir === 'backward';
      }
    }
    const plan: Plan = { kind: 'IXSCAN', index, intervals, reverse, providesSort };
    if (!best || cost < best.cost || (cost === best.cost && providesSort && !best.plan.providesSort)) best = { plan, cost };
  }
  if (best) return best.plan;
  if (hinted) {
    const dir = hasSort ? sortDirection(hinted, sortSpec, 0) : null;
    return { kind: 'IXSCAN', index: hinted, reverse: dir === 'backward', providesSort: dir !== null };
  }
  if (hasSort) {
    for (const index of coll.indexes.values()) {
      if (index.hidden) continue;
      const dir = sortDirection(index, sortSpec, 0);
      if (dir) return { kind: 'IXSCAN', index, reverse: dir === 'backward', providesSort: true };
    }
  }
  return collscan;
}

/** Stored documents in plan order (the caller must not mutate or hand them out). */
export function* scan(coll: Collection, plan: Plan, stats: ScanStats): Generator<Document> {
  if (plan.kind === 'IDHACK') {
    stats.keysExamined++;
    const doc = coll.getById(plan.idValue);
    if (doc) {
      stats.docsExamined++;
      yield doc;
    }
    return;
  }
  if (plan.kind === 'COLLSCAN' || !plan.index) {
    for (const doc of coll.docs.values()) {
      stats.docsExamined++;
      yield doc;
    }
    return;
  }
  const index = plan.index;
  const ranges: Array<[number, number]> = plan.intervals
    ? plan.intervals.map((iv) => intervalPositions(index, iv))
    : [[0, index.entryCount]];
  if (plan.reverse) ranges.reverse();
  const seen = index.multikey || ranges.length > 1 ? new Set<string>() : null;
  // Lazy on purpose: sort + limit must stop early. Callers that modify documents materialise
  // the scan before changing anything.
  for (const [start, end] of ranges) {
    for (const id of index.sorted.ids(start, end, plan.reverse)) {
      stats.keysExamined++;
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const doc = coll.docs.get(id);
      if (!doc) continue;
      stats.docsExamined++;
      yield doc;
    }
  }
}

function boundText(b: Bound): string {
  if (b.edge) {
    const edges: Record<number, [string, string]> = {
      2: ['-inf.0', 'inf.0'],
      3: ['""', '{}'],
      7: ["ObjectId('000000000000000000000000')", "ObjectId('ffffffffffffffffffffffff')"],
      9: ['new Date(-9223372036854775808)', 'new Date(9223372036854775807)'],
    };
    const e = edges[b.rank] ?? ['MinKey', 'MaxKey'];
    return b.edge === 'min' ? e[0] : e[1];
  }
  return formatValue(b.value);
}

/** The winningPlan MongoDB's classic engine would report for this plan. */
export function explainPlan(
  plan: Plan,
  filter: Document,
  opts: { sort?: Document; skip?: number; limit?: number; projection?: Document },
): Document {
  let stage: Document;
  if (plan.kind === 'IDHACK') {
    stage = { stage: 'IDHACK' };
  } else if (plan.kind === 'COLLSCAN' || !plan.index) {
    stage = { stage: 'COLLSCAN', filter, direction: 'forward' };
  } else {
    const index = plan.index;
    const bounds: Document = {};
    index.fields.forEach((f, i) => {
      if (i === 0 && plan.intervals) {
        const ivs = plan.intervals.map((iv) => {
          const [lo, hi] = f.dir === 1 ? [iv.lo, iv.hi] : [iv.hi, iv.lo];
          return `${lo.inclusive ? '[' : '('}${boundText(lo)}, ${boundText(hi)}${hi.inclusive ? ']' : ')'}`;
        });
        bounds[f.path] = plan.reverse ? ivs.reverse() : ivs;
      } else {
        bounds[f.path] = ['[MinKey, MaxKey]'];
      }
    });
    const multiKeyPaths: Document = {};
    for (const f of index.fields) multiKeyPaths[f.path] = index.multikeyPaths.has(f.path) ? [f.path] : [];
    const ixscan = {
      stage: 'IXSCAN',
      keyPattern: index.spec.key,
      indexName: index.name,
      isMultiKey: index.multikey,
      multiKeyPaths,
      isUnique: index.unique,
      isSparse: index.sparse,
      isPartial: index.partial !== null,
      indexVersion: 2,
      direction: plan.reverse ? 'backward' : 'forward',
      indexBounds: bounds,
    };
    stage = { stage: 'FETCH', ...(Object.keys(filter).length > 0 ? { filter } : {}), inputStage: ixscan };
  }
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0;
  if (hasSort && !plan.providesSort) {
    stage = {
      stage: 'SORT',
      sortPattern: opts.sort,
      memLimit: 104857600,
      ...(opts.limit ? { limitAmount: opts.limit + (opts.skip ?? 0) } : {}),
      type: 'simple',
      inputStage: stage,
    };
  }
  if (opts.skip) stage = { stage: 'SKIP', skipAmount: opts.skip, inputStage: stage };
  if (opts.limit && (!hasSort || plan.providesSort)) stage = { stage: 'LIMIT', limitAmount: opts.limit, inputStage: stage };
  if (opts.projection && Object.keys(opts.projection).length > 0) {
    stage = { stage: 'PROJECTION_DEFAULT', transformBy: opts.projection, inputStage: stage };
  }
  return stage;
}
