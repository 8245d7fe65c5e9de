/**
 * The portal's one full-text search (best practices, board), the same on MongoDB and on the
 * embedded database. MongoDB's text index cannot segment Chinese, so the portal turns text into
 * terms itself and stores them in an ordinary multikey-indexed array field.
 *
 * How to use it in a module (the practices module is a worked example):
 *
 *   1. The model gets a field of terms with an index:
 *        searchTerms: { type: [String], default: [], select: false }
 *        Schema.index({ searchTerms: 1 })               // multikey
 *   2. Whenever the searchable text changes, store the terms:
 *        doc.searchTerms = textTerms(title, summary, body);
 *   3. To search, turn the reader's words into terms and run the pipeline:
 *        const terms = queryTerms(req.query.q);
 *        const { items, total } = await runSearch(Practice, {
 *          field: 'searchTerms', terms, match: { status: 'published' },
 *          sortTie: { publishedAt: -1 }, skip, limit, project: { searchTerms: 0 },
 *        });
 *      With no terms it is a plain filtered list sorted by sortTie (newest first).
 *
 * Terms: Latin-script words lower-cased with accents folded (NFKD, marks stripped), English stop
 * words dropped, stemmed with wink-porter2-stemmer ("innovations" and "innovative" both give
 * "innov"); numbers kept as they are; runs of Chinese/Japanese/Korean characters become
 * overlapping bigrams ("中小企业" → 中小, 小企, 企业), and a run of one character stays one term.
 * Ranking: the number of distinct query terms a record contains, then the tie-break sort
 * (recency). Everything used ($in, $setIntersection, $size) exists in MongoDB since 2.6.
 */
import type { Aggregate, PipelineStage } from 'mongoose';

/** Any mongoose model (only its aggregate is used). */
export interface Aggregatable {
  aggregate<R>(pipeline: PipelineStage[]): Aggregate<R[]>;
}

// wink-porter2-stemmer is CommonJS without type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stem = require('wink-porter2-stemmer') as (word: string) => string;

/** A short English stop list: words too common to help find anything. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have he her his i if in into is it its of on or our she so ' +
    'that the their them then there these they this those to was we were what when where which who will with ' +
    'you your not no can do does did been being than too very s t about also all any more most other some such'
  ).split(' '),
);

/** Ideographs, kana and hangul: scripts written without spaces between words. */
const CJK_CHAR = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u3005\\u3006\\u30fc]';
/** A run of CJK characters, or a word of letters, marks and digits of any other script. */
const TOKEN = new RegExp(`${CJK_CHAR}+|(?:(?!${CJK_CHAR})[\\p{L}\\p{M}\\p{N}])+`, 'gu');
const ONLY_CJK = new RegExp(`^${CJK_CHAR}+$`, 'u');
const DIGITS = /^\p{N}+$/u;
/** Longest word kept: longer "words" are noise (hashes, base64) and would bloat the index. */
const MAX_WORD = 40;

function foldLatin(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

function addTermsOf(text: string, out: Set<string>): void {
  // NFKC first: full-width letters and digits (ＳＭＥ，２００７) become ordinary ones.
  const normalised = text.normalize('NFKC');
  for (const match of normalised.matchAll(TOKEN)) {
    const token = match[0];
    if (ONLY_CJK.test(token)) {
      const chars = Array.from(token);
      if (chars.length === 1) out.add(chars[0]!);
      for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
      continue;
    }
    // An acronym's plural ("SMEs", "NGOs") is the acronym: the stemmer keeps the s of short words.
    const word = foldLatin(/^\p{Lu}{2,}s$/u.test(token) ? token.slice(0, -1) : token);
    if (!word || word.length > MAX_WORD) continue;
    if (DIGITS.test(word)) {
      out.add(word);
      continue;
    }
    if (STOP_WORDS.has(word)) continue;
    if (word.length === 1 && /^[a-z]$/.test(word)) continue;
    const stemmed = /^[a-z0-9]+$/.test(word) ? stem(word) : word;
    if (stemmed) out.add(stemmed);
  }
}

/** The distinct search terms of one or more texts, in first-seen order. */
export function textTerms(...texts: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const text of texts) if (typeof text === 'string' && text) addTermsOf(text, out);
  return [...out];
}

/** The longest query accepted (in characters) and the most terms it may produce. */
export const MAX_QUERY_LENGTH = 200;
export const MAX_QUERY_TERMS = 32;

/** The terms of a reader's query: the same tokeniser, bounded; anything not a string gives []. */
export function queryTerms(q: unknown): string[] {
  if (typeof q !== 'string') return [];
  return textTerms(q.slice(0, MAX_QUERY_LENGTH)).slice(0, MAX_QUERY_TERMS);
}

export interface SearchOptions {
  /** The array field holding the stored terms, e.g. 'searchTerms'. */
  field: string;
  /** Query terms from queryTerms(); empty means "no search words": a plain filtered list. */
  terms: string[];
  /** Other conditions (status, filters) ANDed with the term match. */
  match?: Record<string, unknown>;
  /** The order among equal scores (and the whole order without terms), e.g. { createdAt: -1 }. */
  sortTie: Record<string, 1 | -1>;
  skip: number;
  limit: number;
  /** A $project stage for the results, e.g. { searchTerms: 0 } to leave the terms out (include `score: 1` in an inclusion projection to keep the rank). */
  project?: Record<string, unknown>;
}

export interface SearchPipelines {
  /** Results: $match, $addFields score, $sort, $skip, $limit (and $project). */
  pipeline: PipelineStage[];
  /** The number of all matching records: $match, $count { total }. */
  countPipeline: PipelineStage[];
}

/** The aggregation pipelines for a ranked search; see the top of this file. */
export function searchPipeline(opts: SearchOptions): SearchPipelines {
  const terms = [...new Set(opts.terms)];
  const match: Record<string, unknown> = { ...(opts.match ?? {}) };
  if (terms.length) match[opts.field] = { $in: terms };
  const sort: Record<string, 1 | -1> = terms.length ? { score: -1, ...opts.sortTie } : { ...opts.sortTie };
  if (!('_id' in sort)) sort._id = -1; // a total order, so pages never overlap
  const pipeline: PipelineStage[] = [{ $match: match }];
  if (terms.length) {
    pipeline.push({ $addFields: { score: { $size: { $setIntersection: [{ $ifNull: [`$${opts.field}`, []] }, terms] } } } });
  }
  pipeline.push({ $sort: sort }, { $skip: Math.max(0, opts.skip) }, { $limit: Math.max(1, opts.limit) });
  if (opts.project) pipeline.push({ $project: opts.project });
  return { pipeline, countPipeline: [{ $match: match }, { $count: 'total' }] };
}

/**
 * Runs both pipelines on a model: the page of results (with `score` when searching) and the total.
 * Aggregation does not cast: give ObjectIds and Dates (not strings) in `match`.
 */
export async function runSearch<T>(model: Aggregatable, opts: SearchOptions): Promise<{ items: (T & { score?: number })[]; total: number }> {
  const { pipeline, countPipeline } = searchPipeline(opts);
  const [items, counted] = await Promise.all([model.aggregate<T & { score?: number }>(pipeline), model.aggregate<{ total: number }>(countPipeline)]);
  return { items, total: counted[0]?.total ?? 0 };
}
