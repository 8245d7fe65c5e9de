/**
 * The partner side of a company: what it offers and seeks, how it wants to cooperate, its ISIC
 * Rev. 4 sectors, target markets, working languages, city, founding year, logo and phone. These
 * fields live on the company itself (accounts owns companies); the partners module builds its
 * pages, search and suggestions on the functions here and never queries companies itself.
 *
 * Visible in partner search = listed (the owner verified the address) and the owner not suspended.
 * Contact details (owner's e-mail, phone) leave this file only through companyContactDetails, which
 * the partners module calls after its own who-may-see rule.
 */
import { Types, trusted, type PipelineStage } from 'mongoose';
import { NotFoundError, isObjectId, type Actor } from '../../kernel';
import { queryTerms, textTerms } from '../../web/search';
import type { StoredFileRef } from '../../web/uploads';
import { notActiveAccounts } from './account-status';
import { Company, LISTED_COMPANY, User, type CompanyDoc } from './model';
import { toPublicCompany } from './people';

/** The cooperation types of the EEN partnering profiles; labels in locales/<lang>/partners.json. */
export const COOPERATION_TYPES = ['trade', 'technology', 'investment', 'production', 'research', 'services'] as const;
export type CooperationType = (typeof COOPERATION_TYPES)[number];

/** Bumped when the terms' recipe changes: start-up recomputes companies with an older version. */
export const COMPANY_TERMS_VERSION = 1;

export interface PartnerProfileInput {
  products: string;
  offers: string;
  seeks: string;
  cooperationTypes: string[];
  isic: string[];
  targetMarkets: string[];
  workingLanguages: string[];
  city: string;
  foundedYear: number | null;
  phone: string;
}

export interface PartnerCompany {
  id: string;
  name: string;
  member: string;
  sector: string;
  size: string;
  website: string | null;
  description: string;
  products: string;
  offers: string;
  seeks: string;
  cooperationTypes: string[];
  isic: string[];
  targetMarkets: string[];
  workingLanguages: string[];
  city: string;
  foundedYear: number | null;
  hasLogo: boolean;
  listed: boolean;
  ownerId: string;
  createdAt: Date;
  score?: number;
}

type CompanyRow = CompanyDoc & { logo?: StoredFileRef | null; score?: number };

/** The public company fields (people.ts's one mapping), then what a partner profile adds. */
function toPartnerCompany(c: CompanyRow): PartnerCompany {
  const { id, name, member, sector, size, website, description, products } = toPublicCompany(c);
  return {
    id,
    name,
    member,
    sector,
    size,
    website,
    description,
    products,
    offers: c.offers ?? '',
    seeks: c.seeks ?? '',
    cooperationTypes: c.cooperationTypes ?? [],
    isic: c.isic ?? [],
    targetMarkets: c.targetMarkets ?? [],
    workingLanguages: c.workingLanguages ?? [],
    city: c.city ?? '',
    foundedYear: typeof c.foundedYear === 'number' ? c.foundedYear : null,
    hasLogo: Boolean(c.logo && c.logo.storedName),
    listed: Boolean(c.listed),
    ownerId: String(c.owner),
    createdAt: (c as unknown as { createdAt: Date }).createdAt,
    ...(typeof c.score === 'number' ? { score: c.score } : {}),
  };
}

/** A company's search terms (the demo data writes them as refreshCompanyTerms does). */
export function termsOf(c: Pick<CompanyDoc, 'name' | 'products' | 'offers' | 'seeks'>): string[] {
  return textTerms(c.name, c.products, c.offers, c.seeks);
}

/** Recomputes one company's search terms (after any edit of its name, products, offers or seeks). */
export async function refreshCompanyTerms(companyId: unknown): Promise<void> {
  if (!isObjectId(String(companyId))) return;
  const c = await Company.findById(String(companyId), { name: 1, products: 1, offers: 1, seeks: 1 }).lean<CompanyDoc>();
  if (!c) return;
  await Company.updateOne({ _id: c._id }, { $set: { searchTerms: termsOf(c), searchTermsVersion: COMPANY_TERMS_VERSION } });
}

/** Start-up: companies whose terms an older recipe made (or none yet) get them now. */
export async function refreshStaleCompanyTerms(): Promise<number> {
  let count = 0;
  for await (const c of Company.find({ searchTermsVersion: trusted({ $ne: COMPANY_TERMS_VERSION }) }, { name: 1, products: 1, offers: 1, seeks: 1 }).lean<CompanyDoc[]>().cursor()) {
    await Company.updateOne({ _id: c._id }, { $set: { searchTerms: termsOf(c), searchTermsVersion: COMPANY_TERMS_VERSION } });
    count++;
  }
  return count;
}

/** The actor's own company with its partner profile, or null (liaisons, organizers). */
export async function ownPartnerProfile(actor: Actor): Promise<(PartnerCompany & { logo: StoredFileRef | null }) | null> {
  if (!actor.companyId || !isObjectId(actor.companyId)) return null;
  const c = await Company.findOne({ _id: actor.companyId, owner: actor.id }).lean<CompanyRow>();
  return c ? { ...toPartnerCompany(c), logo: c.logo && c.logo.storedName ? c.logo : null } : null;
}

/**
 * Saves the owner's partner profile; with `logo`, replaces the logo. Returns the logo it replaced
 * (for the caller to remove from the file store), or null.
 */
export async function savePartnerProfile(actor: Actor, input: PartnerProfileInput, logo?: StoredFileRef | null): Promise<StoredFileRef | null> {
  if (!actor.companyId || !isObjectId(actor.companyId)) throw new NotFoundError();
  const set: Record<string, unknown> = { ...input };
  if (logo !== undefined) set.logo = logo;
  const before = await Company.findOneAndUpdate({ _id: actor.companyId, owner: actor.id }, { $set: set }, { returnDocument: 'before', projection: { logo: 1 } }).lean<CompanyRow>();
  if (!before) throw new NotFoundError();
  await refreshCompanyTerms(actor.companyId);
  return logo !== undefined && before.logo && before.logo.storedName ? before.logo : null;
}

/** The ids of suspended owners: their companies are shown nowhere. */
async function suspendedOwners(): Promise<Types.ObjectId[]> {
  return [...(await notActiveAccounts()).suspendedMembers];
}

/** The condition for companies shown in partner search and suggestions. */
async function visibleCompanies(): Promise<Record<string, unknown>> {
  const suspended = await suspendedOwners();
  // An unlisted company (the placeholder an official once had to register) is never a partner.
  return suspended.length ? { ...LISTED_COMPANY, owner: trusted({ $nin: suspended }) } : { ...LISTED_COMPANY };
}

/** A company's partner page data; unlisted or suspended companies only for their owner and the organizer. */
export async function partnerCompany(id: unknown, actor: Actor | undefined): Promise<PartnerCompany> {
  if (!isObjectId(id)) throw new NotFoundError();
  const c = await Company.findById(id).lean<CompanyRow>();
  if (!c) throw new NotFoundError();
  const unlisted = (c as { unlisted?: boolean }).unlisted === true;
  const mayPreview = actor && (actor.role === 'organizer' || (String(c.owner) === actor.id && !unlisted));
  if (!mayPreview) {
    if (!c.listed || unlisted) throw new NotFoundError();
    const owner = await User.findById(c.owner, { status: 1 }).lean<{ status?: string }>();
    if (!owner || owner.status === 'suspended') throw new NotFoundError();
  }
  return toPartnerCompany(c);
}

/** The stored logo of a company shown in search (or null): the public logo route serves it. */
export async function companyLogo(id: unknown): Promise<StoredFileRef | null> {
  if (!isObjectId(id)) return null;
  const c = await Company.findOne({ _id: id, ...(await visibleCompanies()) }, { logo: 1 }).lean<CompanyRow>();
  return c?.logo && c.logo.storedName ? c.logo : null;
}

/** The owner and member of a company that can take part in partnering (listed, owner active), or null. */
export async function partnerCompanyParty(id: unknown): Promise<{ companyId: string; ownerId: string; member: string; name: string } | null> {
  if (!isObjectId(String(id))) return null;
  const c = await Company.findOne({ _id: String(id), ...(await visibleCompanies()) }, { owner: 1, member: 1, name: 1 }).lean<CompanyDoc>();
  return c ? { companyId: String(c._id), ownerId: String(c.owner), member: c.member, name: c.name } : null;
}

/** Contact details: call only after the partners module decided the reader may see them. */
export async function companyContactDetails(id: unknown): Promise<{ email: string; phone: string } | null> {
  if (!isObjectId(String(id))) return null;
  const c = await Company.findById(String(id), { owner: 1, phone: 1 }).lean<CompanyDoc>();
  if (!c) return null;
  const owner = await User.findById(c.owner, { email: 1 }).lean<{ email: string }>();
  return owner ? { email: owner.email, phone: c.phone ?? '' } : null;
}

export interface CompanySearch {
  q: string;
  members: string[];
  isic: string[];
  cooperationTypes: string[];
  targetMarkets: string[];
  sizes: string[];
  /** Only these companies (e.g. exhibiting at this year's fair); null means no such filter. */
  onlyIds: string[] | null;
  sort: 'relevance' | 'newest' | 'name';
  lang: string;
  skip: number;
  limit: number;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface CompanyFacets {
  member: FacetCount[];
  isic: FacetCount[];
  cooperationTypes: FacetCount[];
  targetMarkets: FacetCount[];
  size: FacetCount[];
}

function idsOf(list: string[]): Types.ObjectId[] {
  return list.filter(isObjectId).map((id) => new Types.ObjectId(id));
}

/**
 * Partner search: the portal's tokeniser over name, products, offers and seeks, with the filters
 * ANDed. Each facet is counted with every other filter applied but its own (so choosing one value
 * still shows the others' counts), all in one $facet after an indexed $match.
 */
export async function searchPartnerCompanies(s: CompanySearch): Promise<{ items: PartnerCompany[]; total: number; facets: CompanyFacets }> {
  const base: Record<string, unknown> = await visibleCompanies();
  const terms = queryTerms(s.q);
  if (terms.length) base.searchTerms = { $in: terms };
  if (s.onlyIds) base._id = { $in: idsOf(s.onlyIds) };
  const filters: Record<string, Record<string, unknown>> = {};
  if (s.members.length) filters.member = { member: { $in: s.members } };
  if (s.isic.length) filters.isic = { isic: { $in: s.isic } };
  if (s.cooperationTypes.length) filters.cooperationTypes = { cooperationTypes: { $in: s.cooperationTypes } };
  if (s.targetMarkets.length) filters.targetMarkets = { targetMarkets: { $in: s.targetMarkets } };
  if (s.sizes.length) filters.size = { size: { $in: s.sizes } };
  const allBut = (field: string | null) => Object.entries(filters).filter(([k]) => k !== field).map(([, v]) => v);
  const andOf = (parts: Record<string, unknown>[]) => (parts.length ? { $and: parts } : {});
  const facetOf = (field: string, multi: boolean): PipelineStage.FacetPipelineStage[] => [
    { $match: andOf(allBut(field)) },
    ...(multi ? [{ $unwind: `$${field}` } as PipelineStage.FacetPipelineStage] : []),
    { $group: { _id: `$${field}`, count: { $sum: 1 } } },
  ];
  const sort: Record<string, 1 | -1> = s.sort === 'name' ? { name: 1, _id: 1 } : terms.length && s.sort === 'relevance' ? { score: -1, createdAt: -1, _id: -1 } : { createdAt: -1, _id: -1 };
  const resultStages: PipelineStage.FacetPipelineStage[] = [{ $match: andOf(allBut(null)) }];
  if (terms.length) resultStages.push({ $addFields: { score: { $size: { $setIntersection: [{ $ifNull: ['$searchTerms', []] }, terms] } } } });
  resultStages.push({ $sort: sort }, { $skip: Math.max(0, s.skip) }, { $limit: Math.max(1, s.limit) }, { $project: { searchTerms: 0 } });
  const [out] = await Company.aggregate<{
    items: CompanyRow[];
    total: { n: number }[];
    member: { _id: string; count: number }[];
    isic: { _id: string; count: number }[];
    cooperationTypes: { _id: string; count: number }[];
    targetMarkets: { _id: string; count: number }[];
    size: { _id: string; count: number }[];
  }>([
    { $match: base },
    {
      $facet: {
        items: resultStages,
        total: [{ $match: andOf(allBut(null)) }, { $count: 'n' }],
        member: facetOf('member', false),
        isic: facetOf('isic', true),
        cooperationTypes: facetOf('cooperationTypes', true),
        targetMarkets: facetOf('targetMarkets', true),
        size: facetOf('size', false),
      },
    },
  ]).collation({ locale: s.lang === 'zh-CN' ? 'zh' : 'en' }); // the reader's collation for the name sort
  const counts = (rows: { _id: string; count: number }[] | undefined) => (rows ?? []).filter((r) => typeof r._id === 'string').map((r) => ({ value: r._id, count: r.count }));
  return {
    items: (out?.items ?? []).map(toPartnerCompany),
    total: out?.total[0]?.n ?? 0,
    facets: {
      member: counts(out?.member),
      isic: counts(out?.isic),
      cooperationTypes: counts(out?.cooperationTypes),
      targetMarkets: counts(out?.targetMarkets),
      size: counts(out?.size),
    },
  };
}

/** Visible companies overlapping any of these sectors, cooperation types or markets (suggestions), except one. */
export async function companiesOverlapping(criteria: { isic: string[]; cooperationTypes: string[]; targetMarkets: string[]; exceptId: string | null; limit: number }): Promise<PartnerCompany[]> {
  const or: Record<string, unknown>[] = [];
  if (criteria.isic.length) or.push({ isic: { $in: criteria.isic } });
  if (criteria.cooperationTypes.length) or.push({ cooperationTypes: { $in: criteria.cooperationTypes } });
  if (criteria.targetMarkets.length) or.push({ targetMarkets: { $in: criteria.targetMarkets } });
  if (!or.length) return [];
  const match: Record<string, unknown> = { ...(await visibleCompanies()), $or: or };
  if (criteria.exceptId && isObjectId(criteria.exceptId)) match._id = { $ne: new Types.ObjectId(criteria.exceptId) };
  const rows = await Company.aggregate<CompanyRow>([{ $match: match }, { $sort: { createdAt: -1, _id: -1 } }, { $limit: criteria.limit }, { $project: { searchTerms: 0 } }]);
  return rows.map(toPartnerCompany);
}

/** Visible company ids among these (lists of other modules drop suspended or unlisted authors). */
export async function visibleCompanyIds(ids: readonly unknown[]): Promise<Set<string>> {
  const valid = idsOf(ids.map(String));
  if (!valid.length) return new Set();
  const rows = await Company.find({ _id: trusted({ $in: valid }), ...(await visibleCompanies()) }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  return new Set(rows.map((r) => String(r._id)));
}

/** Member code per company id (figures by member). */
export async function companyMembers(ids: readonly unknown[]): Promise<Map<string, string>> {
  const valid = idsOf(ids.map(String));
  if (!valid.length) return new Map();
  const rows = await Company.find({ _id: trusted({ $in: valid }) }, { member: 1 }).lean<{ _id: Types.ObjectId; member: string }[]>();
  return new Map(rows.map((r) => [String(r._id), r.member]));
}

/** The visible company owned by a user, with its partner profile (digest, suggestions), or null. */
export async function partnerProfileOfOwner(userId: unknown): Promise<PartnerCompany | null> {
  if (!isObjectId(String(userId))) return null;
  const c = await Company.findOne({ owner: String(userId), ...(await visibleCompanies()) }).lean<CompanyRow>();
  return c ? toPartnerCompany(c) : null;
}
