/**
 * Accounts answers "who": the people other modules notify, list or show, without their reaching into
 * the users collection. One rule decides who can be reached (mailed, written to, listed as a
 * contact): an account that is active and whose e-mail address is verified.
 */
import { Types, trusted } from 'mongoose';
import { NotFoundError, isObjectId, type Actor, type Language, type Role } from '../../kernel';
import { Company, LISTED_COMPANY, User, type CompanyDoc } from './model';

/** The one definition of "active and verified": who may be notified, written to, or listed. */
export const ACTIVE_AND_VERIFIED = { status: 'active' as const, emailVerifiedAt: trusted({ $exists: true, $ne: null }) };

/** A reachable person: what a module needs to address mail or show a contact. */
export interface Person {
  id: string;
  email: string;
  name: string;
  language: Language;
  role: Role;
  member: string | null;
  agency: string;
  languages: string[];
}

/** What any reader may see of an account (authors, participants), whatever its status. */
export interface PublicProfile {
  id: string;
  name: string;
  role: Role;
  member: string | null;
  agency: string;
}

const PERSON_FIELDS = { email: 1, name: 1, language: 1, role: 1, member: 1, agency: 1, languages: 1 } as const;

interface PersonRow {
  _id: Types.ObjectId;
  email: string;
  name: string;
  language?: string | null;
  role: Role;
  member?: string | null;
  agency?: string | null;
  languages?: string[];
}

function toPerson(u: PersonRow): Person {
  return {
    id: String(u._id),
    email: u.email,
    name: u.name,
    language: u.language === 'zh-CN' ? 'zh-CN' : 'en',
    role: u.role,
    member: u.member ?? null,
    agency: u.agency ?? '',
    languages: u.languages ?? [],
  };
}

function objectIds(ids: readonly unknown[]): Types.ObjectId[] {
  return [...new Set(ids.map((id) => String(id)))].filter(isObjectId).map((id) => new Types.ObjectId(id));
}

/** The reachable people among these ids (unknown, suspended or unverified ones are simply absent). */
export async function reachablePeople(ids: readonly unknown[]): Promise<Person[]> {
  const valid = objectIds(ids);
  if (!valid.length) return [];
  const rows = await User.find({ _id: trusted({ $in: valid }), ...ACTIVE_AND_VERIFIED }, PERSON_FIELDS).lean<PersonRow[]>();
  return rows.map(toPerson);
}

/** One reachable person, or null. */
export async function reachablePerson(id: unknown): Promise<Person | null> {
  return (await reachablePeople([id]))[0] ?? null;
}

/** The reachable liaisons of one ASEM member (or of all members), by member then name. */
export async function liaisonsOf(member?: string): Promise<Person[]> {
  const filter: Record<string, unknown> = { role: 'liaison', ...ACTIVE_AND_VERIFIED };
  if (member) filter.member = member.toUpperCase();
  const rows = await User.find(filter, PERSON_FIELDS).sort({ member: 1, name: 1 }).lean<PersonRow[]>();
  return rows.map(toPerson);
}

/**
 * One page of the reachable liaisons of every member, by member then name, on the
 * { role, member, name } index; the count is of liaisons only (officials, a few per member).
 */
export async function liaisonPage(page: { skip: number; perPage: number }): Promise<{ people: Person[]; total: number }> {
  const filter = { role: 'liaison' as const, ...ACTIVE_AND_VERIFIED };
  const [rows, total] = await Promise.all([
    User.find(filter, PERSON_FIELDS).sort({ member: 1, name: 1, _id: 1 }).skip(page.skip).limit(page.perPage).lean<PersonRow[]>(),
    User.countDocuments(filter),
  ]);
  return { people: rows.map(toPerson), total };
}

/** The reachable organizers. */
export async function organizers(): Promise<Person[]> {
  const rows = await User.find({ role: 'organizer', ...ACTIVE_AND_VERIFIED }, PERSON_FIELDS).lean<PersonRow[]>();
  return rows.map(toPerson);
}

/** One group of people to search: a role, optionally within one ASEM member. */
export interface PeopleGroup {
  roles?: Role[];
  member?: string;
}

/**
 * Reachable people in any of the groups (an empty group means everyone), except one id, optionally
 * narrowed by a name fragment; sorted by role, member, name and capped (`more` says there were more).
 */
export async function searchPeople(groups: PeopleGroup[], opts: { exceptId?: string; nameContains?: string; limit: number }): Promise<{ people: Person[]; more: boolean }> {
  if (!groups.length) return { people: [], more: false };
  const or = groups.map((g) => {
    const f: Record<string, unknown> = {};
    if (g.roles) f.role = g.roles.length === 1 ? g.roles[0] : trusted({ $in: g.roles });
    if (g.member) f.member = g.member;
    return f;
  });
  const filter: Record<string, unknown> = { ...ACTIVE_AND_VERIFIED };
  if (opts.exceptId && isObjectId(opts.exceptId)) filter._id = trusted({ $ne: new Types.ObjectId(opts.exceptId) });
  if (or.length === 1) Object.assign(filter, or[0]);
  else filter.$or = or;
  const q = opts.nameContains?.trim();
  if (q) filter.name = trusted({ $regex: q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' });
  const rows = await User.find(filter, PERSON_FIELDS).sort({ role: 1, member: 1, name: 1 }).limit(opts.limit + 1).lean<PersonRow[]>();
  return { people: rows.slice(0, opts.limit).map(toPerson), more: rows.length > opts.limit };
}

/** Public profiles by id, whatever the accounts' status (authors and participants stay named). */
export async function publicProfiles(ids: readonly unknown[]): Promise<Map<string, PublicProfile>> {
  const valid = objectIds(ids);
  if (!valid.length) return new Map();
  const rows = await User.find({ _id: trusted({ $in: valid }) }, { name: 1, role: 1, member: 1, agency: 1 }).lean<PersonRow[]>();
  return new Map(rows.map((u) => [String(u._id), { id: String(u._id), name: u.name, role: u.role, member: u.member ?? null, agency: u.agency ?? '' }]));
}

/** E-mail addresses by id, whatever the status (organizer exports). */
export async function emailAddresses(ids: readonly unknown[]): Promise<Map<string, string>> {
  const valid = objectIds(ids);
  if (!valid.length) return new Map();
  const rows = await User.find({ _id: trusted({ $in: valid }) }, { email: 1 }).lean<{ _id: Types.ObjectId; email: string }[]>();
  return new Map(rows.map((u) => [String(u._id), u.email]));
}

/** A user as the portal's rules see them (status, role, member), for decisions about content they own. */
export async function accountStatus(id: unknown): Promise<(Person & { active: boolean; verified: boolean }) | null> {
  if (!isObjectId(String(id))) return null;
  const u = await User.findById(String(id), { ...PERSON_FIELDS, status: 1, emailVerifiedAt: 1 }).lean<PersonRow & { status?: string; emailVerifiedAt?: Date | null }>();
  return u ? { ...toPerson(u), active: u.status === 'active', verified: Boolean(u.emailVerifiedAt) } : null;
}

/* ---- companies ---- */

export interface PublicCompany {
  id: string;
  name: string;
  member: string;
  sector: string;
  size: string;
  website: string | null;
  description: string;
  products: string;
  listed: boolean;
}

export function toPublicCompany(c: CompanyDoc): PublicCompany {
  return {
    id: String(c._id),
    name: c.name,
    member: c.member,
    sector: c.sector,
    size: c.size,
    // Only web addresses become links (the forms accept nothing else; older data might).
    website: c.website && /^https?:\/\//i.test(c.website) ? c.website : null,
    description: c.description ?? '',
    products: c.products ?? '',
    listed: Boolean(c.listed) && !c.unlisted,
  };
}

/** Counts of listed companies per ASEM member code. */
export async function listedCompanyCounts(): Promise<Map<string, number>> {
  const rows = await Company.aggregate<{ _id: string; count: number }>([{ $match: { ...LISTED_COMPANY } }, { $group: { _id: '$member', count: { $sum: 1 } } }]);
  return new Map(rows.map((r) => [r._id, r.count]));
}

/** The fields toPublicCompany reads: a list reads nothing else (no search terms, no logos). */
const PUBLIC_COMPANY_FIELDS = { name: 1, member: 1, sector: 1, size: 1, website: 1, description: 1, products: 1, listed: 1, unlisted: 1 } as const;

/**
 * One page of the listed companies of an ASEM member, by name in the reader's language (the
 * database sorts with the language's collation, then by id so pages never overlap), and how many
 * there are in all.
 */
export async function listedCompaniesOf(member: string, page: { skip: number; limit: number; lang: Language }): Promise<{ items: PublicCompany[]; total: number }> {
  const filter = { member: member.toUpperCase(), ...LISTED_COMPANY };
  const [rows, total] = await Promise.all([
    Company.find(filter, PUBLIC_COMPANY_FIELDS)
      .sort({ name: 1, _id: 1 })
      .collation({ locale: page.lang === 'zh-CN' ? 'zh' : 'en' })
      .skip(Math.max(0, page.skip))
      .limit(Math.max(1, page.limit))
      .lean<CompanyDoc[]>(),
    Company.countDocuments(filter),
  ]);
  return { items: rows.map(toPublicCompany), total };
}

/**
 * A company's public profile. Unlisted companies (owner not yet verified) are found only by their
 * owner and the organizer; to anyone else they do not exist (NotFoundError).
 */
export async function publicCompany(id: unknown, actor: Actor | undefined): Promise<PublicCompany> {
  if (!isObjectId(id)) throw new NotFoundError();
  const company = await Company.findById(id).lean<CompanyDoc>();
  if (!company) throw new NotFoundError();
  // An official's former placeholder company is no SME: only the organizer still sees it.
  const mayPreview = actor && (actor.role === 'organizer' || (String(company.owner) === actor.id && !company.unlisted));
  if ((!company.listed || company.unlisted) && !mayPreview) throw new NotFoundError();
  return toPublicCompany(company);
}

/** The actor's own company (member accounts), or null. */
export async function ownCompany(actor: Actor): Promise<{ id: string; name: string; member: string } | null> {
  if (!actor.companyId || !isObjectId(actor.companyId)) return null;
  const c = await Company.findOne({ _id: actor.companyId, owner: actor.id }, { name: 1, member: 1 }).lean<CompanyDoc>();
  return c ? { id: String(c._id), name: c.name, member: c.member } : null;
}

/** Company names by id. */
export async function companyNames(ids: readonly unknown[]): Promise<Map<string, string>> {
  const valid = objectIds(ids);
  if (!valid.length) return new Map();
  const rows = await Company.find({ _id: trusted({ $in: valid }) }, { name: 1 }).lean<{ _id: Types.ObjectId; name: string }[]>();
  return new Map(rows.map((c) => [String(c._id), c.name]));
}

/**
 * The reachable people among these ids as actors (what a scheduled job acting for them needs, e.g.
 * the desk digest that lists what waits for each). Suspended or unverified accounts are absent.
 */
export async function reachableActors(ids: readonly unknown[]): Promise<Actor[]> {
  const valid = objectIds(ids);
  if (!valid.length) return [];
  const rows = await User.find({ _id: trusted({ $in: valid }), ...ACTIVE_AND_VERIFIED }, { email: 1, name: 1, language: 1, role: 1, member: 1, company: 1, createdAt: 1 }).lean<
    (PersonRow & { company?: Types.ObjectId | null; createdAt?: Date })[]
  >();
  return rows.map((u) => ({
    id: String(u._id),
    role: u.role,
    name: u.name,
    email: u.email,
    language: u.language === 'zh-CN' ? 'zh-CN' : 'en',
    member: u.member ?? null,
    companyId: u.company ? String(u.company) : null,
    createdAt: u.createdAt ?? new Date(0),
  }));
}
