/**
 * Partner search on the database: text terms (Chinese bigrams), facets counted with the other
 * filters applied, suspended owners left out, and the facet pipeline starting with an indexed match.
 */
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { Company, User } from '../../../src/modules/accounts/model';
import { refreshStaleCompanyTerms, searchPartnerCompanies } from '../../../src/modules/accounts';

jest.setTimeout(60_000);

beforeAll(async () => {
  await connectTestDb();
});
afterAll(async () => {
  await disconnectTestDb();
});

const search = (over: Partial<Parameters<typeof searchPartnerCompanies>[0]>) =>
  searchPartnerCompanies({ q: '', members: [], isic: [], cooperationTypes: [], targetMarkets: [], sizes: [], onlyIds: null, sort: 'relevance', lang: 'en', skip: 0, limit: 20, ...over });

test('text, facets and suspension', async () => {
  const de = await makeUser({ member: 'DE', company: { name: 'Rhein GmbH', products: '包装机械' } });
  const th = await makeUser({ member: 'TH', company: { name: 'Siam Co', products: 'rice' } });
  await Company.updateOne({ _id: de.companyId }, { $set: { isic: ['C', '28'], cooperationTypes: ['trade'] } });
  await Company.updateOne({ _id: th.companyId }, { $set: { isic: ['A', '01'], cooperationTypes: ['trade'] } });
  await Company.updateMany({}, { $set: { searchTermsVersion: 0 } });
  await refreshStaleCompanyTerms();
  const byWord = await search({ q: '包装' });
  expect(byWord.items.map((c) => c.name)).toEqual(['Rhein GmbH']);
  const all = await search({ isic: ['28'] });
  expect(all.items.map((c) => c.name)).toEqual(['Rhein GmbH']);
  // The sector facet still counts the other sectors while one is chosen.
  expect(all.facets.isic.find((f) => f.value === '01')?.count).toBe(1);
  expect(all.facets.cooperationTypes.find((f) => f.value === 'trade')?.count).toBe(1);
  await User.updateOne({ _id: th.id }, { $set: { status: 'suspended' } });
  const after = await search({});
  expect(after.items.map((c) => c.name)).toEqual(['Rhein GmbH']);
});

test('the search pipeline starts with a match the planner answers from an index', async () => {
  const explained = JSON.stringify(await Company.aggregate([{ $match: { listed: true, searchTerms: { $in: ['包装'] } } }, { $facet: { n: [{ $count: 'n' }] } }]).explain());
  expect(explained).toContain('IXSCAN');
});
