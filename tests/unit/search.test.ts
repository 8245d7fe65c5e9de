/**
 * The portal's search tokeniser and ranking pipeline, on its own and against the database.
 */
import mongoose, { Schema } from 'mongoose';
import { queryTerms, runSearch, searchPipeline, textTerms, MAX_QUERY_TERMS } from '../../src/web/search';
import { connectTestDb, disconnectTestDb } from '../helpers/db';

describe('textTerms', () => {
  it('stems English words so word forms meet', () => {
    expect(textTerms('Innovations')).toEqual(['innov']);
    expect(textTerms('innovative financing')).toEqual(['innov', 'financ']);
    expect(textTerms('clusters')).toEqual(textTerms('cluster'));
  });

  it('drops stop words and single letters, keeps numbers', () => {
    expect(textTerms('The role of the SMEs in 2007 and a plan')).toEqual(['role', 'sme', '2007', 'plan']);
  });

  it('lower-cases and folds accents', () => {
    expect(textTerms('Économie CAFÉ Müller')).toEqual(textTerms('economie cafe muller'));
    expect(textTerms('Ñandú')).toEqual(['nandu']);
  });

  it('turns Chinese runs into overlapping bigrams', () => {
    expect(textTerms('中小企业')).toEqual(['中小', '小企', '企业']);
    expect(textTerms('中小企业，创新')).toEqual(['中小', '小企', '企业', '创新']);
  });

  it('keeps a one-character run as one term', () => {
    expect(textTerms('我 是')).toEqual(['我', '是']);
  });

  it('handles mixed scripts and full-width characters', () => {
    expect(textTerms('ＳＭＥ创新２００７')).toEqual(['sme', '创新', '2007']);
    expect(textTerms('Cluster 产业集群 policy')).toEqual(['cluster', '产业', '业集', '集群', 'polici']);
  });

  it('gives distinct terms and ignores punctuation and empty input', () => {
    expect(textTerms('trade, trade; TRADE!', '', undefined, null)).toEqual(['trade']);
    expect(textTerms('<script>alert(1)</script>')).toEqual(['script', 'alert', '1']);
  });
});

describe('queryTerms', () => {
  it('uses the same tokeniser as stored text', () => {
    expect(queryTerms('Innovative clusters')).toEqual(textTerms('innovation cluster'));
    expect(queryTerms('企业')).toEqual(['企业']);
  });

  it('gives nothing for non-strings and bounds long queries', () => {
    expect(queryTerms(undefined)).toEqual([]);
    expect(queryTerms(['a'])).toEqual([]);
    expect(queryTerms({ $gt: '' })).toEqual([]);
    expect(queryTerms(Array.from({ length: 100 }, (_, i) => `word${i}x`).join(' ')).length).toBeLessThanOrEqual(MAX_QUERY_TERMS);
  });
});

describe('searchPipeline', () => {
  it('builds a ranked pipeline with terms and a plain one without', () => {
    const ranked = searchPipeline({ field: 'terms', terms: ['a1', 'b2'], match: { status: 'published' }, sortTie: { createdAt: -1 }, skip: 10, limit: 5 });
    expect(ranked.pipeline[0]).toEqual({ $match: { status: 'published', terms: { $in: ['a1', 'b2'] } } });
    expect(ranked.pipeline[2]).toEqual({ $sort: { score: -1, createdAt: -1, _id: -1 } });
    const plain = searchPipeline({ field: 'terms', terms: [], sortTie: { createdAt: -1 }, skip: 0, limit: 5 });
    expect(plain.pipeline).toEqual([{ $match: {} }, { $sort: { createdAt: -1, _id: -1 } }, { $skip: 0 }, { $limit: 5 }]);
  });
});

describe('runSearch against the database', () => {
  const Doc = mongoose.model('SearchTestDoc', new Schema({ title: String, terms: { type: [String], index: true }, status: String, createdAt: Date }));

  beforeAll(async () => {
    await connectTestDb();
    await Doc.syncIndexes();
    const add = (title: string, status: string, day: number) => Doc.create({ title, terms: textTerms(title), status, createdAt: new Date(Date.UTC(2026, 0, day)) });
    await add('SME innovation vouchers', 'published', 1);
    await add('Innovation and clusters for SMEs', 'published', 2);
    await add('中小企业创新券', 'published', 3);
    await add('Export finance', 'published', 4);
    await add('Hidden innovation cluster', 'hidden', 5);
  });
  afterAll(async () => {
    await disconnectTestDb();
  });

  it('ranks by matching terms, then recency, and applies the extra filter', async () => {
    const { items, total } = await runSearch<{ title: string; score: number }>(Doc, {
      field: 'terms',
      terms: queryTerms('innovative clusters'),
      match: { status: 'published' },
      sortTie: { createdAt: -1 },
      skip: 0,
      limit: 10,
    });
    expect(total).toBe(2);
    expect(items.map((i) => i.title)).toEqual(['Innovation and clusters for SMEs', 'SME innovation vouchers']);
    expect(items.map((i) => i.score)).toEqual([2, 1]);
  });

  it('finds Chinese text by a Chinese word', async () => {
    const { items } = await runSearch<{ title: string }>(Doc, { field: 'terms', terms: queryTerms('企业'), sortTie: { createdAt: -1 }, skip: 0, limit: 10 });
    expect(items.map((i) => i.title)).toEqual(['中小企业创新券']);
  });

  it('pages without overlap and lists newest first with no terms', async () => {
    const first = await runSearch<{ title: string }>(Doc, { field: 'terms', terms: [], match: { status: 'published' }, sortTie: { createdAt: -1 }, skip: 0, limit: 2 });
    const second = await runSearch<{ title: string }>(Doc, { field: 'terms', terms: [], match: { status: 'published' }, sortTie: { createdAt: -1 }, skip: 2, limit: 2 });
    expect(first.total).toBe(4);
    expect([...first.items, ...second.items].map((i) => i.title)).toEqual(['Export finance', '中小企业创新券', 'Innovation and clusters for SMEs', 'SME innovation vouchers']);
  });
});
