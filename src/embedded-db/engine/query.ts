/**
 * Query execution: runs a plan, filters every candidate with the full query, sorts (unless the
 * index order already does), applies skip and limit, and only then copies the survivors for the
 * caller. Used by find, count, distinct, the first $match of aggregate and all write commands.
 */
import type { Document } from 'bson';
import { ErrorCodes, MongoError, badValue } from '../errors';
import type { Collection } from './collection';
import { compileFilter, project } from './mingo-bridge';
import { MISSING, candidates } from './matcher';
import { planQuery, scan, type Plan, type ScanStats } from './planner';
import { cloneDocument, compareValues, formatValue, isPlainObject, pathValues, typeRank } from './values';

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  hint?: unknown;
  collation?: Document;
  /** Top-level `let` variables for `$expr`. */
  variables?: Document;
}

export interface Selection {
  /** Stored documents: read-only, never to be handed out or mutated. */
  docs: Document[];
  plan: Plan;
  stats: ScanStats;
}

export function validateSort(sort: unknown): Document | undefined {
  if (sort === undefined || sort === null) return undefined;
  if (!isPlainObject(sort)) throw badValue('Expected field sort to be of type object');
  for (const [k, v] of Object.entries(sort)) {
    if (isPlainObject(v) && v.$meta !== undefined) throw badValue(`$meta sort by '${String(v.$meta)}' is not supported by the embedded database`);
    if (v !== 1 && v !== -1) throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending) (field '${k}')`);
  }
  return sort;
}

/** ICU locale ids as MongoDB takes them (en_US, zh_Hant) in the BCP 47 form Intl wants. */
function intlLocale(locale: string): string {
  const tag = locale.replace(/@.*$/, '').replace(/_/g, '-');
  let supported: string[] = [];
  try {
    supported = Intl.Collator.supportedLocalesOf(tag);
  } catch {
    supported = [];
  }
  if (supported.length === 0 && tag !== 'root') throw badValue(`Field 'locale' is invalid in: { locale: "${locale}" }`);
  return tag === 'root' ? 'und' : tag;
}

/** The collation with its locale in the form Intl (and so mingo) accepts. */
export function intlCollation(collation: Document | undefined): Document | undefined {
  if (!collation || typeof collation.locale !== 'string' || collation.locale === 'simple') return collation;
  return { ...collation, locale: intlLocale(collation.locale) };
}

export function collatorFor(collation: Document | undefined): Intl.Collator | null {
  if (!collation) return null;
  if (typeof collation.locale !== 'string') throw new MongoError(ErrorCodes.FailedToParse, "BSON field 'locale' is missing but a required field");
  if (collation.locale === 'simple') return null;
  const strength = typeof collation.strength === 'number' ? collation.strength : 3;
  return new Intl.Collator(intlLocale(collation.locale), {
    sensitivity: strength === 1 ? 'base' : strength === 2 ? 'accent' : 'variant',
    numeric: collation.numericOrdering === true,
    caseFirst: collation.caseFirst === 'upper' || collation.caseFirst === 'lower' ? collation.caseFirst : undefined,
  });
}

/** The sort key of a path that reaches only an empty array: below null and missing. */
const EMPTY_ARRAY_KEY = Symbol('empty array');

/**
 * MongoDB sorts an array field by its smallest element ascending, its largest descending; a
 * missing field sorts as null, and an empty array below both.
 */
function sortKey(doc: Document, path: string, dir: number, cmp: (a: unknown, b: unknown) => number): unknown {
  const cands = candidates(doc, path.split('.'));
  const values: unknown[] = [];
  let sawEmpty = false;
  for (const c of cands) {
    if (Array.isArray(c.v) && !c.elem) {
      if (c.v.length === 0) sawEmpty = true;
      continue;
    }
    values.push(c.v === MISSING ? null : c.v);
  }
  if (values.length === 0) return sawEmpty ? EMPTY_ARRAY_KEY : null;
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = cmp(values[i], best);
    if ((dir > 0 && c < 0) || (dir < 0 && c > 0)) best = values[i];
  }
  return best;
}

function withEmptyArrays(cmp: (a: unknown, b: unknown) => number): (a: unknown, b: unknown) => number {
  return (a, b) => {
    if (a === EMPTY_ARRAY_KEY || b === EMPTY_ARRAY_KEY) return a === b ? 0 : a === EMPTY_ARRAY_KEY ? -1 : 1;
    return cmp(a, b);
  };
}

export function sortDocuments<T extends Document>(docs: T[], sort: Document, collation?: Document): T[] {
  const fields = Object.entries(sort).map(([path, dir]) => ({ path, dir: Number(dir) }));
  if (fields.length === 0) return docs;
  const collator = collatorFor(collation);
  const cmp = withEmptyArrays(
    collator
      ? (a: unknown, b: unknown): number =>
          typeof a === 'string' && typeof b === 'string' && typeRank(a) === typeRank(b) ? collator.compare(a, b) : compareValues(a, b)
      : compareValues,
  );
  const keyed = docs.map((doc, i) => ({ doc, i, keys: fields.map((f) => sortKey(doc, f.path, f.dir, cmp)) }));
  keyed.sort((a, b) => {
    for (let k = 0; k < fields.length; k++) {
      const c = cmp(a.keys[k], b.keys[k]);
      if (c !== 0) return c * fields[k].dir;
    }
    return a.i - b.i;
  });
  return keyed.map((k) => k.doc);
}

/**
 * mingo applies a collation to sorting only, not to matching: a case-insensitive collation
 * (strength 1 or 2) would silently turn into case-sensitive equality, so it is refused.
 */
export function refuseMatchingCollation(collation: unknown, what: string): void {
  if (!isPlainObject(collation) || collation.locale === 'simple') return;
  collatorFor(collation);
  const strength = typeof collation.strength === 'number' ? collation.strength : 3;
  if (strength < 3) {
    throw badValue(`${what} with a collation of strength ${strength} is not supported by the embedded database (matching would ignore it); normalise the field instead`);
  }
}

const SCAN_EXEMPT_DBS = new Set(['admin', 'local', 'config']);

/** As MongoDB with `notablescan`: a query that needs a collection scan fails with 291. */
export function refuseTableScan(coll: Collection, plan: Plan, filter: Document, sort: Document | undefined): void {
  const policy = coll.scanPolicy;
  if (!policy?.notablescan || plan.kind !== 'COLLSCAN' || SCAN_EXEMPT_DBS.has(coll.db)) return;
  if (coll.docs.size <= policy.minDocuments) return;
  // MongoDB's text, then which collection was too large to scan, for a failure easy to read.
  const size = policy.minDocuments > 0 ? `; collection ${coll.name} holds ${coll.docs.size} documents, scans allowed up to ${policy.minDocuments}` : '';
  const msg = `error processing query: ns=${coll.ns} filter: ${formatValue(filter)} sort: ${formatValue(sort ?? {})} planner returned error :: caused by :: No indexed plans available, and running with 'notablescan'${size}`;
  throw new MongoError(ErrorCodes.NoQueryExecutionPlans, msg);
}

export function selectDocuments(coll: Collection | undefined, filter: Document, opts: SelectOptions = {}): Selection {
  if (Object.keys(filter).length > 0) refuseMatchingCollation(opts.collation, 'a query');
  const stats: ScanStats = { keysExamined: 0, docsExamined: 0 };
  const collator = collatorFor(opts.collation);
  const matcher = compileFilter(filter, {
    ...(opts.collation ? { collation: opts.collation } : {}),
    ...(collator ? { compareStrings: (a: string, b: string) => collator.compare(a, b) } : {}),
    ...(opts.variables ? { variables: opts.variables } : {}),
  });
  const sort = validateSort(opts.sort);
  const collation = opts.collation && collator ? opts.collation : undefined;
  // A collation changes string order, which the index order does not follow.
  const plan = planQuery(coll, filter, collation ? undefined : sort, opts.hint);
  if (!coll) return { docs: [], plan, stats };
  refuseTableScan(coll, plan, filter, sort);
  const skip = opts.skip ?? 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  const needSort = sort !== undefined && Object.keys(sort).length > 0 && !plan.providesSort;
  const stopAt = !needSort && limit > 0 ? skip + limit : Infinity;
  let matched: Document[] = [];
  for (const doc of scan(coll, plan, stats)) {
    if (!matcher.test(doc)) continue;
    matched.push(doc);
    if (matched.length >= stopAt) break;
  }
  if (needSort && sort) matched = sortDocuments(matched, sort, collation);
  if (skip > 0 || limit > 0) matched = matched.slice(skip, limit > 0 ? skip + limit : undefined);
  return { docs: matched, plan, stats };
}

/** Copies of the selected documents, projected: what find hands to the client. */
export function materialise(docs: Document[], projection: Document | undefined, filter: Document): Document[] {
  const copies = docs.map(cloneDocument);
  return project(copies, projection, filter);
}
