/**
 * The member directory: ASEM members by region with their listed companies, a member's page
 * (companies and liaison officials), and a company's public page. Public fields only: e-mail
 * addresses never leave the accounts module.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../web/auth';
import { NotFoundError } from '../../web/errors';
import type { Language } from '../../web/i18n';
import { Company, type CompanyDoc } from '../accounts';
import { listLiaisons, mayContact } from '../messages';
import { findAsemMember, listAsemMembers, type AsemMemberView } from './service';
import { collatorFor } from '../../web/i18n';

export const REGIONS = ['Asia', 'Europe'] as const;

export interface DirectoryRegion {
  region: (typeof REGIONS)[number];
  members: (AsemMemberView & { companies: number })[];
}

/** Counts of listed companies per ASEM member code. */
export async function listedCompanyCounts(): Promise<Map<string, number>> {
  const rows = await Company.aggregate<{ _id: string; count: number }>([{ $match: { listed: true } }, { $group: { _id: '$member', count: { $sum: 1 } } }]);
  return new Map(rows.map((r) => [r._id, r.count]));
}

export async function listDirectory(lang: Language): Promise<DirectoryRegion[]> {
  const [members, counts] = await Promise.all([listAsemMembers(lang), listedCompanyCounts()]);
  return REGIONS.map((region) => ({
    region,
    members: members.filter((m) => m.region === region).map((m) => ({ ...m, companies: counts.get(m.code) ?? 0 })),
  }));
}

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

function toPublicCompany(c: CompanyDoc): PublicCompany {
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
    listed: Boolean(c.listed),
  };
}

export interface LiaisonEntry {
  id: string;
  name: string;
  agency: string;
  languages: string[];
  /** The reader may start a conversation with this liaison (/messages/new?to=id). */
  canMessage: boolean;
}

export interface MemberPage {
  member: AsemMemberView;
  companies: PublicCompany[];
  liaisons: LiaisonEntry[];
}

export async function getMemberPage(code: string, actor: Actor | undefined, lang: Language): Promise<MemberPage> {
  const member = await findAsemMember(code);
  if (!member) throw new NotFoundError();
  const [companies, liaisons] = await Promise.all([Company.find({ member: member.code, listed: true }).lean<CompanyDoc[]>(), listLiaisons(member.code)]);
  const collator = collatorFor(lang);
  return {
    member,
    companies: companies.map(toPublicCompany).sort((a, b) => collator.compare(a.name, b.name)),
    liaisons: liaisons.map((l) => ({
      id: l.id,
      name: l.name,
      agency: l.agency,
      languages: l.languages,
      canMessage: actor ? mayContact({ id: actor.id, role: actor.role, member: actor.member }, l) : false,
    })),
  };
}

/**
 * A company's public page. Unlisted companies (owner not yet verified) are found only by their
 * owner and the organizer; to anyone else they do not exist.
 */
export async function getCompanyPage(id: string, actor: Actor | undefined): Promise<{ company: PublicCompany; member: AsemMemberView | null }> {
  if (typeof id !== 'string' || !Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) throw new NotFoundError();
  const company = await Company.findById(id).lean<CompanyDoc>();
  if (!company) throw new NotFoundError();
  const mayPreview = actor && (actor.role === 'organizer' || String(company.owner) === actor.id);
  if (!company.listed && !mayPreview) throw new NotFoundError();
  return { company: toPublicCompany(company), member: await findAsemMember(company.member) };
}
